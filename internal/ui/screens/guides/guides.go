// Package guides is the Guides screen: the team's handbook as a list by section with a fuzzy
// filter, a full-text search with ranked snippets, and a reader that renders a guide with
// glamour, follows links between guides with back/forward history, cycles search matches,
// jumps through a table of contents, opens web links in the browser and copies code blocks.
//
// Loading the handbook and rendering guides run as tasks; renders are cached per (guide, width,
// theme) and the reader keeps showing the previous render while a new width is rendered, so a
// resize never blanks the page.
package guides

import (
	"context"
	"fmt"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/cli/go-gh/v2/pkg/browser"

	"github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/ui/common"
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

// Model is the Guides screen.
type Model struct {
	c    *common.Common
	w, h int
	keys keyMap
	mode mode

	lib      *guides.Library
	loadID   int
	loading  bool
	loadErr  error
	openNext *common.OpenGuideMsg // an open request that arrived before the handbook loaded
	// needRender is set by SetSize when the open guide needs a render at the new width.
	needRender bool

	// The list.
	filter    lineInput
	filtering bool
	items     []*guides.Guide
	listSel   int
	listTop   int

	// The search view.
	query     lineInput
	results   []guides.Result
	searchSel int
	searchTop int

	// The reader.
	r reader

	renderer *markdown.Renderer
	cache    map[renderKey]*doc
	order    []renderKey // cache insertion order, for eviction
	pending  map[renderKey]int

	// openURL opens a web link; tests replace it.
	openURL func(string) error
	// loadLibrary reads the handbook; tests replace it with testdata.
	loadLibrary func(ws *workspace.Workspace) *guides.Library
}

// New returns the Guides screen.
func New(c *common.Common) *Model {
	return &Model{
		c:        c,
		keys:     newKeyMap(),
		renderer: markdown.NewRenderer(),
		cache:    map[renderKey]*doc{},
		pending:  map[renderKey]int{},
		r:        reader{link: -1},
		openURL: func(u string) error {
			return browser.New("", io.Discard, io.Discard).Browse(u)
		},
		loadLibrary: defaultLibrary,
	}
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
	return (m.mode == modeList && m.filtering) || m.mode == modeSearch || (m.mode == modeReader && m.r.finding)
}

// SetSize takes the new pane size. A guide being read is re-wrapped: at once from the cache
// when this width was rendered before, else by a render task started on the next message
// (SetSize cannot return commands); until then the previous render stays on screen.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = max(0, w), max(0, h)
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
	id, cmd := m.c.Tasks.Start(ID, "Loading the handbook", func(context.Context, tasks.Emit) (any, error) {
		lib := load(ws)
		lib.Prepare()
		return lib, nil
	})
	m.loadID = id
	return cmd
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
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		// Sizes come through SetSize; the message (when the root forwards it) only wakes the
		// re-wrap above.
		return nil
	case tasks.DoneMsg:
		if msg.Owner != ID {
			return nil
		}
		return m.taskDone(msg)
	case tasks.EventMsg:
		// The first screens of a long guide, while the rest renders.
		if d, ok := msg.Event.(*doc); ok && msg.Owner == ID && m.pending[d.key] == msg.ID && d.key == m.r.want && m.r.doc == nil {
			m.show(d)
		}
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
			m.query.paste(msg.Content)
			m.runSearch()
		case m.mode == modeList && m.filtering:
			m.filter.paste(msg.Content)
			m.applyFilter()
		case m.mode == modeReader && m.r.finding:
			m.r.find.paste(msg.Content)
		}
	case tea.MouseWheelMsg:
		delta := 3
		if msg.Button == tea.MouseWheelUp {
			delta = -3
		}
		switch m.mode {
		case modeList:
			m.moveList(delta)
		case modeSearch:
			m.moveSearch(delta / 3)
		case modeReader:
			m.scroll(delta)
		}
	}
	return nil
}

func (m *Model) taskDone(msg tasks.DoneMsg) tea.Cmd {
	if msg.ID == m.loadID {
		m.loading = false
		lib, _ := msg.Result.(*guides.Library)
		if msg.Err != nil || lib == nil {
			m.loadErr = msg.Err
			return nil
		}
		m.lib, m.loadErr = lib, nil
		// Team guides may have changed on disk: forget renders of the previous load.
		m.cache, m.order, m.pending = map[renderKey]*doc{}, nil, map[renderKey]int{}
		m.applyFilter()
		if m.query.value != "" {
			m.runSearch()
		}
		var cmds []tea.Cmd
		if n := len(lib.Warnings()); n > 0 {
			cmds = append(cmds, common.Status(common.StatusWarning, fmt.Sprintf("Handbook: %d warning(s); the first: %s", n, lib.Warnings()[0])))
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
	for k, id := range m.pending {
		if id != msg.ID {
			continue
		}
		delete(m.pending, k)
		if msg.Err != nil {
			if k == m.r.want {
				m.r.renderErr = msg.Err
			}
			return nil
		}
		d, _ := msg.Result.(*doc)
		if d == nil {
			return nil
		}
		m.remember(d)
		if k == m.r.want {
			m.show(d)
		}
		return nil
	}
	return nil
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
		return common.Status(common.StatusError, msg)
	}
	if m.mode == modeReader && m.r.g != nil {
		m.r.back = append(m.r.back, m.r.position())
		m.r.fwd = nil
	}
	return m.show1(g, jump{anchor: anchor})
}

// show1 puts g in the reader and asks for its render, then applies j when it is there.
func (m *Model) show1(g *guides.Guide, j jump) tea.Cmd {
	same := m.r.g != nil && m.r.g.Slug == g.Slug
	m.mode = modeReader
	m.r.g = g
	m.r.toc, m.r.finding = false, false
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
	return tea.Batch(m.requestRender(), opened)
}

// styleName is the glamour style for the current theme.
func (m *Model) styleName() string {
	if m.c.Styles == nil {
		return markdown.Style(true, true)
	}
	return markdown.Style(m.c.Styles.IsDark, m.c.Styles.NoColor)
}

// readerWidth is the width guides are wrapped to: the pane minus the gutter column.
func (m *Model) readerWidth() int { return max(markdown.MinWidth, m.w-1) }

// requestRender shows the cached render of the open guide for the current width and theme,
// or starts rendering it (keeping the previous render on screen until it arrives).
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
	if _, busy := m.pending[key]; busy {
		return nil
	}
	lib, r := m.lib, m.renderer
	// Opening a guide at its top (not a resize, not a jump): show the first screens early.
	early := m.r.doc == nil && m.r.jump != nil && *m.r.jump == (jump{})
	id, cmd := m.c.Tasks.Start(ID, "Rendering "+g.Title, func(_ context.Context, emit tasks.Emit) (any, error) {
		var first func(*doc)
		if early {
			first = func(d *doc) { emit(d) }
		}
		return renderDoc(r, lib, g, key, first)
	})
	m.pending[key] = id
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
