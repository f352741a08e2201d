// Package desktop opens things outside datatui for the person: a file in their editor, a web
// page in their browser. Screens get an Opener through the shared context (common.Common), so
// a test hands them a Recorder and asserts what would have been opened instead of starting an
// editor or a browser.
//
// The editor is chosen the way git chooses one: $VISUAL, then $EDITOR, then vi, each split into
// a program and its arguments ("code --wait"). charmbracelet/x/editor was considered: it reads
// $EDITOR only and falls back to nano, so a person whose git opens $VISUAL would see another
// editor here. The browser follows gh's rules (go-gh's browser package).
package desktop

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/cli/go-gh/v2/pkg/browser"
)

// Opener opens files and pages for the person.
type Opener interface {
	// Browse opens url in the person's browser.
	Browse(url string) error
	// Edit returns the process that edits path with the cursor on line (0: the editor's
	// choice), to be run in the terminal's foreground (the UI hands it to Bubble Tea's Exec,
	// which gives it the terminal until it exits).
	Edit(path string, line int) (Command, error)
}

// Command is a process that takes the terminal: the shape of Bubble Tea's ExecCommand, so
// that this package needs no UI import.
type Command interface {
	Run() error
	SetStdin(io.Reader)
	SetStdout(io.Writer)
	SetStderr(io.Writer)
}

// System opens with the person's own editor and browser.
func System() Opener { return system{getenv: os.Getenv} }

type system struct{ getenv func(string) string }

// Browse uses gh's browser rules: GH_BROWSER, gh's configured browser, BROWSER, then the
// system's opener (xdg-open, open, start).
func (system) Browse(url string) error {
	return browser.New("", io.Discard, io.Discard).Browse(url)
}

func (s system) Edit(path string, line int) (Command, error) {
	argv, err := EditorArgv(s.getenv, path, line)
	if err != nil {
		return nil, err
	}
	return process{exec.Command(argv[0], argv[1:]...)}, nil
}

// EditorArgv is the command line that edits path: $VISUAL, else $EDITOR, else vi, split on
// spaces, with path as the last argument. A line above zero is passed the way the editor
// takes one (lineArgs); an editor datatui does not know opens the file at its own place.
func EditorArgv(getenv func(string) string, path string, line int) ([]string, error) {
	editor := strings.TrimSpace(getenv("VISUAL"))
	if editor == "" {
		editor = strings.TrimSpace(getenv("EDITOR"))
	}
	if editor == "" {
		editor = "vi"
	}
	if path == "" {
		return nil, errors.New("no file to edit")
	}
	argv := strings.Fields(editor)
	if line <= 0 {
		return append(argv, path), nil
	}
	return append(argv, lineArgs(argv[0], path, line)...), nil
}

// lineArgs are the arguments that open path at line for the editor named by program. Each
// family takes the line its own way: the +N of vi, nano and emacs; VS Code's --goto; the
// file:N of Sublime Text, Helix and Zed; JetBrains' --line.
func lineArgs(program, path string, line int) []string {
	n := strconv.Itoa(line)
	// Either separator: $EDITOR may name a Windows path whichever system reads it.
	name := program[strings.LastIndexAny(program, `/\`)+1:]
	name = strings.TrimSuffix(strings.ToLower(name), ".exe")
	switch name {
	case "vi", "vim", "nvim", "gvim", "mvim", "view", "nano", "pico", "emacs", "emacsclient",
		"micro", "kak", "mg", "joe", "jed", "ne", "gedit", "kate":
		return []string{"+" + n, path}
	case "code", "code-insiders", "codium", "vscodium", "cursor", "windsurf":
		return []string{"--goto", path + ":" + n}
	case "subl", "sublime_text", "hx", "helix", "zed", "zeditor":
		return []string{path + ":" + n}
	case "idea", "goland", "pycharm", "webstorm", "datagrip", "fleet":
		return []string{"--line", n, path}
	case "mate":
		return []string{"-l", n, path}
	}
	return []string{path}
}

// process is an *exec.Cmd with the setters Bubble Tea's Exec calls.
type process struct{ *exec.Cmd }

func (p process) SetStdin(r io.Reader)  { p.Stdin = r }
func (p process) SetStdout(w io.Writer) { p.Stdout = w }
func (p process) SetStderr(w io.Writer) { p.Stderr = w }

// Or returns o, or System when o is nil.
func Or(o Opener) Opener {
	if o == nil {
		return System()
	}
	return o
}

// Recorder is an Opener for tests: it records every page and file it is asked to open and
// opens nothing. A file is recorded when its editor command is made (a screen makes it in
// Update; the terminal runs it later); the command succeeds without running anything.
type Recorder struct {
	mu     sync.Mutex
	pages  []string
	edited []string
	lines  []int
	// Err, when set, is returned by Browse and Edit (a browser or editor that cannot start).
	Err error
}

func (r *Recorder) Browse(url string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages = append(r.pages, url)
	return r.Err
}

func (r *Recorder) Edit(path string, line int) (Command, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return nil, r.Err
	}
	r.edited = append(r.edited, path)
	r.lines = append(r.lines, line)
	return recordedEdit{}, nil
}

// Pages are the URLs Browse was given, in order.
func (r *Recorder) Pages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.pages...)
}

// Edited are the files an editor command was made for, in order.
func (r *Recorder) Edited() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.edited...)
}

// Lines are the lines the edits asked for, one per Edited file (0: none).
func (r *Recorder) Lines() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.lines...)
}

type recordedEdit struct{}

func (recordedEdit) Run() error { return nil }

func (recordedEdit) SetStdin(io.Reader)  {}
func (recordedEdit) SetStdout(io.Writer) {}
func (recordedEdit) SetStderr(io.Writer) {}
