package onboard

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/datatui/datatui/internal/demo"
	ob "github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/ui/uitest"
	"github.com/datatui/datatui/internal/warehouse/snowflake"
	"github.com/datatui/datatui/internal/workspace"
)

var fixedNow = time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)

type harness struct {
	*uitest.Driver
	t      *testing.T
	m      *Model
	ws     *workspace.Workspace
	checks map[string]*atomic.Int32
	fixes  map[string][]ob.Input
}

// canned results: a machine half-way through onboarding.
var canned = map[string]ob.Result{
	ob.StepTools:      {Status: ob.StatusOK, Detail: "all tools installed", Checked: "git 2.43.0, dbt 1.8.7 (snowflake 1.8.4), editor code"},
	ob.StepGitHub:     {Status: ob.StatusOK, Detail: "git identity set, signed in to GitHub", Checked: "git identity Jane Doe <jane@example.com>, signed in to github.com (gh auth login), can read acme/analytics"},
	ob.StepRepository: {Status: ob.StatusOK, Detail: "cloned, remote correct, on a branch", Checked: "clone at /home/jane/analytics, origin git@github.com:acme/analytics.git, on branch jane/first-model"},
	ob.StepProfile:    {Status: ob.StatusFail, Detail: "there is no profiles.yml yet: the fix creates it with your \"dev\" target", Checked: "~/.dbt/profiles.yml (~/.dbt)", Fixable: true},
	ob.StepWarehouse:  {Status: ob.StatusUnknown, Detail: "this check needs datatui's warehouse connection, which is not available in this build yet"},
	ob.StepSandbox:    {Status: ob.StatusWarn, Detail: "your sandbox is 21 days old (the team refreshes every 14)", Checked: "sandbox SANDBOX_JANE_DOE"},
	ob.StepDeps:       {Status: ob.StatusFail, Detail: "not installed: dbt_utils. Run: dbt deps", Checked: "1 package from package-lock.yml in dbt_packages", Fixable: true},
	ob.StepDebug:      {Status: ob.StatusFail, Detail: "profiles.yml file [ERROR not found]"},
	ob.StepFirstBuild: {Status: ob.StatusFail, Detail: "not built yet: run dbt build -s stg_users", Fixable: true},
	ob.StepGuide:      {Status: ob.StatusSkip, Detail: "read on 28 Nov 2026"},
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with some canned results replaced.
func newHarnessWith(t *testing.T, results map[string]ob.Result) *harness {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dbt_project.yml"), []byte("name: shop\nprofile: shop\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "datatui.yml"), []byte("warehouse:\n  contributor_role: TRANSFORMER\ndbt:\n  starter_model: stg_users\nonboarding:\n  adapter: snowflake\n"), 0o644)
	ws, err := workspace.Open(workspace.Options{Project: dir, StateHome: filepath.Join(dir, "state")})
	if err != nil {
		t.Fatal(err)
	}
	env := &ob.Env{Workspace: ws, Environ: []string{"HOME=" + filepath.Join(dir, "home"), "PATH=" + filepath.Join(dir, "nobin")}, GOOS: "linux", Runner: ob.ExecRunner{}, Now: func() time.Time { return fixedNow }}
	h := &harness{t: t, ws: ws, checks: map[string]*atomic.Int32{}, fixes: map[string][]ob.Input{}}
	steps := ob.Steps(env)
	for _, s := range steps {
		name := s.Name
		h.checks[name] = &atomic.Int32{}
		res, ok := results[name]
		if !ok {
			res = canned[name]
		}
		s.Check = func(context.Context) ob.Result { h.checks[name].Add(1); return res }
		if s.Fix != nil {
			s.Fix = func(_ context.Context, in ob.Input) error {
				h.fixes[name] = append(h.fixes[name], in)
				return nil
			}
		}
	}
	c := &common.Common{Ctx: context.Background(), Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(context.Background()),
		Clock: func() time.Time { return fixedNow }}
	h.m = newModel(c, env, steps)
	return h
}

// start runs the screen's Init through the test driver, at 120×40.
func (h *harness) start() *harness {
	h.Driver = uitest.Screen(h.t, h.m, h.m.c, 120, 40)
	return h
}

// driver attaches the test driver without running Init.
func (h *harness) driver() *harness {
	h.Driver = uitest.Screen(h.t, noInit{h.m}, h.m.c, 120, 40)
	return h
}

// noInit is the screen with an Init that does nothing.
type noInit struct{ *Model }

func (noInit) Init() tea.Cmd { return nil }

func (h *harness) guides() []common.OpenGuideMsg { return uitest.Of[common.OpenGuideMsg](h.Driver) }

func (h *harness) view(w, hgt int) string {
	h.t.Helper()
	h.m.SetSize(w, hgt)
	v := ansi.Strip(h.m.View())
	uitest.CheckSize(h.t, v, w, hgt)
	return v
}

func (h *harness) selectStep(name string) {
	h.t.Helper()
	for i, s := range h.m.steps {
		if s.Name == name && h.m.list.Select(i) {
			return
		}
	}
	h.t.Fatalf("no step %s", name)
}

func TestGoldens(t *testing.T) {
	h := newHarness(t).start()
	h.selectStep(ob.StepProfile)
	h.Goldens(t)
}

// TestGoldenWelcomeWhileChecking is the first thing a new contributor sees: the welcome, with
// every check still running.
func TestGoldenWelcomeWhileChecking(t *testing.T) {
	h := newHarness(t)
	// Deliver only the load: the checks are still running.
	h.m.Update(h.m.Init()())
	if !h.m.welcome {
		t.Fatal("no welcome on a first run")
	}
	for _, size := range uitest.Sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			golden.RequireEqual(t, []byte(h.view(size[0], size[1])))
		})
	}
	h.m.cancelAll()
}

func TestGoldenProfileForm(t *testing.T) {
	h := newHarness(t).start()
	h.selectStep(ob.StepProfile)
	h.Key("enter")
	if !h.m.Capturing() {
		t.Fatal("form not open")
	}
	h.Goldens(t)
}

func TestLoadChecksEverythingAndPersists(t *testing.T) {
	h := newHarness(t).start()
	for name, n := range h.checks {
		if n.Load() != 1 {
			t.Errorf("%s checked %d times", name, n.Load())
		}
	}
	done, total, err := ob.Progress(h.ws)
	if err != nil || done != 5 || total != 10 {
		t.Fatalf("Progress = %d/%d %v, want 5/10", done, total, err)
	}
	if !ob.Started(h.ws) {
		t.Error("welcome not recorded")
	}
	if v := h.view(120, 40); !strings.Contains(v, "5 of 10 done") {
		t.Errorf("header:\n%s", v)
	}

	// A second session shows the remembered results while it checks again, without welcome.
	h2 := newHarness(t)
	h2.m.c.Workspace, h2.ws = h.ws, h.ws
	msg := h2.m.Init()()
	h2.m.Update(msg)
	if h2.m.welcome {
		t.Error("welcome again")
	}
	st := h2.m.state[ob.StepDeps]
	if !st.known || !st.stale || st.result.Status != ob.StatusFail {
		t.Errorf("remembered state: %+v", st)
	}
	h2.m.list.Select(6)
	if v := h2.view(120, 40); !strings.Contains(v, "last session; checking again") {
		t.Errorf("stale result not marked:\n%s", v)
	}
	h2.m.cancelAll()
}

func TestKeys(t *testing.T) {
	h := newHarness(t).start()

	// The wizard opens on the next step to do: the profile (steps 1-3 pass).
	if h.m.list.Index() != 3 {
		t.Fatalf("opened on step %d, want the profile's", h.m.list.Index()+1)
	}
	h.Key("g")
	h.Key("j")
	h.Key("down")
	if h.m.list.Index() != 2 {
		t.Fatalf("selected %d", h.m.list.Index())
	}
	h.Key("k")
	h.Key("G")
	if h.m.list.Index() != len(h.m.steps)-1 {
		t.Fatalf("G: %d", h.m.list.Index())
	}
	h.Key("g")
	if h.m.list.Index() != 0 {
		t.Fatalf("g: %d", h.m.list.Index())
	}
	h.m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	h.m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	h.m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if h.m.list.Index() != 3 { // the wheel moves three rows, like every list
		t.Fatalf("wheel: %d", h.m.list.Index())
	}
	h.Key("g")

	// enter on a passing step continues with the next step to do; r re-checks.
	h.Key("enter")
	if h.m.list.Index() != 3 {
		t.Errorf("enter on a done step went to step %d, want 4", h.m.list.Index()+1)
	}
	h.Key("g")
	h.Key("r")
	if n := h.checks[ob.StepTools].Load(); n != 2 {
		t.Errorf("tools checked %d times, want 2", n)
	}
	// a re-checks all.
	h.Key("a")
	if n := h.checks[ob.StepDeps].Load(); n != 2 {
		t.Errorf("deps checked %d times, want 2", n)
	}
	// o opens the step's guide with its anchor.
	h.Key("o")
	if len(h.guides()) != 1 || h.guides()[0].Slug != "set-up-your-environment" || h.guides()[0].Anchor != "install-the-tools" {
		t.Errorf("guides: %+v", h.guides())
	}
	// enter on a failing step with a fix that needs no answers runs it, then re-checks.
	h.selectStep(ob.StepDeps)
	h.Key("enter")
	if len(h.fixes[ob.StepDeps]) != 1 || h.checks[ob.StepDeps].Load() != 3 {
		t.Errorf("deps fix %v, checks %d", h.fixes[ob.StepDeps], h.checks[ob.StepDeps].Load())
	}
	// enter on a step an earlier one blocks goes to that step: dbt debug needs the profile.
	h.selectStep(ob.StepDebug)
	if v := h.view(120, 40); !strings.Contains(v, `Waits for step 4, "dbt profile for your sandbox"`) || strings.Contains(v, "profiles.yml file [ERROR not found]") {
		t.Errorf("blocked step:\n%s", v)
	}
	h.Key("enter")
	if n := h.checks[ob.StepDebug].Load(); n != 2 || h.m.list.Index() != 3 {
		t.Errorf("debug checked %d times, selected step %d", n, h.m.list.Index()+1)
	}
	// Messages of other owners and stale task results change nothing.
	before := *h.m.state[ob.StepDebug]
	h.m.Update(tasks.DoneMsg{ID: 999, Owner: "prs", Result: checkResult{}})
	h.m.Update(tasks.DoneMsg{ID: 999, Owner: ID, Result: fixResult{name: ob.StepDebug, fixErr: os.ErrPermission}})
	if after := *h.m.state[ob.StepDebug]; after.fixErr != nil || after.result != before.result {
		t.Error("a stale result changed the step")
	}
}

func TestGuideStep(t *testing.T) {
	h := newHarness(t)
	// The guide step fails until the guide is opened.
	h.m.steps[9].Check = func(ctx context.Context) ob.Result {
		st, _ := ob.LoadProgress(h.ws)
		if st.GuideReadAt.IsZero() {
			return ob.Result{Status: ob.StatusFail, Detail: "not read yet"}
		}
		return ob.Result{Status: ob.StatusOK, Detail: "read"}
	}
	h.start()
	h.selectStep(ob.StepGuide)
	h.Key("enter")
	if len(h.guides()) != 1 || h.guides()[0].Slug != ob.GettingStartedGuide {
		t.Fatalf("enter did not open the guide: %+v", h.guides())
	}
	h.Send(common.GuideOpenedMsg{Slug: "some-other-guide"})
	if h.m.state[ob.StepGuide].result.Status != ob.StatusFail {
		t.Fatal("another guide completed the step")
	}
	h.Send(common.GuideOpenedMsg{Slug: ob.GettingStartedGuide})
	if h.m.state[ob.StepGuide].result.Status != ob.StatusOK {
		t.Fatalf("guide step: %+v", h.m.state[ob.StepGuide].result)
	}
}

func TestProfileFormRunsTheFix(t *testing.T) {
	h := newHarness(t).start()
	h.selectStep(ob.StepProfile)
	h.Key("enter")
	if !h.m.Capturing() {
		t.Fatal("form not open")
	}
	// q and digits go to the form while it is open (Capturing), not to the root.
	h.Type("ab12345")
	h.Key("enter")
	h.Type("jane.doe@example.com")
	h.Key("enter")
	h.Key("enter") // auth: SSO (the default)
	// the key file question is hidden for SSO
	h.Key("enter") // role: TRANSFORMER (default)
	h.Type("TRANSFORMING")
	h.Key("enter")
	// The database field names the sandbox the user above gets, not the pattern.
	if v := h.view(120, 40); !strings.Contains(v, "SANDBOX_JANE_DOE (from your user") {
		t.Errorf("database help:\n%s", v)
	}
	h.Key("enter") // database: default (the sandbox)
	h.Key("enter") // schema: PUBLIC
	// Before anything is written, the change to profiles.yml is shown.
	v := h.view(120, 40)
	for _, want := range []string{"Write your dev target to ~/.dbt/profiles.yml?", "+ shop:", "+       database: SANDBOX_JANE_DOE", "+       authenticator: externalbrowser", "y write"} {
		if !strings.Contains(v, want) {
			t.Errorf("preview lacks %q:\n%s", want, v)
		}
	}
	if len(h.fixes[ob.StepProfile]) != 0 {
		t.Fatal("the fix ran before the preview was answered")
	}
	// No goes back to the form with every answer kept; yes writes.
	h.Key("n")
	if h.m.form == nil || h.m.form.input()["warehouse"] != "TRANSFORMING" || h.m.form.input()["account"] != "ab12345" {
		t.Fatalf("no to the preview lost the answers: %+v", h.m.form)
	}
	h.Key("enter")
	h.Key("y")
	if h.m.Capturing() {
		t.Fatalf("form still open:\n%s", h.view(120, 40))
	}
	got := h.fixes[ob.StepProfile]
	if len(got) != 1 {
		t.Fatalf("fix calls: %v", got)
	}
	in := got[0]
	want := ob.Input{"account": "ab12345", "user": "jane.doe@example.com", "auth": snowflake.AuthSSO, "role": "TRANSFORMER", "warehouse": "TRANSFORMING", "database": "", "schema": "PUBLIC"}
	for k, v := range want {
		if in[k] != v {
			t.Errorf("input %s = %q, want %q", k, in[k], v)
		}
	}
}

func TestProfileFormEscWritesNothing(t *testing.T) {
	h := newHarness(t).start()
	h.selectStep(ob.StepProfile)
	h.Key("enter")
	h.Type("ab")
	h.Key("esc")
	if h.m.Capturing() || len(h.fixes[ob.StepProfile]) != 0 {
		t.Fatal("esc did not cancel the form")
	}
	// A required answer left empty keeps the form open, on that field.
	h.Key("enter")
	h.Key("enter")
	if !h.m.Capturing() || h.m.form.focus != 0 || !strings.Contains(h.view(120, 40), "snowflake account is needed") {
		t.Errorf("empty account accepted:\n%s", h.view(120, 40))
	}
}

// TestGitIdentityFormKeepsWhatWasTyped: a bad e-mail is refused where it is typed; the form
// stays open with the name and the e-mail as typed, and a corrected e-mail runs the fix.
func TestGitIdentityFormKeepsWhatWasTyped(t *testing.T) {
	h := newHarnessWith(t, map[string]ob.Result{ob.StepGitHub: {Status: ob.StatusFail, Detail: "git does not know who you are", Fixable: true}}).start()
	h.selectStep(ob.StepGitHub)
	h.Key("enter")
	h.Type("Jane Doe")
	h.Key("enter")
	h.Type("jane.doe@")
	h.Key("enter")
	if h.m.form == nil {
		t.Fatal("a bad e-mail closed the form")
	}
	in := h.m.form.input()
	if in["name"] != "Jane Doe" || in["email"] != "jane.doe@" || h.m.form.focus != 1 {
		t.Errorf("answers %v, focus %d", in, h.m.form.focus)
	}
	h.Goldens(t)
	h.Type("example.com")
	h.Key("enter")
	if h.m.form != nil || len(h.fixes[ob.StepGitHub]) != 1 || h.fixes[ob.StepGitHub][0]["email"] != "jane.doe@example.com" {
		t.Errorf("fix: %v", h.fixes[ob.StepGitHub])
	}
}

func TestTinySizes(t *testing.T) {
	h := newHarness(t).start()
	for _, s := range [][2]int{{1, 1}, {10, 3}, {29, 7}, {30, 8}, {99, 12}, {100, 12}} {
		h.view(s[0], s[1])
	}
	h.m.SetSize(0, 0)
	if h.m.View() != "" {
		t.Error("0x0 view not empty")
	}
}

func TestScreenContract(t *testing.T) {
	h := newHarness(t)
	var s common.Screen = h.m
	if s.ID() != "onboard" || s.Title() != "Onboarding" || len(s.KeyMap()) == 0 || len(s.Actions()) == 0 {
		t.Error("screen contract")
	}
	h.driver()
	h.Run(s.Actions()[0].Run())
	if h.checks[ob.StepTools].Load() != 1 {
		t.Error("the palette's re-check-all action did not check")
	}
}

func TestCardLines(t *testing.T) {
	h := newHarness(t)
	cl, err := CardLines(context.Background(), h.ws)
	lines := styles.PlainLines(cl, fixedNow)
	if err != nil || !strings.HasPrefix(lines[0], "Not started") {
		t.Fatalf("%v %v", lines, err)
	}
	h.start()
	cl, err = CardLines(context.Background(), h.ws)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(styles.PlainLines(cl, fixedNow), "\n")
	for _, want := range []string{"5 of 10 done", "✗ dbt profile for your sandbox", "? Warehouse login and role", "… and 2 more", "Onboarding tab"} {
		if !strings.Contains(got, want) {
			t.Errorf("card lacks %q:\n%s", want, got)
		}
	}
}

func TestEnterRechecksWhenTheFixCannotHelp(t *testing.T) {
	canned[ob.StepGitHub] = ob.Result{Status: ob.StatusFail, Detail: "not signed in"}
	defer func() {
		canned[ob.StepGitHub] = ob.Result{Status: ob.StatusOK, Detail: "git identity set, signed in to GitHub"}
	}()
	h := newHarness(t).start()
	h.selectStep(ob.StepGitHub)
	h.Key("enter")
	if h.m.Capturing() || len(h.fixes[ob.StepGitHub]) != 0 || h.checks[ob.StepGitHub].Load() != 2 {
		t.Errorf("enter: form=%v fixes=%v checks=%d", h.m.Capturing(), h.fixes[ob.StepGitHub], h.checks[ob.StepGitHub].Load())
	}
}

// TestRealChecksOnTheDemo runs the screen as the app does (New, real checks) on the demo
// workspace: the local warehouse steps pass, and the view renders what was found.
func TestRealChecksOnTheDemo(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // nothing installed: the tools step must say so
	ws, err := demo.Discover(workspace.Options{StateHome: t.TempDir()}, true)
	if err != nil {
		t.Fatal(err)
	}
	c := &common.Common{Ctx: context.Background(), Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(context.Background())}
	h := &harness{t: t, ws: ws}
	h.m = New(c)
	h.start()
	for name, want := range map[string]ob.Status{ob.StepTools: ob.StatusFail, ob.StepProfile: ob.StatusOK, ob.StepWarehouse: ob.StatusOK, ob.StepSandbox: ob.StatusOK, ob.StepDeps: ob.StatusSkip} {
		if got := h.m.state[name].result.Status; got != want {
			t.Errorf("%s: %s (%s), want %s", name, got, h.m.state[name].result.Detail, want)
		}
	}
	h.selectStep(ob.StepTools)
	if v := h.view(120, 40); !strings.Contains(v, "git is not installed") || !strings.Contains(v, "dbt is not installed") {
		t.Errorf("view:\n%s", v)
	}
}

// installHarness is a machine without dbt, with uv on PATH: the tools step fails, its fix
// installs dbt after asking; fix streams lines and returns fixErr.
func installHarness(t *testing.T, fixErr error) *harness {
	t.Helper()
	h := newHarness(t)
	bin := filepath.Join(h.ws.ProjectDir, "nobin")
	os.MkdirAll(bin, 0o755)
	os.WriteFile(filepath.Join(bin, "uv"), []byte("#!/bin/sh\n"), 0o755)
	s, _ := ob.Find(h.m.steps, ob.StepTools)
	s.Check = func(context.Context) ob.Result {
		return ob.Result{Status: ob.StatusFail, Fixable: true, Detail: "dbt is not installed. Install it: the fix runs uv tool install dbt-core --with dbt-snowflake", Checked: "git 2.43.0, editor vim"}
	}
	s.Fix = func(ctx context.Context, in ob.Input) error {
		h.fixes[s.Name] = append(h.fixes[s.Name], in)
		out := ob.Output(ctx)
		out("$ uv tool install dbt-core --with dbt-snowflake")
		out("Resolved 27 packages in 812ms")
		return fixErr
	}
	return h.start()
}

// TestInstallAsksFirst: enter on the tools step says what it will run and asks; n leaves
// everything as it was, y installs.
func TestInstallAsksFirst(t *testing.T) {
	h := installHarness(t, nil)
	h.selectStep(ob.StepTools)
	h.Key("enter")
	if h.m.dialog == nil || !h.m.Capturing() {
		t.Fatal("no confirmation before the install")
	}
	v := h.view(120, 40)
	for _, want := range []string{"Install dbt with uv?", "uv tool install dbt-core --with dbt-snowflake", "y install"} {
		if !strings.Contains(v, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, v)
		}
	}
	h.Goldens(t)
	h.Key("j") // not an answer
	if h.m.dialog == nil || len(h.fixes[ob.StepTools]) != 0 {
		t.Fatal("a stray key answered the dialog")
	}
	h.Key("n")
	if h.m.dialog != nil || len(h.fixes[ob.StepTools]) != 0 {
		t.Fatal("n must close the dialog without installing")
	}
	h.Key("enter")
	h.Key("y")
	if len(h.fixes[ob.StepTools]) != 1 {
		t.Fatalf("fix ran %d times", len(h.fixes[ob.StepTools]))
	}
	if out := h.m.state[ob.StepTools].output; len(out) != 2 || out[1] != "Resolved 27 packages in 812ms" {
		t.Errorf("streamed output: %q", out)
	}
}

// TestInstallFailureShownInFull: a failing install's error is shown whole and the wizard
// keeps working.
func TestInstallFailureShownInFull(t *testing.T) {
	h := installHarness(t, fmt.Errorf("uv tool install dbt-core --with dbt-snowflake failed (exit status 1):\n  × No solution found when resolving tool dependencies:\n  ╰─▶ Because dbt-core was not found in the package registry, your requirements are unsatisfiable."))
	h.selectStep(ob.StepTools)
	h.Key("enter", "y")
	v := h.view(120, 40)
	for _, want := range []string{"Install dbt failed", "No solution found", "requirements are unsatisfiable"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	h.Key("j")
	if h.m.list.Index() != 1 {
		t.Error("the wizard stopped answering after a failed install")
	}
}

// TestGoldenPlainError: a login that timed out is said in plain words with the guide section
// that helps, the raw error is one key away, and the sandbox step waits for the login
// instead of repeating its error.
func TestGoldenPlainError(t *testing.T) {
	timeout := ob.Result{Status: ob.StatusFail, Detail: "The server did not answer in time. You may need the company VPN, or the network is slow: check the connection and try again.",
		Raw:   `logging in to Snowflake: Post "https://ab12345.snowflakecomputing.com:443/session/v1/login-request": dial tcp 10.0.0.7:443: i/o timeout`,
		Guide: "set-up-your-environment", Anchor: "when-something-goes-wrong"}
	h := newHarnessWith(t, map[string]ob.Result{
		ob.StepProfile:   {Status: ob.StatusOK, Detail: "dev target (snowflake) builds in database SANDBOX_JANE_DOE"},
		ob.StepWarehouse: timeout,
		ob.StepSandbox:   timeout,
	}).start()
	if h.m.selectedStep().Name != ob.StepWarehouse {
		t.Fatalf("opened on %s, want the warehouse step", h.m.selectedStep().Name)
	}
	h.Key("e")
	h.Goldens(t)
	h.Key("o")
	if g := h.guides(); len(g) != 1 || g[0].Slug != "set-up-your-environment" || g[0].Anchor != "when-something-goes-wrong" {
		t.Errorf("o opened %+v, want the troubleshooting section", g)
	}
	h.selectStep(ob.StepSandbox)
	v := h.view(120, 40)
	if !strings.Contains(v, `Waits for step 5, "Warehouse login and role"`) || strings.Contains(v, "did not answer in time") {
		t.Errorf("the sandbox step repeats the login's error:\n%s", v)
	}
}

// TestGoldenProfilePreview: before profiles.yml is written, the wizard shows the change.
func TestGoldenProfilePreview(t *testing.T) {
	h := newHarness(t).start()
	h.selectStep(ob.StepProfile)
	h.Key("enter")
	for _, answer := range []string{"ab12345", "jane.doe@example.com", "", "", "TRANSFORMING", "", ""} {
		h.Type(answer)
		h.Key("enter")
	}
	if h.m.dialog == nil {
		t.Fatalf("no preview:\n%s", h.view(120, 40))
	}
	h.Goldens(t)
}

// TestFirstBuildChoosesOnTheList: the first build's model is chosen on the shared list,
// each model saying why it is offered; / filters a long list.
func TestFirstBuildChoosesOnTheList(t *testing.T) {
	h := newHarnessWith(t, map[string]ob.Result{
		ob.StepDeps:  {Status: ob.StatusOK, Detail: "packages installed"},
		ob.StepDebug: {Status: ob.StatusOK, Detail: "all checks passed"},
	})
	s, _ := ob.Find(h.m.steps, ob.StepFirstBuild)
	s.Fields = func() []ob.Field {
		return []ob.Field{{Key: "model", Title: "Model to build first", Optional: true, Default: "stg_customers",
			Help:    "datatui suggests stg_customers: it reads one seed. enter builds the one chosen with dbt build -s <model> in your sandbox.",
			Options: []string{"stg_customers", "stg_locations", "stg_orders", "stg_products", "stg_supplies"},
			Notes:   map[string]string{"stg_customers": "reads one seed (raw_customers), 12 lines", "stg_orders": "reads one source (ecom.raw_orders), 30 lines"}}}
	}
	h.start()
	h.selectStep(ob.StepFirstBuild)
	h.Key("enter")
	if h.m.form == nil {
		t.Fatal("no form")
	}
	h.Goldens(t)
	h.Key("/")
	h.Type("ord")
	h.Key("enter") // closes the filter, keeping the match selected
	h.Key("enter") // builds it
	if got := h.fixes[ob.StepFirstBuild]; len(got) != 1 || got[0]["model"] != "stg_orders" {
		t.Errorf("fix: %v", got)
	}
}
