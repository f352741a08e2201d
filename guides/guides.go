// Package guides is the team's handbook: the guides embedded in datatui plus the folders a team
// lists under `guides:` in datatui.yml. A guide is a markdown file with YAML front matter
// (title, section, order, summary, tags, aliases); its slug is the file name without ".md".
//
// Loading never fails: a guide with missing or broken front matter still shows (with a warning
// naming the file), a missing team folder is a warning, and text that is not UTF-8 is converted.
// Nothing is parsed when the program starts; the embedded handbook is parsed on first use.
package guides

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
)

//go:embed *.md
var embedded embed.FS

// OriginEmbedded is the Origin of a guide that ships inside datatui.
const OriginEmbedded = "embedded"

// Sections are the handbook's sections in display order. Guides naming another section are
// listed after these (alphabetically); guides without a section go under OtherSection.
var Sections = []string{
	"Start here",
	"Working within Snowflake",
	"Getting changes into prod",
	"Getting data in",
	"Getting data out",
	"Help",
}

// OtherSection holds guides whose front matter names no section.
const OtherSection = "Other"

// Guide is one handbook page.
type Guide struct {
	// Slug is the file name without ".md"; links and `datatui guide show` use it.
	Slug    string
	Title   string
	Section string
	// Order sorts guides inside a section (then Title).
	Order   int
	Summary string
	Tags    []string
	Aliases []string
	// Origin is OriginEmbedded or the path of the team's file.
	Origin string
	// Body is the markdown after the front matter.
	Body string
	// BodyStart is the number of file lines before Body (front matter), so that file line =
	// BodyStart + line in Body.
	BodyStart int
	// Headings are the body's headings in order; they make the table of contents.
	Headings []Heading
	// Links are the body's links in order.
	Links []Link
	// CodeBlocks are the body's code blocks (fenced or indented) in order (the reader copies them).
	CodeBlocks []CodeBlock
	// Warnings name what was wrong with the file (front matter, encoding).
	Warnings []string
}

// Heading is a markdown heading with its GitHub-style anchor.
type Heading struct {
	Level  int
	Text   string
	Anchor string
	// Line is the heading's 1-based line in the guide's file.
	Line int
	// Offset is where it starts in Body (mdtree.Start); the renderer reports rows by it.
	Offset int
}

// Link is a markdown link in a guide's body.
type Link struct {
	Text   string
	Target string
	// Line is the link's 1-based line in the guide's file.
	Line int
	// Offset is where it starts in Body (mdtree.Start); the renderer reports rows by it.
	Offset int
}

// CodeBlock is a code block.
type CodeBlock struct {
	// Lang is the info string's first word ("sql", "sh"), or "".
	Lang string
	// Code is the block's text without the fences.
	Code string
	// Line is the opening fence's 1-based line in the guide's file.
	Line int
	// Offset is where it starts in Body (mdtree.Start); the renderer reports rows by it.
	Offset int
}

// Team reports whether the guide comes from the team's folders rather than datatui itself.
func (g *Guide) Team() bool { return g.Origin != "" && g.Origin != OriginEmbedded }

// File names the guide's file for messages: the team file's path, or guides/<slug>.md for an
// embedded guide.
func (g *Guide) File() string {
	switch {
	case g.Team():
		return g.Origin
	case g.Origin == OriginEmbedded:
		return "guides/" + g.Slug + ".md"
	}
	return g.Slug + ".md"
}

// HeadingAt returns the last heading at or above file line (nil when there is none).
func (g *Guide) HeadingAt(line int) *Heading {
	var h *Heading
	for i := range g.Headings {
		if g.Headings[i].Line > line {
			break
		}
		h = &g.Headings[i]
	}
	return h
}

// Heading returns the heading with this anchor (case-insensitive), or nil.
func (g *Guide) Heading(anchor string) *Heading {
	anchor = strings.ToLower(strings.TrimPrefix(anchor, "#"))
	for i := range g.Headings {
		if g.Headings[i].Anchor == anchor {
			return &g.Headings[i]
		}
	}
	return nil
}

// Section is one section of the handbook with its guides in order.
type Section struct {
	Name   string
	Guides []*Guide
}

// Library is a loaded handbook. It is safe for concurrent reads; build it once and share it.
type Library struct {
	guides   []*Guide // section order
	bySlug   map[string]*Guide
	sections []Section
	warnings []string

	indexOnce sync.Once
	index     *searchIndex
}

// Load returns the embedded handbook plus the team folders (relative to root, the repository
// root, unless absolute). A team guide replaces the embedded guide with the same slug.
func Load(root string, folders []string) *Library {
	return LoadFrom(embedded, root, folders)
}

// LoadFrom is Load with another base set of guides (the *.md files at the top of base);
// tests use it to load testdata instead of the real handbook.
func LoadFrom(base fs.FS, root string, folders []string) *Library {
	b := newBuilder()
	if base != nil {
		b.addFS(base, ".", func(name string) string { return OriginEmbedded })
	}
	for _, dir := range folders {
		b.addFolder(root, dir)
	}
	return b.library()
}

var (
	embeddedOnce sync.Once
	embeddedLib  *Library
)

// Embedded returns the embedded handbook alone, parsed once on first use.
func Embedded() *Library {
	embeddedOnce.Do(func() { embeddedLib = Load("", nil) })
	return embeddedLib
}

// FromGuides builds a library from already parsed guides (later guides replace earlier ones
// with the same slug). Benchmarks and tests use it for synthetic handbooks.
func FromGuides(gs []*Guide) *Library {
	b := newBuilder()
	for _, g := range gs {
		b.put(g)
	}
	return b.library()
}

// Guides lists every guide in section order.
func (l *Library) Guides() []*Guide { return l.guides }

// Sections lists the sections that have guides, in display order.
func (l *Library) Sections() []Section { return l.sections }

// Warnings lists every problem found while loading (files, folders), for the status bar and
// `datatui guide list`.
func (l *Library) Warnings() []string { return l.warnings }

// Len is the number of guides.
func (l *Library) Len() int { return len(l.guides) }

// Get returns the guide with slug. It also accepts "slug.md", any letter case and an alias.
func (l *Library) Get(slug string) (*Guide, bool) {
	s := normSlug(slug)
	if g, ok := l.bySlug[s]; ok {
		return g, true
	}
	for _, g := range l.guides {
		for _, a := range g.Aliases {
			if strings.EqualFold(a, strings.TrimSpace(slug)) {
				return g, true
			}
		}
	}
	return nil, false
}

func normSlug(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(s, ".md")
	return s
}

type builder struct {
	bySlug   map[string]*Guide
	order    []string
	warnings []string
}

func newBuilder() *builder { return &builder{bySlug: map[string]*Guide{}} }

func (b *builder) put(g *Guide) {
	old, ok := b.bySlug[g.Slug]
	if !ok {
		b.order = append(b.order, g.Slug)
	} else if old.Team() && g.Team() {
		// Replacing a built-in guide is the point of team folders; two team files with one
		// slug is a mistake worth naming.
		b.warnings = append(b.warnings, fmt.Sprintf("%s replaces %s (same slug %q); the later folder under guides: wins", g.Origin, old.Origin, g.Slug))
	}
	b.bySlug[g.Slug] = g
}

// addFolder adds a team folder; a missing or unreadable folder is a warning only.
func (b *builder) addFolder(root, dir string) {
	p := dir
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, dir)
	}
	fi, err := os.Stat(p)
	switch {
	case err != nil && os.IsNotExist(err):
		b.warnings = append(b.warnings, "guides folder "+p+" (from datatui.yml) does not exist; showing the built-in guides. Create it or fix the path under guides:.")
		return
	case err != nil:
		b.warnings = append(b.warnings, "guides folder "+p+": "+err.Error())
		return
	case !fi.IsDir():
		b.warnings = append(b.warnings, "guides folder "+p+" (from datatui.yml) is a file, not a folder; fix the path under guides:.")
		return
	}
	b.addFS(os.DirFS(p), ".", func(name string) string { return filepath.Join(p, filepath.FromSlash(name)) })
}

// addFS adds the *.md files directly inside dir of fsys (README.md is the folder's own
// description, not a guide).
func (b *builder) addFS(fsys fs.FS, dir string, origin func(name string) string) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		b.warnings = append(b.warnings, origin(dir)+": "+err.Error())
		return
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.EqualFold(path.Ext(name), ".md") || strings.EqualFold(name, "README.md") || strings.HasPrefix(name, ".") {
			continue
		}
		rel := path.Join(dir, name)
		data, err := fs.ReadFile(fsys, rel)
		if err != nil {
			b.warnings = append(b.warnings, origin(rel)+": "+err.Error())
			continue
		}
		g := Parse(name, data)
		g.Origin = origin(rel)
		for _, w := range g.Warnings {
			b.warnings = append(b.warnings, g.Origin+": "+w)
		}
		b.put(g)
	}
}

func (b *builder) library() *Library {
	l := &Library{bySlug: b.bySlug, warnings: b.warnings}
	bySection := map[string][]*Guide{}
	for _, s := range b.order {
		g := b.bySlug[s]
		sec := g.Section
		if sec == "" {
			sec = OtherSection
		}
		bySection[sec] = append(bySection[sec], g)
	}
	var extra []string
	for name := range bySection {
		if !slices.Contains(Sections, name) && name != OtherSection {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	names := append(append(slices.Clone(Sections), extra...), OtherSection)
	for _, name := range names {
		gs := bySection[name]
		if len(gs) == 0 {
			continue
		}
		sort.SliceStable(gs, func(i, j int) bool {
			if gs[i].Order != gs[j].Order {
				return gs[i].Order < gs[j].Order
			}
			if gs[i].Title != gs[j].Title {
				return gs[i].Title < gs[j].Title
			}
			return gs[i].Slug < gs[j].Slug
		})
		l.sections = append(l.sections, Section{Name: name, Guides: gs})
		l.guides = append(l.guides, gs...)
	}
	return l
}
