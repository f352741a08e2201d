// Package markdown renders handbook markdown for the terminal with glamour: a style that
// follows the terminal's background (dark or light, or plain text under NO_COLOR) and word
// wrap to a width.
//
// Glamour is linear but not fast (about 60 µs per line of a code-heavy guide), so long
// documents are split at their top-level headings and the sections are rendered in parallel,
// one glamour renderer per worker. Renderers are pooled per (style, width) and reused,
// because building one copies the whole style sheet and sets up the markdown parser.
package markdown

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"
)

// Style names the glamour style for a background and colour mode.
func Style(isDark, noColor bool) string {
	switch {
	case noColor:
		return "notty"
	case isDark:
		return "dark"
	default:
		return "light"
	}
}

// MinWidth is the narrowest wrap width; narrower panes are clipped rather than wrapped into
// one word per line.
const MinWidth = 20

// Renderer renders markdown. It is safe for concurrent use: glamour renderers keep state
// while rendering, so each render borrows one from the pool of its (style, width).
type Renderer struct {
	mu    sync.Mutex
	pools map[key]*pool
	order []key
}

type key struct {
	style string
	width int
}

type pool struct {
	mu   sync.Mutex
	free []*glamour.TermRenderer
}

// maxPools bounds the cache; a user dragging a window edge produces many widths.
const maxPools = 16

// NewRenderer returns an empty renderer cache.
func NewRenderer() *Renderer { return &Renderer{pools: map[key]*pool{}} }

// Render renders md with style ("dark", "light", "notty", "ascii") wrapped to width columns.
// Lines end without trailing padding and the document has no blank lines around it.
func (r *Renderer) Render(md string, style string, width int) (string, error) {
	return r.RenderFirst(md, style, width, 0, nil)
}

// RenderFirst is Render that also reports the beginning of the document early: it renders
// sections in order until at least firstLines lines are done, calls first with them (a reader
// can show the top of a long guide at once), then renders the rest in parallel.
func (r *Renderer) RenderFirst(md, style string, width, firstLines int, first func(string)) (string, error) {
	width = max(width, MinWidth)
	p := r.pool(key{style, width})
	sections := splitSections(md)
	out := make([]string, len(sections))
	errs := make([]error, len(sections))
	done := 0
	if first != nil && len(sections) > 1 {
		lines := 0
		for done < len(sections) && lines < firstLines {
			out[done], errs[done] = p.render(sections[done], style, width)
			if errs[done] != nil {
				return "", errs[done]
			}
			lines += strings.Count(out[done], "\n") + 2
			done++
		}
		if done < len(sections) {
			first(joinSections(out[:done]))
		}
	}
	rest := sections[done:]
	workers := min(runtime.GOMAXPROCS(0), len(rest))
	if workers <= 1 {
		for i := range rest {
			out[done+i], errs[done+i] = p.render(rest[i], style, width)
		}
	} else {
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Go(func() {
				for i := range next {
					out[i], errs[i] = p.render(sections[i], style, width)
				}
			})
		}
		for i := done; i < len(sections); i++ {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return "", err
		}
	}
	return joinSections(out), nil
}

// joinSections puts rendered sections together with the blank line glamour puts between
// blocks.
func joinSections(out []string) string {
	parts := make([]string, 0, len(out))
	for _, s := range out {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

func (r *Renderer) pool(k key) *pool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.pools[k]; ok {
		return p
	}
	if len(r.order) >= maxPools {
		delete(r.pools, r.order[0])
		r.order = r.order[1:]
	}
	p := &pool{}
	r.pools[k] = p
	r.order = append(r.order, k)
	return p
}

func (p *pool) render(md, style string, width int) (string, error) {
	p.mu.Lock()
	var tr *glamour.TermRenderer
	if n := len(p.free); n > 0 {
		tr, p.free = p.free[n-1], p.free[:n-1]
	}
	p.mu.Unlock()
	if tr == nil {
		cfg, ok := styles.DefaultStyles[style]
		if !ok {
			return "", fmt.Errorf("markdown style %q does not exist", style)
		}
		st := *cfg
		// Body text in the terminal's own foreground colour rather than the style's grey: it
		// reads the same, and glamour pads every line to the full width with spaces in the
		// document's style, which costs a third of the render time when that style has a colour.
		st.Document.Color = nil
		var err error
		// Code is coloured in 24-bit colour: chroma's 256-colour formatter searches the palette
		// for every token, a tenth of the render time. The terminal layer (Bubble Tea, or
		// colorprofile for the CLI) converts colours to what the terminal supports.
		tr, err = glamour.NewTermRenderer(glamour.WithStyles(st), glamour.WithWordWrap(width),
			glamour.WithChromaFormatter("terminal16m"))
		if err != nil {
			return "", fmt.Errorf("markdown style %q: %w", style, err)
		}
	}
	out, err := tr.Render(md)
	p.mu.Lock()
	p.free = append(p.free, tr)
	p.mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("rendering markdown: %w", err)
	}
	return tidy(out), nil
}

// minSectionLines keeps sections big enough that splitting pays for itself.
const minSectionLines = 40

// splitSections cuts md before its level-1 and level-2 headings (outside code blocks), merging
// short sections. Reference-style link definitions are copied into every section so links
// resolve wherever they are used.
func splitSections(md string) []string {
	lines := strings.Split(md, "\n")
	var defs []string
	var cuts []int
	fence := ""
	last := 0
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		indent := len(l) - len(t)
		if fence != "" {
			if indent < 4 && strings.HasPrefix(t, fence) && strings.Trim(strings.TrimSpace(t), fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if indent < 4 && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")) {
			k := len(t) - len(strings.TrimLeft(t, t[:1]))
			fence = t[:k]
			continue
		}
		if indent < 4 && strings.HasPrefix(t, "[") && strings.Contains(t, "]:") && !strings.HasPrefix(t, "[^") {
			defs = append(defs, l)
		}
		if indent < 4 && (strings.HasPrefix(t, "# ") || strings.HasPrefix(t, "## ")) && i-last >= minSectionLines {
			cuts = append(cuts, i)
			last = i
		}
	}
	if len(cuts) == 0 {
		return []string{md}
	}
	suffix := ""
	if len(defs) > 0 {
		suffix = "\n\n" + strings.Join(defs, "\n") + "\n"
	}
	out := make([]string, 0, len(cuts)+1)
	start := 0
	for _, c := range append(cuts, len(lines)) {
		out = append(out, strings.Join(lines[start:c], "\n")+suffix)
		start = c
	}
	return out
}

// tidy drops the trailing padding glamour adds to every line and the blank lines around the
// document, so views and pipes get only the text.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = trimRightSpace(l)
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// trimRightSpace removes trailing spaces, also the styled ones glamour pads lines with
// ("\x1b[38;5;252m \x1b[m" per column): the line is cut after its last visible character,
// keeping only hyperlink (OSC) sequences from the rest and ending with a style reset.
func trimRightSpace(l string) string {
	if !strings.Contains(l, "\x1b") {
		return strings.TrimRight(l, " ")
	}
	type span struct{ start, end int }
	var tail []span // hyperlink sequences after the last visible character
	cut := 0
	for i := 0; i < len(l); {
		if l[i] == 0x1b && i+1 < len(l) {
			j := i + 2
			switch l[i+1] {
			case '[': // CSI: parameters, then a final byte in @..~
				for j < len(l) && (l[j] < 0x40 || l[j] > 0x7e) {
					j++
				}
				j++
			case ']': // OSC: ends with BEL or ESC \
				for j < len(l) && l[j] != 0x07 && (l[j] != 0x1b || j+1 >= len(l) || l[j+1] != '\\') {
					j++
				}
				if j < len(l) && l[j] == 0x1b {
					j++
				}
				j++
			}
			j = min(j, len(l))
			if l[i+1] == ']' {
				tail = append(tail, span{i, j})
			}
			i = j
			continue
		}
		if l[i] != ' ' {
			cut = i + 1
			tail = tail[:0]
		}
		i++
	}
	if cut == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString(l[:cut])
	for _, sp := range tail {
		sb.WriteString(l[sp.start:sp.end])
	}
	sb.WriteString("\x1b[m")
	return sb.String()
}
