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
	"strings"
	"sync"

	"github.com/cli/go-gh/v2/pkg/browser"
)

// Opener opens files and pages for the person.
type Opener interface {
	// Browse opens url in the person's browser.
	Browse(url string) error
	// Edit returns the process that edits path, to be run in the terminal's foreground (the
	// UI hands it to Bubble Tea's Exec, which gives it the terminal until it exits).
	Edit(path string) (Command, error)
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

func (s system) Edit(path string) (Command, error) {
	argv, err := EditorArgv(s.getenv, path)
	if err != nil {
		return nil, err
	}
	return process{exec.Command(argv[0], argv[1:]...)}, nil
}

// EditorArgv is the command line that edits path: $VISUAL, else $EDITOR, else vi, split on
// spaces, with path as the last argument.
func EditorArgv(getenv func(string) string, path string) ([]string, error) {
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
	return append(strings.Fields(editor), path), nil
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
	// Err, when set, is returned by Browse and Edit (a browser or editor that cannot start).
	Err error
}

func (r *Recorder) Browse(url string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages = append(r.pages, url)
	return r.Err
}

func (r *Recorder) Edit(path string) (Command, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return nil, r.Err
	}
	r.edited = append(r.edited, path)
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

type recordedEdit struct{}

func (recordedEdit) Run() error { return nil }

func (recordedEdit) SetStdin(io.Reader)  {}
func (recordedEdit) SetStdout(io.Writer) {}
func (recordedEdit) SetStderr(io.Writer) {}
