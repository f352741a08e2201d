package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// DemoBranch is the branch the demo repository is left on: a contributor's work in progress.
const DemoBranch = "feature/offer-redemption-rate"

// DemoRemote is the origin URL of the demo repository. Nothing is ever fetched from it; it
// makes the repository look like a clone of the team's GitHub repo (datatui.yml's github.repo).
const DemoRemote = "https://github.com/example-org/cashback-analytics.git"

// demoGitTimeout bounds the whole git set-up; it runs once, on the first demo start.
const demoGitTimeout = 20 * time.Second

// ErrGitMissing means git is not on PATH, so the demo stays a plain folder.
var ErrGitMissing = errors.New("git is not installed (not found on PATH)")

// demoEdit is a change between main and the demo branch. The embedded files hold the branch's
// final state (what the working tree shows); main has onMain where the file now has onBranch.
// Keeping the final state embedded means the working tree always matches what WriteDemo wrote,
// so a later start never mistakes the branch's changes for the user's edits.
type demoEdit struct {
	file      string
	onMain    string
	onBranch  string
	committed bool // false: left as an uncommitted edit in the working tree
}

func demoEdits() []demoEdit {
	return []demoEdit{
		{
			file:      "models/marts/growth/fct_offer_redemptions.sql",
			onBranch:  "    activations.first_transacted_at,\n    datediff('hour', activations.activated_at, activations.first_transacted_at) as hours_to_redeem,\n",
			onMain:    "    activations.first_transacted_at,\n",
			committed: true,
		},
		{
			file:      "models/marts/growth/_growth.yml",
			onBranch:  "      - name: hours_to_redeem\n        description: Hours from activation to the first purchase under the offer; empty when not redeemed.\n",
			onMain:    "",
			committed: true,
		},
		{
			file:      "models/marts/growth/kpi_weekly.sql",
			onBranch:  "    coalesce(redemptions.offer_redemptions, 0) as offer_redemptions,\n    round(redemptions.offer_redemptions / nullif(redemptions.offer_activations, 0), 4) as offer_redemption_rate\n",
			onMain:    "    coalesce(redemptions.offer_redemptions, 0) as offer_redemptions\n",
			committed: false,
		},
	}
}

// InitDemoGit makes the demo folder a git repository, unless it already is one: an initial
// commit of the project on main (with origin/main pointing at it, as if pushed), then the
// branch DemoBranch checked out with one committed change and one uncommitted edit. It returns
// ErrGitMissing when git is not installed. When a step fails, the folder is put back as it
// was (no .git, files as written), so the next start tries again.
func InitDemoGit(ctx context.Context, dir string) (err error) {
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return nil
	}
	gitPath, lookErr := exec.LookPath("git")
	if lookErr != nil {
		return ErrGitMissing
	}
	g := demoGit{ctx: ctx, dir: dir, git: gitPath}

	// Put main's version of each changed file in place; the branch's version is restored
	// below (and on failure).
	var edits []demoEdit
	final := map[string][]byte{}
	for _, e := range demoEdits() {
		path := filepath.Join(dir, filepath.FromSlash(e.file))
		have, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(have, []byte(e.onBranch)) {
			continue // edited by the user since: their version is what gets committed
		}
		final[e.file] = have
		edits = append(edits, e)
	}
	restore := func(committed bool) error {
		for _, e := range edits {
			if e.committed == committed {
				if err := writeFileAtomic(filepath.Join(dir, filepath.FromSlash(e.file)), final[e.file], 0o644); err != nil {
					return err
				}
			}
		}
		return nil
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(filepath.Join(dir, ".git"))
			_ = restore(true)
			_ = restore(false)
		}
	}()
	for _, e := range edits {
		onMain := bytes.Replace(final[e.file], []byte(e.onBranch), []byte(e.onMain), 1)
		if err := writeFileAtomic(filepath.Join(dir, filepath.FromSlash(e.file)), onMain, 0o644); err != nil {
			return err
		}
	}

	// Few processes: this runs on the first start of the demo, before its first frame.
	if err := g.run("init", "--quiet", "--initial-branch=main"); err != nil {
		// git before 2.28 has no --initial-branch.
		if err := g.run("init", "--quiet"); err != nil {
			return err
		}
		if err := g.run("symbolic-ref", "HEAD", "refs/heads/main"); err != nil {
			return err
		}
	}
	if err := appendFile(filepath.Join(dir, ".git", "config"), "[remote \"origin\"]\n\turl = "+DemoRemote+"\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"); err != nil {
		return err
	}
	steps := [][]string{
		{"add", "--all"},
		{"commit", "--quiet", "--no-verify", "-m", "Cashback analytics project: sources, staging, marts, KPIs"},
		{"update-ref", "refs/remotes/origin/main", "HEAD"},
		{"checkout", "--quiet", "-b", DemoBranch},
	}
	for _, args := range steps {
		if err := g.run(args...); err != nil {
			return err
		}
	}
	if err := restore(true); err != nil {
		return err
	}
	g.day++
	if err := g.run("commit", "--quiet", "--no-verify", "--all", "-m", "Add hours_to_redeem to fct_offer_redemptions"); err != nil {
		return err
	}
	return restore(false)
}

// demoGit runs git in the demo folder as the "datatui demo" author, with fixed dates so the
// history is the same on every machine, and without the user's hooks or signing settings.
type demoGit struct {
	ctx context.Context
	dir string
	git string
	day int
}

func (g *demoGit) run(args ...string) error {
	full := append([]string{
		"-c", "commit.gpgsign=false",
		"-c", "core.autocrlf=false",
		"-c", "core.hooksPath=" + filepath.Join(g.dir, ".git", "no-hooks"),
		"-c", "init.templateDir=",
	}, args...)
	cmd := exec.CommandContext(g.ctx, g.git, full...)
	cmd.Dir = g.dir
	date := fmt.Sprintf("2026-11-%02dT10:00:00Z", 20+g.day)
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=datatui demo", "GIT_AUTHOR_EMAIL=demo@datatui.invalid", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=datatui demo", "GIT_COMMITTER_EMAIL=demo@datatui.invalid", "GIT_COMMITTER_DATE="+date,
		"GIT_TERMINAL_PROMPT=0",
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
