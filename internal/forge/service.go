package forge

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/atomicfile"
	"github.com/datatui/datatui/internal/redact"
)

// Summary is the last refresh in a few fields, cached under the state folder so that Home can
// show "your PRs" without a network call.
type Summary struct {
	Repo      string       `json:"repo"`
	Viewer    string       `json:"viewer"`
	Branch    string       `json:"branch,omitempty"`
	FetchedAt time.Time    `json:"fetchedAt"`
	PRs       []PRHeadline `json:"prs"`
}

// PRHeadline is one PR in the summary.
type PRHeadline struct {
	Number   int      `json:"number"`
	Title    string   `json:"title"`
	URL      string   `json:"url"`
	HeadRef  string   `json:"headRefName"`
	Outcome  Outcome  `json:"outcome"`
	Counts   Counts   `json:"counts"`
	Ready    bool     `json:"ready"`
	Verdict  Verdict  `json:"verdict"`
	Summary  string   `json:"summary"`
	Missing  []string `json:"missing,omitempty"`
	IsBranch bool     `json:"isCurrentBranch,omitempty"`
	IsDraft  bool     `json:"isDraft,omitempty"`
}

// SummaryFile is the cache's name inside the workspace state folder.
const SummaryFile = "prs-summary.json"

// Summarise turns a snapshot into its summary.
func Summarise(s *Snapshot) Summary {
	sum := Summary{Repo: s.Repo.FullName(), Viewer: s.Viewer, Branch: s.Branch, FetchedAt: s.FetchedAt}
	seen := map[int]bool{}
	add := func(p PR) {
		if seen[p.Number] {
			return
		}
		seen[p.Number] = true
		c := p.Counts()
		r := Evaluate(p)
		sum.PRs = append(sum.PRs, PRHeadline{Number: p.Number, Title: p.Title, URL: p.URL, HeadRef: p.HeadRef,
			Outcome: c.Outcome(), Counts: c, Ready: r.Ready, Verdict: r.Verdict, Summary: r.Summary, Missing: r.Missing, IsDraft: p.IsDraft,
			IsBranch: s.Branch != "" && p.HeadRef == s.Branch})
	}
	if s.BranchPR != nil {
		add(*s.BranchPR)
	}
	for _, p := range s.PRs {
		add(p)
	}
	return sum
}

// SaveSummary writes the summary atomically (temp file + rename, mode 0600) into stateDir.
func SaveSummary(stateDir string, sum Summary) error {
	if stateDir == "" {
		return errors.New("no state folder")
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return err
	}
	data, err := redact.MarshalIndent(sum, "", "  ") // state files never hold a secret
	if err != nil {
		return err
	}
	_, err = atomicfile.Write(filepath.Join(stateDir, SummaryFile), data, atomicfile.Options{Perm: 0o600})
	return err
}

// LoadSummary reads the cached summary; os.ErrNotExist when no refresh has been saved yet.
func LoadSummary(stateDir string) (*Summary, error) {
	data, err := os.ReadFile(filepath.Join(stateDir, SummaryFile))
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %v", SummaryFile, err)
	}
	return &s, nil
}

// Lines renders the summary for a dashboard card: one line per PR (at most max), plain text.
func (s *Summary) Lines(max int) []string {
	if s == nil || len(s.PRs) == 0 {
		return []string{"No open pull requests."}
	}
	var out []string
	for i, p := range s.PRs {
		if i == max {
			out = append(out, fmt.Sprintf("… and %d more", len(s.PRs)-max))
			break
		}
		state := p.Counts.Glyphs() + " " + p.Summary
		out = append(out, fmt.Sprintf("#%d %s  %s", p.Number, p.Title, strings.TrimSpace(state)))
	}
	return out
}

// Glyphs is the one-glance rollup: "✓3 ✗1 ●2" (only non-zero buckets; "no checks" when empty).
func (c Counts) Glyphs() string {
	if c.Total() == 0 {
		return "no checks"
	}
	var parts []string
	if c.Pass > 0 {
		parts = append(parts, fmt.Sprintf("✓%d", c.Pass))
	}
	if n := c.Fail + c.Cancel; n > 0 {
		parts = append(parts, fmt.Sprintf("✗%d", n))
	}
	if c.Pending > 0 {
		parts = append(parts, fmt.Sprintf("●%d", c.Pending))
	}
	if c.Skipping > 0 {
		parts = append(parts, fmt.Sprintf("–%d", c.Skipping))
	}
	return strings.Join(parts, " ")
}
