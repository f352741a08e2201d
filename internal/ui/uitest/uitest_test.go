package uitest

import (
	"context"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// counter is a screen that loads a number in a task, streams events, and records what it got.
type counter struct {
	c      *common.Common
	load   tasks.Ref[int]
	events []any
	got    []int
	others int // task messages that were not its own
	w, h   int
}

func (s *counter) ID() string               { return "counter" }
func (s *counter) Title() string            { return "Counter" }
func (s *counter) KeyMap() []key.Binding    { return nil }
func (s *counter) Actions() []common.Action { return nil }
func (s *counter) Capturing() bool          { return false }
func (s *counter) SetSize(w, h int)         { s.w, s.h = w, h }
func (s *counter) Init() tea.Cmd            { return s.start(1) }

func (s *counter) start(n int) tea.Cmd {
	var cmd tea.Cmd
	s.load, cmd = tasks.Start(s.c.Tasks, tasks.Spec{Owner: "counter", Slot: "load"}, func(_ context.Context, emit tasks.Emit) (int, error) {
		emit("half")
		return n, nil
	})
	return cmd
}

func (s *counter) Update(msg tea.Msg) tea.Cmd {
	if out, ok := s.load.Done(msg); ok {
		s.got = append(s.got, out.Value)
		// A status for the root, a timer that must not be waited for, and a sequence.
		return tea.Batch(common.Status(common.StatusInfo, "loaded"), tea.Tick(time.Hour, func(time.Time) tea.Msg { return nil }))
	}
	if ev, ok := s.load.Event(msg); ok {
		s.events = append(s.events, ev)
		return nil
	}
	switch msg := msg.(type) {
	case tasks.DoneMsg, tasks.EventMsg:
		s.others++
	case tea.KeyPressMsg:
		switch msg.String() {
		case "r":
			return s.start(len(s.got) + 1)
		case "o":
			// A task owned by another screen: its result must not come here.
			_, cmd := tasks.Start(s.c.Tasks, tasks.Spec{Owner: "elsewhere"}, func(context.Context, tasks.Emit) (int, error) { return 9, nil })
			return tea.Sequence(cmd, func() tea.Msg { return common.SwitchScreenMsg{ID: "home"} })
		}
	}
	return nil
}

func (s *counter) View() string {
	return text.Block([]string{"loaded " + text.Plural(len(s.got), "time", "times")}, s.w, s.h)
}

func newCounter(t *testing.T) (*Driver, *counter) {
	c := &common.Common{Ctx: context.Background(), Tasks: tasks.NewManager(context.Background())}
	s := &counter{c: c}
	return Screen(t, s, c, 30, 3), s
}

func TestScreenDriverPlaysTheRoot(t *testing.T) {
	d, s := newCounter(t)
	if len(s.got) != 1 || s.got[0] != 1 || len(s.events) != 1 {
		t.Fatalf("Init's task: got %v events %v", s.got, s.events)
	}
	if d.Timers != 1 {
		t.Fatalf("timers %d: the hour-long tick must be dropped, not waited for", d.Timers)
	}
	if st := d.Statuses(); len(st) != 1 || st[0] != "loaded" {
		t.Fatalf("statuses %v", st)
	}
	d.Key("r")
	if len(s.got) != 2 || s.got[1] != 2 {
		t.Fatalf("after r: %v", s.got)
	}
	d.Key("o")
	if s.others != 0 {
		t.Fatal("another owner's task result reached the screen")
	}
	if len(Of[common.SwitchScreenMsg](d)) != 1 {
		t.Fatal("the sequence was not expanded")
	}
	if !strings.HasPrefix(d.View(), "loaded 2 times") {
		t.Fatalf("view %q", d.View())
	}
	CheckSize(t, d.View(), 30, 3)
}

func TestKeyMsg(t *testing.T) {
	for _, name := range []string{"j", "G", "enter", "esc", "tab", "shift+tab", "ctrl+c", "ctrl+k", "pgdown", "space", "/", "?", "alt+backspace"} {
		if got := KeyMsg(name).String(); got != name {
			t.Errorf("KeyMsg(%q).String() = %q", name, got)
		}
	}
}
