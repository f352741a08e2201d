package lineage

import (
	"context"
	"net/url"
	"path/filepath"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/dbt"
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
	var cmd tea.Cmd
	// Slot "sql": moving on to another node drops the SQL of the one left.
	m.sqlTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Reading SQL", Slot: "sql", ReadOnly: true},
		func(context.Context, tasks.Emit) (string, error) { return loadSQL(req) })
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
	cmd, err := m.c.Opener().Edit(file, 0)
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
	m.layout()
	var cmd tea.Cmd
	m.impactTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Finding what your branch changes", Slot: "impact", ReadOnly: true},
		func(ctx context.Context, _ tasks.Emit) (*impact.Impact, error) {
			return impact.ComputeImpact(ctx, g, opts)
		})
	return cmd
}

// buildImpactRows lists the impact by section: what the branch changes, what is downstream
// (tests are counted, not listed: they follow the models they test) and the exposures reached.
func (m *Model) buildImpactRows() {
	var rows []impactRow
	if m.impact != nil && m.data != nil {
		g := m.data.graph
		add := func(title string, nodes []impact.ImpactNode, extra string) {
			section := title + " (" + strconv.Itoa(len(nodes)) + extra + ")"
			for _, n := range nodes {
				if i, ok := g.Index(n.UniqueID); ok {
					rows = append(rows, impactRow{section: section, index: i, node: n})
				}
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
		also := ""
		if tests > 0 {
			also = ", and " + text.Plural(tests, "test", "tests")
		}
		add("Downstream", down, also)
		add("Exposures reached", m.impact.Exposures, "")
	}
	m.impactList.SetItems(rows)
	m.impactList.Move(-m.impactList.Len())
}

// openExposure opens the selected exposure's link (a dashboard, a notebook) in the browser,
// in a task: the browser may take a moment to start.
func (m *Model) openExposure() tea.Cmd {
	i := m.selected()
	if i < 0 || m.data == nil {
		return nil
	}
	n := &m.data.graph.Nodes[i]
	u, err := exposureURL(n)
	if err != nil {
		return common.ScreenStatus(ID, common.StatusWarning, err.Error())
	}
	open := m.c.Opener().Browse
	var cmd tea.Cmd
	m.browseTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Opening the browser", ReadOnly: true},
		func(context.Context, tasks.Emit) (string, error) { return u, open(u) })
	return tea.Batch(cmd, common.ScreenStatus(ID, common.StatusInfo, "Opening "+safe(u)+" in your browser"))
}

// exposureURL is the link of exposure n, when it is a web link: the URL comes from the
// project's YAML, and anything but http(s) (a file:, a javascript:) is not handed to a browser.
func exposureURL(n *dbt.Node) (string, error) {
	name := safe(lineage.DisplayName(n))
	if n.ResourceType != "exposure" {
		return "", errString(name + " is not an exposure: only exposures have a link to open")
	}
	if n.URL == "" {
		return "", errString("The exposure " + name + " has no url in its YAML")
	}
	u, err := url.Parse(n.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errString("The exposure " + name + "'s url is not a web link: " + safe(n.URL))
	}
	return u.String(), nil
}
