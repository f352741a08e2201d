package sandbox

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/access"
	"github.com/datatui/datatui/internal/tfgrants"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/confirm"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// guideAccess is the handbook section on asking for a grant.
const guideAccess = "roles-and-permissions"

// requestEditedMsg is the editor closing on a grant request's Terraform file.
type requestEditedMsg struct {
	req access.Request
	err error
}

// openAccess lists the grants the role lacks against the team's Terraform.
func (m *Model) openAccess() {
	if m.access == nil {
		return
	}
	m.level = levelAccess
	m.layout()
}

// askRequest offers to ask for the missing grant f with a pull request: its place in the
// Terraform opened in the person's editor on a branch of its own.
func (m *Model) askRequest(f tfgrants.Finding) {
	if f.Where.File == "" {
		m.err = access.ErrNowhereToEdit
		return
	}
	branch := access.BranchName(f)
	m.dialog = safeDialog(&confirm.Dialog{ID: "request", Title: "Ask for " + f.Need.Privilege + " on " + f.Need.Name() + " with a pull request?", Verb: "open",
		Lines: []string{
			"The request goes on a new branch, " + branch + ", made from the team's default branch.",
			"Uncommitted changes of yours stay where they are: the request then gets a folder of its own.",
			"Then " + f.Where.Where() + " opens in your editor: grants of this kind are defined there.",
		}})
	m.onYes = func() tea.Cmd { return m.startRequest(f) }
}

// startRequest prepares the branch in a task (git runs off the UI's loop).
func (m *Model) startRequest(f tfgrants.Finding) tea.Cmd {
	if m.requestTask.ID() != 0 {
		return nil
	}
	svc := m.c.Svc()
	var cmd tea.Cmd
	m.requestTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Preparing the grant request's branch", Slot: "request"},
		func(ctx context.Context, _ tasks.Emit) (access.Request, error) {
			return svc.StartGrantRequest(ctx, f)
		})
	m.stage = "preparing the grant request's branch"
	return cmd
}

// requestStarted opens the editor on the request's Terraform line once its branch is ready.
func (m *Model) requestStarted(out tasks.Outcome[access.Request]) tea.Cmd {
	if out.Cancelled {
		return nil
	}
	if out.Err != nil {
		m.err = out.Err
		return nil
	}
	req := out.Value
	m.request, m.err = &req, nil
	cmd, err := m.c.Opener().Edit(req.Path, req.Line)
	if err != nil {
		return common.ScreenStatus(ID, common.StatusError, "editor: "+err.Error())
	}
	return tea.Exec(cmd, func(err error) tea.Msg { return requestEditedMsg{req: req, err: err} })
}

// requestEdited says what to do next when the editor closes.
func (m *Model) requestEdited(msg requestEditedMsg) tea.Cmd {
	if msg.err != nil {
		return common.ScreenStatus(ID, common.StatusError, "editor: "+msg.err.Error())
	}
	return common.ScreenStatus(ID, common.StatusSuccess, msg.req.Done()+" "+msg.req.Next())
}

// accessLine is the header's summary of the grants check ("" when there is nothing to say).
func (m *Model) accessLine() string {
	r := m.access
	if r == nil || len(r.Findings) == 0 {
		return ""
	}
	return m.c.Styles.Warning.Render("! "+safe(r.Role)+" lacks "+plural(len(r.Findings), "grant", "grants")+" the project's sources need") +
		m.c.Styles.Muted.Render(" (A: where to ask for them)")
}

// accessBody lists the missing grants with the place in the Terraform to ask for each.
func (m *Model) accessBody() []string {
	st := m.c.Styles
	r := m.access
	w := m.w - 2
	privW := 10
	nameW := max((w-privW)/2, 16)
	out := []string{m.accList.FilterBar(st) + st.Muted.Render(" · "+m.accList.Count("grant missing", "grants missing")+" for "+safe(r.Role)+" · "+safe(r.Summary))}
	out = append(out, m.requestLines()...)
	out = append(out, st.Muted.Render("  "+text.Pad("PRIVILEGE", privW)+text.Pad("ON", nameW)+"WHERE TO ASK (enter opens it on a new branch)"))
	out = append(out, m.accList.View(m.w, func(row list.Row[tfgrants.Finding], _ int) string {
		f := row.Item
		where := f.Where.Where()
		if f.Where.File == "" {
			where = "nowhere yet: ask the data team"
		}
		if f.Unsure {
			where += " (some grants there could not be read)"
		}
		name := text.Highlight(safe(f.Need.Name()), row.Spans, st.Text, st.Match)
		return m.row(row.Selected, text.Pad(safe(f.Need.Privilege), privW)+text.Pad(name, nameW)+safe(where))
	})...)
	if len(r.Findings) == 0 {
		out = append(out[:1], st.Success.Render("  ✓ "+safe(r.Role)+" can read every source table of the project ("+plural(r.Checked, "table", "tables")+")"))
	}
	return out
}

// requestLines say where the last grant request stands, above the list (the list takes the
// lines below it).
func (m *Model) requestLines() []string {
	q := m.request
	if q == nil {
		return nil
	}
	st := m.c.Styles
	var out []string
	for _, l := range text.WrapStyle(safe(q.Done()+" "+q.Next()), max(m.w-4, 20), st.InfoText) {
		out = append(out, "  "+l)
	}
	return out
}
