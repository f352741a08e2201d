package lineage

import (
	"context"
	"path/filepath"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/dbt/impact"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// What the screen does for the user: show SQL, copy a selector, build, open the editor, and
// the impact of the current branch.

func (m *Model) cycleSQL() tea.Cmd {
	m.sql = (m.sql + 1) % 3
	if m.sql == sqlOff {
		return nil
	}
	return m.loadSQLCmd()
}

func (m *Model) loadSQLCmd() tea.Cmd {
	i := m.selected()
	if i < 0 || m.data == nil {
		return nil
	}
	req := sqlRequest{projectDir: m.c.Workspace.ProjectDir, graph: m.data.graph, node: m.data.graph.Nodes[i], compiled: m.sql == sqlCompiled}
	m.sqlFor, m.sqlReady = i, false
	id, cmd := m.c.Tasks.Start(ID, "Reading SQL", func(context.Context, tasks.Emit) (any, error) {
		return loadSQL(req)
	})
	m.sqlID = id
	return cmd
}

func (m *Model) selectorFor(i int) string {
	g := m.data.graph
	return lineage.NodeSelector(g, &g.Nodes[i])
}

func (m *Model) copySelector() tea.Cmd {
	if m.data == nil {
		return nil
	}
	sel := m.buildSelector()
	if sel == "" {
		return nil
	}
	return tea.Batch(tea.SetClipboard(sel), common.Status(common.StatusSuccess, "Copied "+sel))
}

// buildSelector is what `b` builds and `y` copies: in the impact view everything the branch
// changes and its descendants (what CI builds), else the selector being evaluated when there is
// one, else the selected node.
func (m *Model) buildSelector() string {
	switch {
	case m.mode == modeImpact:
		if m.impact == nil {
			return ""
		}
		return m.impact.Selector
	case m.mode != modeImpact && m.selExpr != "" && m.selErr == "":
		return m.selExpr
	}
	i := m.selected()
	if i < 0 {
		return ""
	}
	return m.selectorFor(i)
}

func (m *Model) build() tea.Cmd {
	if m.data == nil {
		return nil
	}
	sel := m.buildSelector()
	if sel == "" {
		return nil
	}
	args := []string{"build", "--select", sel}
	return tea.Batch(
		func() tea.Msg { return common.RunDBTMsg{Args: args} },
		common.Status(common.StatusInfo, "dbt build --select "+sel),
	)
}

// edit opens the selected node's file in $EDITOR (VISUAL first, then EDITOR, then vi).
func (m *Model) edit() tea.Cmd {
	i := m.selected()
	if i < 0 || m.data == nil {
		return nil
	}
	n := m.data.graph.Nodes[i]
	if n.OriginalPath == "" {
		return common.Status(common.StatusWarning, lineage.DisplayName(&n)+" has no file")
	}
	base := m.c.Workspace.ProjectDir
	if n.Package != m.data.graph.Origin.ProjectName && m.data.graph.Origin.ProjectName != "" {
		base = filepath.Join(base, "dbt_packages", n.Package)
	}
	file := filepath.Join(base, filepath.FromSlash(n.OriginalPath))
	cmd, err := m.c.Opener().Edit(file)
	if err != nil {
		return common.Status(common.StatusError, "editor: "+err.Error())
	}
	return tea.Exec(cmd, func(err error) tea.Msg { return editorDoneMsg{err: err} })
}

// showImpact switches to the impact view, computing it in a task the first time (and on r).
func (m *Model) showImpact() tea.Cmd {
	if m.data == nil {
		return nil
	}
	m.mode = modeImpact
	if m.impactLoading {
		return nil
	}
	ws := m.c.Workspace
	g := m.data.graph
	opts := impact.ImpactOptions{ProjectDir: ws.ProjectDir, StateDir: service.ProdStateDir(ws), Git: m.c.Svc().Git()}
	if ws.Config != nil {
		opts.BaseBranch = ws.Config.GitHub.BaseBranch
	}
	m.impactLoading = true
	id, cmd := m.c.Tasks.Start(ID, "Finding what your branch changes", func(ctx context.Context, _ tasks.Emit) (any, error) {
		return impact.ComputeImpact(ctx, g, opts)
	})
	m.impactID = id
	return cmd
}

func (m *Model) buildImpactRows() {
	m.impactRows = m.impactRows[:0]
	m.impactCursor, m.impactOffset = 0, 0
	if m.impact == nil || m.data == nil {
		return
	}
	g := m.data.graph
	add := func(title string, nodes []impact.ImpactNode, extra string) {
		m.impactRows = append(m.impactRows, impactRow{title: title + " (" + strconv.Itoa(len(nodes)) + extra + ")", index: -1})
		for _, n := range nodes {
			i, ok := g.Index(n.UniqueID)
			if !ok {
				continue
			}
			m.impactRows = append(m.impactRows, impactRow{index: i, node: n})
		}
	}
	add("Changed on this branch", m.impact.Changed, "")
	var down []impact.ImpactNode
	tests := 0
	for _, n := range m.impact.Downstream {
		if n.ResourceType == "test" || n.ResourceType == "unit_test" {
			tests++
			continue
		}
		down = append(down, n)
	}
	// Tests are counted, not listed: they follow the models they test.
	also := ""
	if tests > 0 {
		also = ", and " + text.Plural(tests, "test", "tests")
	}
	add("Downstream", down, also)
	add("Exposures reached", m.impact.Exposures, "")
	for k, r := range m.impactRows {
		if r.index >= 0 {
			m.impactCursor = k
			break
		}
	}
	m.clampScroll()
}
