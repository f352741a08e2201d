// Package uitest is the one test driver for datatui's screens and for the whole app. It runs a
// model the way the program would, but synchronously and deterministically:
//
//   - every command is run and its message fed back, batches and sequences expanded, until
//     nothing is left to run (Settle);
//   - timers (tea.Tick, tea.Every, a cursor's blink) are never waited for: they are counted in
//     Timers and dropped, so a test never sleeps and a status message never expires mid-test;
//   - when it drives a single screen it plays the root: task events and results go through the
//     task manager (tasks.Manager.Handle) and reach the screen only when it owns them, and the
//     messages the root keeps for itself (status, screen switches, published changes) are
//     recorded instead of fed back;
//   - after settling, the manager's busy counter must be zero: a task still running with
//     nobody reading it is a bug the driver reports (lazygit's busy-counter idea);
//   - Goldens renders at the sizes the team designs for (80×24 and 120×40), checks the view
//     fills exactly the size, and compares it without colours with x/exp/golden (-update
//     rewrites them).
//
// For a real program (teatest) wrap the model with Record to wait for what is on screen, and
// use WaitIdle, which waits on the same busy counter.
package uitest

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// Sizes are the terminal sizes goldens are made at.
var Sizes = [][2]int{{80, 24}, {120, 40}}

// cmdTimeout bounds one command: a command that blocks this long is waiting for something the
// test never provides.
const cmdTimeout = 20 * time.Second

// Driver drives one model. Create it with Screen or App.
type Driver struct {
	t      testing.TB
	update func(tea.Msg) tea.Cmd
	view   func() string
	resize func(w, h int) tea.Cmd
	tasks  *tasks.Manager
	owner  string // the screen's id when driving a screen; "" for the app
	w, h   int

	// Msgs is every message the commands produced, in order.
	Msgs []tea.Msg
	// Timers counts the timer commands that were dropped.
	Timers int
	// Quit is set once a command asked the program to quit.
	Quit bool
}

// Screen drives screen s as the root would, sized w×h, after running its Init. c must be the
// Common the screen was built with (its task manager is used).
func Screen(t testing.TB, s common.Screen, c *common.Common, w, h int) *Driver {
	t.Helper()
	d := &Driver{t: t, update: s.Update, view: s.View, tasks: c.Tasks, owner: s.ID(), w: w, h: h}
	d.resize = func(w, h int) tea.Cmd {
		c.Width, c.Height = w, h
		s.SetSize(w, h)
		return s.Update(tea.WindowSizeMsg{Width: w, Height: h})
	}
	s.SetSize(w, h)
	c.Width, c.Height = w, h
	d.Run(s.Init())
	return d
}

// App drives a root model (which routes task messages itself) at w×h: it runs Init, then
// sends the window size. mgr is the app's task manager, for the busy check.
func App(t testing.TB, m tea.Model, mgr *tasks.Manager, w, h int) *Driver {
	t.Helper()
	d := &Driver{t: t, tasks: mgr, w: w, h: h}
	d.update = func(msg tea.Msg) tea.Cmd {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		return cmd
	}
	d.view = func() string { return m.View().Content }
	d.resize = func(w, h int) tea.Cmd { return d.update(tea.WindowSizeMsg{Width: w, Height: h}) }
	d.Run(m.Init())
	d.Run(d.resize(w, h))
	return d
}

// Send delivers msg to the model and settles what follows.
func (d *Driver) Send(msg tea.Msg) {
	d.t.Helper()
	var queue []tea.Cmd
	d.deliver(msg, &queue)
	d.settle(queue)
}

// Run runs cmd and everything it leads to.
func (d *Driver) Run(cmd tea.Cmd) {
	d.t.Helper()
	d.settle([]tea.Cmd{cmd})
}

// Key presses keys by name ("j", "enter", "ctrl+c", "shift+tab", "space"), settling after each.
func (d *Driver) Key(names ...string) {
	d.t.Helper()
	for _, n := range names {
		d.Send(KeyMsg(n))
	}
}

// Type types s one character at a time.
func (d *Driver) Type(s string) {
	d.t.Helper()
	for _, r := range s {
		if r == ' ' {
			d.Send(KeyMsg("space"))
			continue
		}
		d.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// Resize gives the model a new size and settles what the resize starts.
func (d *Driver) Resize(w, h int) {
	d.t.Helper()
	d.w, d.h = w, h
	d.Run(d.resize(w, h))
}

// View is the current frame without colours.
func (d *Driver) View() string { return ansi.Strip(d.view()) }

// Styled is the current frame with its escape sequences.
func (d *Driver) Styled() string { return d.view() }

// Golden checks the frame fills the current size and compares it with the test's golden file.
func (d *Driver) Golden(t *testing.T) {
	t.Helper()
	v := d.View()
	CheckSize(t, v, d.w, d.h)
	golden.RequireEqual(t, []byte(v))
}

// Goldens makes a golden at each of Sizes, as subtests named "80x24" and "120x40".
func (d *Driver) Goldens(t *testing.T) {
	t.Helper()
	outer := d.t
	defer func() { d.t = outer }()
	for _, s := range Sizes {
		t.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(t *testing.T) {
			d.t = t
			d.Resize(s[0], s[1])
			d.Golden(t)
		})
	}
}

// Statuses are the status-bar texts the commands produced.
func (d *Driver) Statuses() []string {
	var out []string
	for _, m := range Of[common.StatusMsg](d) {
		out = append(out, m.Text)
	}
	return out
}

// Reset forgets the messages recorded so far.
func (d *Driver) Reset() { d.Msgs, d.Timers, d.Quit = nil, 0, false }

// Of lists the recorded messages of type T.
func Of[T any](d *Driver) []T {
	var out []T
	for _, m := range d.Msgs {
		if v, ok := m.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// settle runs the queue until it is empty, then checks that no task is left running.
func (d *Driver) settle(queue []tea.Cmd) {
	d.t.Helper()
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100000 {
			d.t.Fatal("commands do not settle: something re-arms itself forever")
		}
		cmd := queue[0]
		queue = queue[1:]
		if cmd == nil {
			continue
		}
		if isTimer(cmd) {
			d.Timers++
			continue
		}
		msg := d.call(cmd)
		if msg == nil {
			continue
		}
		if cmds, ok := asCmds(msg); ok {
			queue = append(queue, cmds...)
			continue
		}
		d.deliver(msg, &queue)
	}
	if d.tasks != nil && d.tasks.Busy() != 0 {
		d.t.Fatalf("%s still running after every command ran: %+v", text.Plural(d.tasks.Busy(), "task", "tasks"), d.tasks.Running())
	}
}

// deliver records msg and hands it to the model as the program (and, for a screen, the root)
// would, queueing what it returns.
func (d *Driver) deliver(msg tea.Msg, queue *[]tea.Cmd) {
	d.Msgs = append(d.Msgs, msg)
	if _, ok := msg.(tea.QuitMsg); ok {
		d.Quit = true
		return
	}
	if d.owner != "" {
		if owner, next, ok := d.tasks.Handle(msg); ok {
			*queue = append(*queue, next)
			if owner == d.owner {
				*queue = append(*queue, d.update(msg))
			}
			return
		}
		switch msg.(type) {
		case common.StatusMsg, common.SwitchScreenMsg, common.ChangedMsg:
			return // the root's, not the screen's
		}
	}
	*queue = append(*queue, d.update(msg))
}

// call runs cmd, failing the test when it never returns.
func (d *Driver) call(cmd tea.Cmd) tea.Msg {
	d.t.Helper()
	res := make(chan tea.Msg, 1)
	go func() { res <- cmd() }()
	select {
	case msg := <-res:
		return msg
	case <-time.After(cmdTimeout):
		d.t.Fatalf("a command (%s) did not return in %v", funcName(cmd), cmdTimeout)
		return nil
	}
}

// asCmds expands tea.BatchMsg and tea.Sequence's (unexported) message.
func asCmds(msg tea.Msg) ([]tea.Cmd, bool) {
	if b, ok := msg.(tea.BatchMsg); ok {
		return b, true
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		out := make([]tea.Cmd, v.Len())
		for i := range out {
			out[i] = v.Index(i).Interface().(tea.Cmd)
		}
		return out, true
	}
	return nil, false
}

// timerFuncs name the closures that only wait for a clock.
var timerFuncs = []string{
	"charm.land/bubbletea/v2.Tick.",
	"charm.land/bubbletea/v2.Every.",
	"charm.land/bubbles/v2/cursor.(*Model).Blink.",
}

func isTimer(cmd tea.Cmd) bool {
	name := funcName(cmd)
	for _, p := range timerFuncs {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func funcName(cmd tea.Cmd) string {
	if f := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()); f != nil {
		return f.Name()
	}
	return "?"
}

// KeyMsg is the key press Bubble Tea sends for a key name.
func KeyMsg(name string) tea.KeyPressMsg {
	var mod tea.KeyMod
	base := name
	for {
		switch {
		case strings.HasPrefix(base, "ctrl+"):
			mod |= tea.ModCtrl
			base = base[5:]
			continue
		case strings.HasPrefix(base, "alt+"):
			mod |= tea.ModAlt
			base = base[4:]
			continue
		case strings.HasPrefix(base, "shift+"):
			mod |= tea.ModShift
			base = base[6:]
			continue
		}
		break
	}
	codes := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "backspace": tea.KeyBackspace,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"delete": tea.KeyDelete, "space": tea.KeySpace,
	}
	if code, ok := codes[base]; ok {
		k := tea.KeyPressMsg{Code: code, Mod: mod}
		if base == "space" && mod == 0 {
			k.Text = " "
		}
		return k
	}
	r := []rune(base)[0]
	if mod&(tea.ModCtrl|tea.ModAlt) != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: base}
}

// CheckSize fails t unless view is exactly w columns by h lines.
func CheckSize(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d:\n%s", len(lines), h, view)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, got, w, l)
		}
	}
}

// WaitIdle waits until mgr has no busy task (every result taken by the root), for teatest
// flows that run the real program.
func WaitIdle(t testing.TB, mgr *tasks.Manager, timeout time.Duration) {
	t.Helper()
	select {
	case <-mgr.Idle():
	case <-time.After(timeout):
		t.Fatalf("tasks still busy after %v: %+v", timeout, mgr.Running())
	}
}

// Recorder wraps the model of a real program (teatest) and keeps the last frame it drew, so a
// flow can wait for what is on screen rather than for bytes in the terminal stream: the
// renderer sends only the cells that changed, so text on screen is often not contiguous in
// the stream.
type Recorder struct {
	tea.Model
	frame atomic.Pointer[string]
}

// Record wraps m.
func Record(m tea.Model) *Recorder { return &Recorder{Model: m} }

// Update forwards to the model and keeps the wrapper in the program.
func (r *Recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := r.Model.Update(msg)
	r.Model = m
	return r, cmd
}

// View draws the model and keeps the frame (without colours).
func (r *Recorder) View() tea.View {
	v := r.Model.View()
	s := ansi.Strip(v.Content)
	r.frame.Store(&s)
	return v
}

// Frame is the last frame drawn.
func (r *Recorder) Frame() string {
	if s := r.frame.Load(); s != nil {
		return *s
	}
	return ""
}

// WaitFor waits until the frame on screen contains every one of texts.
func (r *Recorder) WaitFor(t testing.TB, timeout time.Duration, texts ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		f := r.Frame()
		ok := true
		for _, s := range texts {
			ok = ok && strings.Contains(f, s)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the screen does not show %q:\n%s", timeout, texts, f)
		}
		time.Sleep(5 * time.Millisecond) // polling the frame; nothing here depends on timing
	}
}
