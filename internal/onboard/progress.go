package onboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/atomicfile"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/workspace"
)

// ProgressFile is the name of the per-repository progress file in the workspace's state dir.
const ProgressFile = "onboarding.json"

// StepRecord is the last result of one step.
type StepRecord struct {
	Status    Status    `json:"status"`
	Detail    string    `json:"detail,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

// ProgressState is what onboarding remembers per repository, so the wizard picks up where the
// contributor left off and Home can show "6 of 10 done".
type ProgressState struct {
	Version int                   `json:"version"`
	Steps   map[string]StepRecord `json:"steps"`
	// GuideReadAt is when the getting-started guide was opened in the guide reader.
	GuideReadAt time.Time `json:"guide_read_at,omitzero"`
	// GuidesRead is when each guide (by slug) was first opened in the reader; the Guides list
	// marks them.
	GuidesRead map[string]time.Time `json:"guides_read,omitempty"`
	// FirstBuildAt is when the starter model first built in the sandbox (run results are
	// overwritten by later runs, so the success is remembered here).
	FirstBuildAt time.Time `json:"first_build_at,omitzero"`
	// StarterModel is the model the contributor chose for the first build, when datatui.yml
	// names none.
	StarterModel string `json:"starter_model,omitempty"`
	// WelcomedAt is when the wizard's welcome was shown (Home opens on the wizard until then).
	WelcomedAt time.Time `json:"welcomed_at,omitzero"`
}

func progressPath(ws *workspace.Workspace) (string, error) {
	if ws == nil || ws.StateDir == "" {
		return "", errors.New("this workspace has no state folder")
	}
	return filepath.Join(ws.StateDir, ProgressFile), nil
}

// LoadProgress reads the progress file; a missing file is an empty state, not an error.
func LoadProgress(ws *workspace.Workspace) (*ProgressState, error) {
	st := &ProgressState{Version: 1, Steps: map[string]StepRecord{}}
	p, err := progressPath(ws)
	if err != nil {
		return st, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return &ProgressState{Version: 1, Steps: map[string]StepRecord{}}, fmt.Errorf("%s is damaged (%v); onboarding starts over, your project is not affected", p, err)
	}
	if st.Steps == nil {
		st.Steps = map[string]StepRecord{}
	}
	return st, nil
}

// Save writes the progress file atomically (0600: it names databases and people).
func (st *ProgressState) Save(ws *workspace.Workspace) error {
	p, err := progressPath(ws)
	if err != nil {
		return err
	}
	if _, err := ws.EnsureStateDir(); err != nil {
		return err
	}
	data, err := redact.MarshalIndent(st, "", "  ") // state files never hold a secret
	if err != nil {
		return err
	}
	_, err = atomicfile.Write(p, append(data, '\n'), atomicfile.Options{Perm: 0o600})
	return err
}

// Record stores outcomes (the latest result of each step checked).
func (st *ProgressState) Record(outcomes []Outcome, now time.Time) {
	for _, o := range outcomes {
		st.Steps[o.Step.Name] = StepRecord{Status: o.Result.Status, Detail: o.Result.Detail, CheckedAt: now}
	}
}

// Done counts the steps of names whose last result passed.
func (st *ProgressState) Done(names []string) int {
	n := 0
	for _, name := range names {
		if r, ok := st.Steps[name]; ok && r.Status.Passed() {
			n++
		}
	}
	return n
}

// Progress is what Home shows: how many of the onboarding steps last passed, out of all.
// With no progress file yet, done is 0 (Home then opens on the wizard).
func Progress(ws *workspace.Workspace) (done, total int, err error) {
	st, err := LoadProgress(ws)
	names := StepNames()
	return st.Done(names), len(names), err
}

// Started reports whether onboarding has any progress in this repository (a check was run or
// the welcome shown). Home opens on the wizard when it has not.
func Started(ws *workspace.Workspace) bool {
	st, err := LoadProgress(ws)
	return err == nil && (len(st.Steps) > 0 || !st.WelcomedAt.IsZero())
}

// MarkGuideRead records that the getting-started guide was opened (the reader broadcasts
// common.GuideOpenedMsg; the app calls this for GettingStartedGuide).
func MarkGuideRead(ws *workspace.Workspace, at time.Time) error {
	return update(ws, func(st *ProgressState) {
		if st.GuideReadAt.IsZero() {
			st.GuideReadAt = at
		}
	})
}

// RecordGuideRead remembers that the guide slug was opened in the reader (the first time
// counts).
func RecordGuideRead(ws *workspace.Workspace, slug string, at time.Time) error {
	return update(ws, func(st *ProgressState) {
		if st.GuidesRead == nil {
			st.GuidesRead = map[string]time.Time{}
		}
		if _, ok := st.GuidesRead[slug]; !ok {
			st.GuidesRead[slug] = at
		}
	})
}

// MarkWelcomed records that the wizard's welcome was shown.
func MarkWelcomed(ws *workspace.Workspace, at time.Time) error {
	return update(ws, func(st *ProgressState) {
		if st.WelcomedAt.IsZero() {
			st.WelcomedAt = at
		}
	})
}

// markFirstBuild records the starter model's first successful build.
func chooseStarter(ws *workspace.Workspace, model string) error {
	return update(ws, func(st *ProgressState) { st.StarterModel = model })
}

func markFirstBuild(ws *workspace.Workspace, at time.Time) error {
	return update(ws, func(st *ProgressState) {
		if st.FirstBuildAt.IsZero() {
			st.FirstBuildAt = at
		}
	})
}

// progressMu serialises read-modify-write of progress files within the process (the wizard
// saves from concurrent check tasks); the file's lock does the same across processes.
var progressMu sync.Mutex

// RecordOutcomes stores the outcomes (and, when welcomed, that the welcome was shown) in the
// workspace's progress file.
func RecordOutcomes(ws *workspace.Workspace, outcomes []Outcome, now time.Time, welcomed bool) error {
	return update(ws, func(st *ProgressState) {
		st.Record(outcomes, now)
		if welcomed && st.WelcomedAt.IsZero() {
			st.WelcomedAt = now
		}
	})
}

func update(ws *workspace.Workspace, f func(*ProgressState)) error {
	progressMu.Lock()
	defer progressMu.Unlock()
	// The wizard in the TUI and `doctor` in a terminal may record at the same time.
	if p, err := progressPath(ws); err == nil {
		if _, err := ws.EnsureStateDir(); err != nil {
			return err
		}
		unlock, err := atomicfile.Lock(p)
		if err != nil {
			return err
		}
		defer unlock()
	}
	st, err := LoadProgress(ws)
	if err != nil && st == nil {
		return err
	}
	f(st)
	return st.Save(ws)
}
