package guides

import (
	"fmt"
	"github.com/datatui/datatui/internal/textdist"
	"net/url"
	"path"
	"sort"
	"strings"
)

// Target is where a link in a guide points.
type Target struct {
	// Slug and Anchor name a guide (and heading) inside the handbook.
	Slug   string
	Anchor string
	// URL is set for links that leave the handbook (http, https, mailto); open them in a browser.
	URL string
}

// External reports whether the link leaves the handbook.
func (t Target) External() bool { return t.URL != "" }

// Resolve works out where href, found in guide from, points: another guide ("other.md#anchor",
// "../handbook/other.md", "other"), a heading of the same guide ("#anchor") or a web page.
// The error says what does not exist (guide or heading), so a broken link can be reported.
func (l *Library) Resolve(from *Guide, href string) (Target, error) {
	href = strings.TrimSpace(href)
	if href == "" {
		return Target{}, fmt.Errorf("empty link")
	}
	if u, err := url.Parse(href); err == nil && u.Scheme != "" {
		switch strings.ToLower(u.Scheme) {
		case "http", "https", "mailto":
			return Target{URL: href}, nil
		}
		return Target{}, fmt.Errorf("link %q uses %s:, which the handbook cannot open", href, u.Scheme)
	}
	p, anchor, _ := strings.Cut(href, "#")
	if q := strings.IndexByte(p, '?'); q >= 0 {
		p = p[:q]
	}
	if up, err := url.PathUnescape(p); err == nil {
		p = up
	}
	slug := ""
	if p == "" {
		if from == nil {
			return Target{}, fmt.Errorf("link %q has no guide to point into", href)
		}
		slug = from.Slug
	} else {
		base := path.Base(path.Clean(strings.ReplaceAll(p, "\\", "/")))
		ext := path.Ext(base)
		if ext != "" && !strings.EqualFold(ext, ".md") {
			return Target{}, fmt.Errorf("link %q points at a file that is not a guide (only .md links open in the handbook)", href)
		}
		slug = normSlug(strings.TrimSuffix(base, ext))
	}
	g, ok := l.bySlug[slug]
	if !ok {
		msg := fmt.Sprintf("link %q points at guide %q, which does not exist", href, slug)
		if s := l.Suggest(slug, 3); len(s) > 0 {
			msg += " (did you mean " + strings.Join(s, ", ") + "?)"
		}
		return Target{}, fmt.Errorf("%s", msg)
	}
	t := Target{Slug: g.Slug}
	if anchor != "" {
		h := g.Heading(anchor)
		if h == nil {
			return Target{}, fmt.Errorf("link %q points at heading #%s, which %s.md does not have", href, anchor, g.Slug)
		}
		t.Anchor = h.Anchor
	}
	return t, nil
}

// BrokenLinks checks every link of every guide and describes each that does not resolve
// ("slug.md:12: link … does not exist").
func (l *Library) BrokenLinks() []string {
	var out []string
	for _, g := range l.guides {
		for _, lk := range g.Links {
			if _, err := l.Resolve(g, lk.Target); err != nil {
				out = append(out, fmt.Sprintf("%s:%d: %v", g.File(), lk.Line, err))
			}
		}
	}
	return out
}

// Suggest returns up to n slugs closest to the unknown slug s: slugs that contain it or that
// it contains, then by edit distance (also against titles' and aliases' words).
func (l *Library) Suggest(s string, n int) []string {
	s = normSlug(s)
	if s == "" || n <= 0 {
		return nil
	}
	type cand struct {
		slug string
		d    int
	}
	var cs []cand
	for _, g := range l.guides {
		d := textdist.Levenshtein(s, g.Slug)
		if strings.Contains(g.Slug, s) || strings.Contains(s, g.Slug) {
			d = min(d, 1)
		}
		for _, a := range append(slicesOf(g.Aliases), g.Title) {
			a = strings.ReplaceAll(strings.ToLower(a), " ", "-")
			if a == s {
				d = 0
			} else if strings.Contains(a, s) {
				d = min(d, 1)
			} else {
				d = min(d, textdist.Levenshtein(s, a)+1)
			}
		}
		limit := max(3, len(s)/2)
		if d <= limit {
			cs = append(cs, cand{g.Slug, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].slug < cs[j].slug
	})
	var out []string
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, c.slug)
	}
	if len(out) == 0 {
		// Nothing looks like the slug: fall back to the best full-text matches of its words.
		for _, r := range l.Search(strings.NewReplacer("-", " ", "_", " ").Replace(s), n) {
			out = append(out, r.Slug)
		}
	}
	return out
}

func slicesOf(s []string) []string { return append([]string(nil), s...) }
