// Package guides is the Guides screen: the team's handbook as a list by section with a `/`
// filter (ranked by title, tags and aliases, matches highlighted, read guides marked), a
// full-text search with ranked snippets, and a reader that renders a guide (internal/ui/markdown) at a
// readable width, follows links between guides with back/forward history, cycles search
// matches, jumps through a table of contents, opens web links in the browser and copies code
// blocks.
//
// Loading the handbook and rendering guides run as typed tasks; renders are cached per (guide,
// width, theme) and the reader keeps showing the previous render while a new width is
// rendered, so a resize never blanks the page.
package guides

import (
	"context"
	"fmt"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/cli/go-gh/v2/pkg/browser"

	"github.com/datatui/datatui/guides"
	ob "github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/markdown"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/workspace"
)

// ID is the screen id.
const ID = "guides"

type mode int

const (
	modeList mode = iota
	modeSearch
	modeReader
)

// loaded is what the handbook load returns: the library and the guides already read.
type loaded struct {
	lib  *guides.Library
	read map[string]bool
}

// Model is the Guides screen.
type Model struct {
	c    *common.Common
	w, h int
	keys keyMap
	mode mode

	lib      *guides.Library
	loadTask tasks.Ref[loaded]
	loading  bool
	loadErr  error
	openNext *common.OpenGuideMsg // an open request that arrived before the handbook loaded
	// needRender is set by SetSize when the open guide needs a render at the new width.
	needRender bool
	// read holds the slugs of the guides opened in the reader, in any session.
	read map[string]bool

	// The list, and why each filtered guide matched (a tag, an alias).
	list  *list.Model[*guides.Guide]
	index map[*guides.Guide]int
	why   map[*guides.Guide]guides.Match

	// The search view.
	search searchView

	// The reader.
	r reader

	renderer   *markdown.Renderer
	cache      map[renderKey]*doc
	order      []renderKey     // cache insertion order, for eviction
	renderTask tasks.Ref[*doc] // the render running, if any (zero when none)
	rendering  renderKey       // the render renderTask makes

	// openURL opens a web link; tests replace it.
	openURL func(string) error
	// loadLibrary reads the handbook; tests replace it with testdata.
	loadLibrary func(ws *workspace.Workspace) *guides.Library
}

// New returns the Guides screen.
func New(c *common.Common) *Model {
	m := &Model{
		c:        c,
		keys:     newKeyMap(&c.KeyMap().Nav),
		renderer: markdown.NewRenderer(),
		cache:    map[renderKey]*doc{},
		read:     map[string]bool{},
		r:        reader{link: -1},
		openURL: func(u string) error {
			return browser.New("", io.Discard, io.Discard).Browse(u)
		},
		loadLibrary: defaultLibrary,
	}
	m.list = list.New(&c.KeyMap().Nav, func(g *guides.Guide) string { return g.Title }).
		WithGroups(sectionName).WithRanker(m.rank)
	m.search = newSearchView(c)
	m.r.toc = newTOC(c)
	return m
}

// defaultLibrary is the embedded handbook plus the team folders of the workspace's datatui.yml.
func defaultLibrary(ws *workspace.Workspace) *guides.Library {
	if ws == nil || ws.Config == nil || len(ws.Config.Guides) == 0 {
		return guides.Embedded()
	}
	return guides.Load(ws.Root, ws.Config.Guides)
}

func (m *Model) ID() string    { return ID }
func (m *Model) Title() string { return "Guides" }

// Capturing is true while the filter, the search field or the in-guide find has the keyboard.
func (m *Model) Capturing() bool {
	return (m.mode == modeList && m.list.Filtering()) || m.mode == modeSearch || (m.mode == modeReader && m.r.finding)
}

// SetSize takes the new pane size. A guide being read is re-wrapped: at once from the cache
// when this width was rendered before, else by a render task started on the next message
// (SetSize cannot return commands); until then the previous render stays on screen.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = max(0, w), max(0, h)
	m.list.SetHeight(m.listHeight())
	m.search.setSize(m.w, m.h)
	m.r.toc.SetHeight(max(0, m.bodyHeight()-1))
	if m.r.g == nil {
		return
	}
	if key := m.currentKey(); key != m.r.want {
		if d, ok := m.cache[key]; ok {
			m.r.want = key
			m.show(d)
		} else {
			m.needRender = true
		}
	}
	m.clampOffset()
}

// currentKey is the render the open guide needs at the current size and theme.
func (m *Model) currentKey() renderKey {
	return renderKey{slug: m.r.g.Slug, origin: m.r.g.Origin, width: m.readerWidth(), style: m.styleName()}
}

// Init loads the handbook in the background.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	ws, load := m.c.Workspace, m.loadLibrary
	m.loading = true
	var cmd tea.Cmd
	m.loadTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Loading the handbook", Slot: "load"},
		func(context.Context, tasks.Emit) (loaded, error) {
			lib := load(ws)
			lib.Prepare()
			return loaded{lib: lib, read: readGuides(ws)}, nil
		})
	return cmd
}

// readGuides is the set of guides opened before (from the onboarding progress file).
func readGuides(ws *workspace.Workspace) map[string]bool {
	out := map[string]bool{}
	if ws == nil || ws.StateDir == "" {
		return out
	}
	if st, err := ob.LoadProgress(ws); err == nil {
		for slug := range st.GuidesRead {
			out[slug] = true
		}
	}
	return out
}

// Library returns the loaded handbook (nil until it has loaded).
func (m *Model) Library() *guides.Library { return m.lib }

func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if m.needRender {
		// A resize happened since the last message: start the re-wrap now.
		return tea.Batch(m.requestRender(), m.update(msg))
	}
	return m.update(msg)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	if out, ok := m.loadTask.Done(msg); ok {
		return m.loaded(out)
	}
	if out, ok := m.renderTask.Done(msg); ok {
		return m.rendered(out)
	}
	if ev, ok := m.renderTask.Event(msg); ok {
		// The first screens of a long guide, while the rest renders.
		if d, ok := ev.(*doc); ok && d.key == m.r.want && m.r.doc == nil {
			m.show(d)
		}
		return nil
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		// Sizes come through SetSize; the message (when the root forwards it) only wakes the
		// re-wrap above.
		return nil
	case common.OpenGuideMsg:
		if m.lib == nil {
			m.openNext = &msg
			return nil
		}
		return m.openGuide(msg.Slug, msg.Anchor)
	case tea.BackgroundColorMsg:
		// The root has already rebuilt the styles; re-render the open guide in the new theme.
		if m.mode == modeReader && m.r.g != nil {
			return m.requestRender()
		}
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		switch {
		case m.mode == modeSearch:
			m.search.query.Paste(msg.Content)
			m.runSearch()
		case m.mode == modeList:
			m.list.Update(msg)
		case m.mode == modeReader && m.r.finding:
			m.r.find.Paste(msg.Content)
		}
	case tea.MouseWheelMsg:
		switch m.mode {
		case modeList:
			m.list.Update(msg)
		case modeSearch:
			m.search.list.Update(msg)
		case modeReader:
			if m.r.tocOpen {
				m.r.toc.Update(msg)
			} else if msg.Button == tea.MouseWheelUp {
				m.scroll(-3)
			} else if msg.Button == tea.MouseWheelDown {
				m.scroll(3)
			}
		}
	case tea.MouseClickMsg:
		if m.mode == modeList && m.list.ClickRow(msg.Y-1) {
			return nil
		}
	}
	return nil
}

// loaded takes the handbook.
func (m *Model) loaded(out tasks.Outcome[loaded]) tea.Cmd {
	m.loading = false
	if out.Err != nil || out.Value.lib == nil {
		m.loadErr = out.Err
		return nil
	}
	lib := out.Value.lib
	m.lib, m.loadErr = lib, nil
	for slug := range out.Value.read {
		m.read[slug] = true
	}
	// Team guides may have changed on disk: forget renders of the previous load.
	m.cache, m.order = map[renderKey]*doc{}, nil
	m.index = make(map[*guides.Guide]int, lib.Len())
	for i, g := range lib.Guides() {
		m.index[g] = i
	}
	m.list.SetItems(lib.Guides())
	if m.search.query.Value() != "" {
		m.runSearch()
	}
	var cmds []tea.Cmd
	if w := lib.Warnings(); len(w) > 0 {
		cmds = append(cmds, common.ScreenStatus(ID, common.StatusWarning, fmt.Sprintf("Handbook: %s; the first: %s", text.Plural(len(w), "warning", "warnings"), w[0])))
	}
	if m.openNext != nil {
		o := *m.openNext
		m.openNext = nil
		cmds = append(cmds, m.openGuide(o.Slug, o.Anchor))
	} else if m.r.g != nil {
		// A reload: show the reloaded version of the open guide.
		if g, ok := lib.Get(m.r.g.Slug); ok {
			m.r.g = g
			cmds = append(cmds, m.requestRender())
		}
	}
	return tea.Batch(cmds...)
}

// rendered takes a finished render.
func (m *Model) rendered(out tasks.Outcome[*doc]) tea.Cmd {
	k := m.rendering
	m.renderTask = tasks.Ref[*doc]{} // nothing rendering now
	if out.Err != nil {
		if k == m.r.want {
			m.r.renderErr = out.Err
		}
		return nil
	}
	if out.Value == nil {
		return nil
	}
	m.remember(out.Value)
	if k == m.r.want {
		m.show(out.Value)
	}
	return nil
}

// rank orders the list's guides for a filter with the handbook's own ranking (word starts in
// titles, then tags, aliases and slugs) and keeps why each matched for the row.
func (m *Model) rank(query string, _ int, _ func(int) string) []list.Match {
	if m.lib == nil {
		return nil
	}
	m.why = map[*guides.Guide]guides.Match{}
	var out []list.Match
	for _, gm := range m.lib.Filter(query) {
		i, ok := m.index[gm.Guide]
		if !ok {
			continue
		}
		m.why[gm.Guide] = gm
		var spans []text.Span
		if gm.Field == guides.FieldTitle {
			for _, r := range gm.Where {
				spans = append(spans, text.Span{Start: r.Start, End: r.End})
			}
		}
		out = append(out, list.Match{Index: i, Spans: spans})
	}
	return out
}

// remember caches d, dropping the oldest render when the cache is full.
func (m *Model) remember(d *doc) {
	if _, ok := m.cache[d.key]; !ok {
		m.order = append(m.order, d.key)
	}
	m.cache[d.key] = d
	for len(m.order) > maxCachedDocs {
		delete(m.cache, m.order[0])
		m.order = m.order[1:]
	}
}

// handleKey routes a key to the active view.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeSearch:
		return m.searchKey(msg)
	case modeReader:
		return m.readerKey(msg)
	default:
		return m.listKey(msg)
	}
}

// openGuide shows slug in the reader (at anchor when given) and remembers the page being left
// in the back history.
func (m *Model) openGuide(slug, anchor string) tea.Cmd {
	if m.lib == nil {
		m.openNext = &common.OpenGuideMsg{Slug: slug, Anchor: anchor}
		return nil
	}
	g, ok := m.lib.Get(slug)
	if !ok {
		msg := fmt.Sprintf("There is no guide %q", slug)
		if s := m.lib.Suggest(slug, 3); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, ", ") + "?"
		}
		return common.ScreenStatus(ID, common.StatusError, msg)
	}
	if m.mode == modeReader && m.r.g != nil {
		m.r.back = append(m.r.back, m.r.position())
		m.r.fwd = nil
	}
	return m.show1(g, jump{anchor: anchor})
}

// show1 puts g in the reader and asks for its render, then applies j when it is there. The
// guide is marked read (and remembered) the first time.
func (m *Model) show1(g *guides.Guide, j jump) tea.Cmd {
	same := m.r.g != nil && m.r.g.Slug == g.Slug
	m.mode = modeReader
	m.r.g = g
	m.r.tocOpen, m.r.finding = false, false
	m.r.link = -1
	m.r.renderErr = nil
	if !same {
		m.r.doc = nil
		m.r.offset = 0
	}
	m.r.hitQuery = j.query
	m.r.hits, m.r.hit = nil, 0
	m.r.jump = &j
	slug := g.Slug
	opened := func() tea.Msg { return common.GuideOpenedMsg{Slug: slug} }
	return tea.Batch(m.requestRender(), opened, m.markRead(slug))
}

// markRead remembers that slug was read, for the list's marks.
func (m *Model) markRead(slug string) tea.Cmd {
	if m.read[slug] {
		return nil
	}
	m.read[slug] = true
	ws := m.c.Workspace
	if ws == nil || ws.StateDir == "" {
		return nil
	}
	now := m.c.Now()
	_, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Remembering the guide as read"},
		func(context.Context, tasks.Emit) (struct{}, error) {
			return struct{}{}, ob.RecordGuideRead(ws, slug, now)
		})
	return tea.Batch(cmd, common.Publish(ID, common.TopicHandbook))
}

// styleName is the markdown style for the current theme.
func (m *Model) styleName() string {
	if m.c.Styles == nil {
		return markdown.Style(true, true)
	}
	return markdown.Style(m.c.Styles.IsDark, m.c.Styles.NoColor)
}

// maxReadingWidth keeps lines readable on a wide terminal, as glow does: prose much wider than
// this is hard to follow from one line to the next.
const maxReadingWidth = 100

// readerWidth is the width guides are wrapped to: the pane minus the gutter column, at most a
// readable width.
func (m *Model) readerWidth() int { return max(markdown.MinWidth, min(m.w-1, maxReadingWidth)) }

// requestRender shows the cached render of the open guide for the current width and theme,
// or starts rendering it (keeping the previous render on screen until it arrives). A newer
// request replaces an unfinished one: its result is dropped.
func (m *Model) requestRender() tea.Cmd {
	g := m.r.g
	if g == nil || m.w <= 0 {
		return nil
	}
	m.needRender = false
	key := m.currentKey()
	m.r.want = key
	if d, ok := m.cache[key]; ok {
		m.show(d)
		return nil
	}
	if m.rendering == key && m.renderTask.ID() != 0 {
		return nil // already rendering this one
	}
	r := m.renderer
	// Opening a guide at its top (not a resize, not a jump): show the first screens early.
	early := m.r.doc == nil && m.r.jump != nil && *m.r.jump == (jump{})
	var cmd tea.Cmd
	m.rendering = key
	m.renderTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Rendering " + g.Title, Slot: "render"},
		func(_ context.Context, emit tasks.Emit) (*doc, error) {
			var first func(*doc)
			if early {
				first = func(d *doc) { emit(d) }
			}
			return renderDoc(r, g, key, first)
		})
	return cmd
}

// Actions are the screen's command-palette entries.
func (m *Model) Actions() []common.Action {
	return []common.Action{
		{ID: "guides.search", Title: "Search the handbook", Hint: "s", Run: func() tea.Cmd {
			m.startSearch()
			return common.SwitchTo(ID)
		}},
		{ID: "guides.list", Title: "List the guides", Run: func() tea.Cmd {
			m.mode = modeList
			return common.SwitchTo(ID)
		}},
		{ID: "guides.getting-started", Title: "Open the getting-started guide", Run: func() tea.Cmd {
			return func() tea.Msg { return common.OpenGuideMsg{Slug: "getting-started"} }
		}},
		{ID: "guides.reload", Title: "Reload the handbook (team guides)", Hint: "r", Run: func() tea.Cmd { return m.load() }},
	}
}
