package ui

import (
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/screens/prs"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// Update routes a message. The order matters:
//  1. a task's events and result go to the screen that started it, and only to it;
//  2. window, theme and the root's own messages;
//  3. a change published by one screen goes to the screens that subscribed to its topic;
//  4. an open overlay (help, palette, message log) takes every key;
//  5. global keys, unless the active screen is capturing text;
//  6. keys and mouse go to the active screen only; everything else is broadcast.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if owner, next, ok := m.c.Tasks.Handle(msg); ok {
		return m, m.taskMsg(msg, owner, next)
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		// Screens were sized by setSize; the message also lets them start work a new size
		// needs (re-wrapping a rendered guide) instead of waiting for the next message.
		return m, m.broadcast(msg)
	case tea.BackgroundColorMsg:
		m.c.Styles = styles.New(msg.IsDark(), m.opts.NoColor)
		m.restyle()
		return m, m.broadcast(msg)
	case common.InfoMsg:
		m.info = msg
		return m, m.broadcast(msg)
	case common.StatusMsg:
		return m, m.setStatus(msg.Kind, msg.Text, msg.Owner)
	case common.ChangedMsg:
		return m, m.publish(msg)
	case statusExpiredMsg:
		if msg.seq == m.status.seq {
			m.status = statusLine{seq: m.status.seq}
		}
		return m, nil
	case common.SwitchScreenMsg:
		return m, m.switchTo(m.indexOf(msg.ID))
	case common.RunDBTMsg:
		cmd := m.broadcast(msg)
		return m, tea.Batch(cmd, m.switchTo(m.indexOf("runs")))
	case common.OpenGuideMsg:
		cmd := m.broadcast(msg)
		return m, tea.Batch(cmd, m.switchTo(m.indexOf("guides")))
	case spinner.TickMsg:
		if len(m.c.Tasks.Running()) == 0 {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case openHelpMsg:
		m.overlay = newHelpOverlay(m)
		m.overlay.setSize(m.c.Width, m.c.Height)
		return m, nil
	case openMessagesMsg:
		m.overlay = newMessageLog(m)
		m.overlay.setSize(m.c.Width, m.c.Height)
		return m, nil
	case prs.NotifyMsg:
		// A watched PR finished: keep it in the window title until the next key, so it is
		// seen even when the terminal is in the background.
		m.titleNote = msg.Text
		return m, m.broadcast(msg)
	case quitNowMsg:
		return m, tea.Quit
	case tea.KeyPressMsg:
		m.titleNote = ""
		return m, m.handleKey(msg)
	case tea.MouseMsg:
		return m, m.handleMouse(msg)
	}
	return m, m.broadcast(msg)
}

// taskMsg delivers a task's event or result to its owner (nobody when the task was dropped
// from its slot) and keeps its reader going.
func (m *Model) taskMsg(msg tea.Msg, owner string, next tea.Cmd) tea.Cmd {
	cmds := []tea.Cmd{next}
	if i := m.find(owner); i >= 0 {
		cmds = append(cmds, m.screens[i].Update(msg))
	}
	if d, ok := msg.(tasks.DoneMsg); ok {
		// Errors of the screen in front go to the status bar too; other screens show their
		// own errors when the person goes there, so background polls cannot flood the bar.
		if owner != "" && d.Err != nil && !d.Cancelled && owner == m.Active().ID() {
			cmds = append(cmds, m.setStatus(common.StatusError, d.Title+": "+d.Err.Error(), owner))
		}
		if m.quitting && len(m.c.Tasks.Running()) == 0 {
			cmds = append(cmds, tea.Quit)
		}
	}
	if len(m.c.Tasks.Running()) > 0 {
		cmds = append(cmds, m.spinner.Tick)
	}
	return tea.Batch(cmds...)
}

// publish tells the screens that subscribed to msg's topic, except the one that published it.
func (m *Model) publish(msg common.ChangedMsg) tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range m.screens {
		sub, ok := s.(common.Subscriber)
		if !ok || s.ID() == msg.From || !slices.Contains(sub.Topics(), msg.Topic) {
			continue
		}
		cmds = append(cmds, s.Update(msg))
	}
	return tea.Batch(cmds...)
}

// broadcast sends msg to every screen.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.screens)+1)
	for _, s := range m.screens {
		cmds = append(cmds, s.Update(msg))
	}
	if len(m.c.Tasks.Running()) > 0 {
		cmds = append(cmds, m.spinner.Tick)
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.overlay != nil {
		done, cmd := m.overlay.update(msg)
		if done {
			m.overlay = nil
		}
		return cmd
	}
	if key.Matches(msg, m.keys.ForceQ) {
		return m.quit(true)
	}
	screen := m.Active()
	if m.tooSmall() {
		if key.Matches(msg, m.keys.Quit) {
			return m.quit(false)
		}
		return nil // nothing else is usable until the window is big enough
	}
	if !screen.Capturing() {
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m.quit(false)
		case key.Matches(msg, m.keys.Help):
			m.overlay = newHelpOverlay(m)
			m.overlay.setSize(m.c.Width, m.c.Height)
			return nil
		case key.Matches(msg, m.keys.Palette):
			m.overlay = newPalette(m)
			m.overlay.setSize(m.c.Width, m.c.Height)
			return nil
		case key.Matches(msg, m.keys.Messages):
			m.overlay = newMessageLog(m)
			m.overlay.setSize(m.c.Width, m.c.Height)
			return nil
		case key.Matches(msg, m.keys.NextTab):
			return m.switchTo((m.active + 1) % len(m.screens))
		case key.Matches(msg, m.keys.PrevTab):
			return m.switchTo((m.active + len(m.screens) - 1) % len(m.screens))
		case key.Matches(msg, m.keys.GotoTab):
			if n := int(msg.Code - '1'); n >= 0 && n < len(m.screens) {
				return m.switchTo(n)
			}
			return nil
		}
	}
	return screen.Update(msg)
}

// quit cancels running work first and quits when it has stopped. With tasks still running a
// second ctrl+c (force) quits at once; otherwise a grace period caps the wait.
func (m *Model) quit(force bool) tea.Cmd {
	running := m.c.Tasks.Running()
	if len(running) == 0 || (force && m.quitting) {
		m.c.Tasks.CancelAll()
		return tea.Quit
	}
	m.quitting = true
	m.c.Tasks.CancelAll()
	return tea.Batch(
		m.setStatus(common.StatusWarning, "Cancelling "+text.Plural(len(running), "running task", "running tasks")+" before quitting… (ctrl+c again to quit now)", ""),
		tea.Tick(5*time.Second, func(time.Time) tea.Msg { return quitNowMsg{} }),
	)
}

// handleMouse switches tabs on a click in the tab bar and passes other mouse events to the
// active screen with coordinates relative to the screen's area.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.overlay != nil {
		return nil
	}
	mouse := msg.Mouse()
	if click, ok := msg.(tea.MouseClickMsg); ok && mouse.Y == 0 {
		for _, h := range m.tabHits {
			if click.X >= h.from && click.X < h.to {
				return m.switchTo(h.index)
			}
		}
		return nil
	}
	mouse.Y--
	switch msg.(type) {
	case tea.MouseClickMsg:
		return m.Active().Update(tea.MouseClickMsg(mouse))
	case tea.MouseWheelMsg:
		return m.Active().Update(tea.MouseWheelMsg(mouse))
	case tea.MouseReleaseMsg:
		return m.Active().Update(tea.MouseReleaseMsg(mouse))
	case tea.MouseMotionMsg:
		return m.Active().Update(tea.MouseMotionMsg(mouse))
	}
	return nil
}

func (m *Model) switchTo(i int) tea.Cmd {
	if i < 0 || i >= len(m.screens) {
		return nil
	}
	m.active = i
	return nil
}

// setStatus shows a message in the status bar (while its owner is in front, when it has one)
// and keeps it in the message log, where it can be read in full.
func (m *Model) setStatus(kind common.StatusKind, msg, owner string) tea.Cmd {
	// Status texts carry errors from the warehouse, GitHub and tools: no secrets, and only
	// terminal-safe text (one line in the bar, the whole message in the log).
	msg = redact.String(msg)
	m.status = statusLine{text: termsafe.Line(msg), kind: kind, owner: owner, seq: m.status.seq + 1}
	m.messages = append(m.messages, logEntry{at: m.c.Now(), text: termsafe.Text(msg), kind: kind, owner: owner})
	if n := len(m.messages); n > maxMessages {
		m.messages = append(m.messages[:0], m.messages[n-maxMessages:]...)
	}
	seq := m.status.seq
	ttl := statusTTL
	if kind == common.StatusError {
		ttl *= 2
	}
	return tea.Tick(ttl, func(time.Time) tea.Msg { return statusExpiredMsg{seq: seq} })
}
