package ops

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
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

// AppendHistory adds an entry to stateDir/runs.jsonl, keeping the last HistoryLimit entries.
// The file is rewritten through a temporary file and a rename, so a reader never sees half of
// it and a crash never loses it.
func AppendHistory(stateDir string, e HistoryEntry) error {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(stateDir, HistoryFile)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	lines := bytes.Split(bytes.TrimSpace(old), []byte("\n"))
	if len(old) == 0 {
		lines = nil
	}
	lines = append(lines, line)
	if len(lines) > HistoryLimit {
		lines = lines[len(lines)-HistoryLimit:]
	}
	tmp, err := os.CreateTemp(stateDir, ".runs-*.jsonl")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	for _, l := range lines {
		w.Write(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// LoadHistory returns the last n runs (all when n <= 0), newest first. A missing file is an
// empty history; lines that do not parse (a hand edit, a future format) are skipped. It reads
// one small file (at most HistoryLimit lines), so Home can call it on every refresh.
func LoadHistory(stateDir string, n int) ([]HistoryEntry, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, HistoryFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []HistoryEntry
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i := len(lines) - 1; i >= 0 && (n <= 0 || len(out) < n); i-- {
		var e HistoryEntry
		if strings.TrimSpace(lines[i]) == "" || json.Unmarshal([]byte(lines[i]), &e) != nil {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}
