package ops

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/atomicfile"
	"github.com/datatui/datatui/internal/redact"
)

// HistoryFile is the run history's file name in the workspace's state folder.
const HistoryFile = "runs.jsonl"

// HistoryLimit is how many runs the history keeps.
const HistoryLimit = 200

// HistoryEntry is one past run, one JSON object per line of runs.jsonl. Field names are
// stable: `datatui run --json` and Home read them.
type HistoryEntry struct {
	Command   string    `json:"command"`
	Args      []string  `json:"args"`
	Selection string    `json:"selection,omitempty"`
	Started   time.Time `json:"started"`
	// DurationMS is the wall time in milliseconds.
	DurationMS int64   `json:"duration_ms"`
	Counts     Summary `json:"counts"`
	ExitCode   int     `json:"exit_code"`
	Cancelled  bool    `json:"cancelled"`
	// Error is the first line of the run's error, if any.
	Error string `json:"error,omitempty"`
	// Failed lists up to 20 unique ids that failed, so "retry failed" and Home can name them.
	Failed []string `json:"failed,omitempty"`
}

// Duration is the entry's wall time.
func (e HistoryEntry) Duration() time.Duration { return time.Duration(e.DurationMS) * time.Millisecond }

// OK reports whether the run succeeded.
func (e HistoryEntry) OK() bool { return e.ExitCode == 0 && !e.Cancelled }

// EntryFromResult summarises a finished run for the history.
func EntryFromResult(r *Result) HistoryEntry {
	e := HistoryEntry{Command: r.Command, Args: r.Args, Selection: r.Selection, Started: r.Started.UTC().Truncate(time.Millisecond),
		DurationMS: r.Duration.Milliseconds(), Counts: r.Summary, ExitCode: r.ExitCode, Cancelled: r.Cancelled}
	if r.Err != nil {
		e.Error = firstLine(r.Err.Error())
	}
	for _, n := range r.Nodes {
		if Failed(n.Status) && len(e.Failed) < 20 {
			e.Failed = append(e.Failed, n.UniqueID)
		}
	}
	return e
}

// AppendHistory adds an entry to stateDir/runs.jsonl. Several datatui processes (a run in the
// TUI, others in terminals, CI scripts) append to one history, so no entry may be lost: under
// the history's lock the entry is appended as one whole line in a single O_APPEND write (a
// reader that takes no lock sees whole lines, and a crash leaves at most a torn last line,
// which readers skip). Once the file holds twice HistoryLimit entries it is rewritten with the
// last HistoryLimit, atomically; appending never needs a rename, which Windows refuses while
// another process reads the file.
func AppendHistory(stateDir string, e HistoryEntry) error {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return err
	}
	line, err := redact.Marshal(e) // state files never hold a secret
	if err != nil {
		return err
	}
	path := filepath.Join(stateDir, HistoryFile)
	unlock, err := atomicfile.Lock(path)
	if err != nil {
		return err
	}
	defer unlock()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	record := append(line, '\n')
	if st.Size() > 0 {
		// A run killed mid-append left a line without its end: start a new one.
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			record = append([]byte{'\n'}, record...)
		}
	}
	if _, err := f.Write(record); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return trimHistory(path)
}

// trimHistory keeps the last HistoryLimit lines once the file has twice as many; the caller
// holds the lock. A failed trim loses nothing: the next append tries again.
func trimHistory(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if bytes.Count(b, []byte("\n")) <= 2*HistoryLimit {
		return nil
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	keep := bytes.Join(lines[len(lines)-HistoryLimit:], nil)
	_, err = atomicfile.Write(path, keep, atomicfile.Options{})
	return err
}

// LoadHistory returns the last n runs (HistoryLimit when n <= 0), newest first. A missing file is an
// empty history; lines that do not parse (a hand edit, a future format) are skipped. It reads
// one small file (at most twice HistoryLimit lines), so Home can call it on every refresh.
func LoadHistory(stateDir string, n int) ([]HistoryEntry, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, HistoryFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if n <= 0 || n > HistoryLimit {
		n = HistoryLimit
	}
	var out []HistoryEntry
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i := len(lines) - 1; i >= 0 && len(out) < n; i-- {
		var e HistoryEntry
		if strings.TrimSpace(lines[i]) == "" || json.Unmarshal([]byte(lines[i]), &e) != nil {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}
