package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/git"
)

// Branch is the branch the demo repository is left on: a contributor's work in progress.
const Branch = "feature/offer-redemption-rate"

// Remote is the origin URL of the demo repository. Nothing is ever fetched from it; it
// makes the repository look like a clone of the team's GitHub repo (datatui.yml's github.repo).
const Remote = "https://github.com/example-org/cashback-analytics.git"

// demoAuthorEmail is the author of the demo's commits.
const demoAuthorEmail = "demo@datatui.invalid"

// demoGitTimeout bounds the whole git set-up; it runs once, on the first demo start.
const demoGitTimeout = 20 * time.Second

// ErrGitMissing means git is not on PATH, so the demo stays a plain folder.
var ErrGitMissing = errors.New("git is not installed (not found on PATH)")

// demoEdit is a change between main and the demo branch. The embedded files hold the branch's
// final state (what the working tree shows); main has onMain where the file now has onBranch.
// Keeping the final state embedded means the working tree always matches what Write wrote,
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

// demoGitMarker is written into a demo repository once it is complete, so later starts tell
// it from a half-made one without running git.
const demoGitMarker = "datatui-demo-complete"

// InitGit makes the demo folder a git repository, unless it already is one: an initial
// commit of the project on main (with origin/main pointing at it, as if pushed), then the
// branch Branch checked out with one committed change and one uncommitted edit. It returns
// ErrGitMissing when git is not installed. git runs through r (nil: the git on PATH).
//
// The repository is built in a temporary folder beside dir, from the files as they are (main's
// versions of the changed files go straight into git's index), and renamed to dir/.git only
// when complete: the working tree is never touched, and a crash or a kill -9 at any point
// leaves either no .git or a whole one (the temporary folder is removed by the next start).
func InitGit(ctx context.Context, r git.Runner, dir string) (err error) {
	if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
		return nil
	}
	r = git.Or(r)
	dir, err = filepath.Abs(dir)
	if err != nil {
		return err
	}
	removeBuilds(filepath.Dir(dir), gitBuildPrefix(dir))
	tmp, err := os.MkdirTemp(filepath.Dir(dir), gitBuildPrefix(dir))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	g := demoGit{ctx: ctx, dir: dir, gitDir: tmp, git: r}

	// The files hold the branch's final state; main has each changed file with onMain in
	// place of onBranch. A file the user has edited since is committed as it is.
	var edits []demoEdit
	onMain := map[string][]byte{}
	for _, e := range demoEdits() {
		have, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.file)))
		if err != nil || !bytes.Contains(have, []byte(e.onBranch)) {
			continue
		}
		onMain[e.file] = bytes.Replace(have, []byte(e.onBranch), []byte(e.onMain), 1)
		edits = append(edits, e)
	}

	// Few processes: this runs on the first start of the demo, before its first frame.
	if err := g.run("init", "--quiet", "--initial-branch=main"); errors.Is(err, git.ErrNotInstalled) {
		return ErrGitMissing
	} else if err != nil {
		// git before 2.28 has no --initial-branch.
		if err := g.run("init", "--quiet"); err != nil {
			return err
		}
		if err := g.run("symbolic-ref", "HEAD", "refs/heads/main"); err != nil {
			return err
		}
	}
	steps := [][]string{
		// init records the work tree's path; the repository moves into it, where git finds
		// its work tree by itself.
		{"config", "--unset", "core.worktree"},
		{"config", "remote.origin.url", Remote},
		{"config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"},
		{"add", "--all"},
	}
	for _, args := range steps {
		if err := g.run(args...); err != nil {
			return err
		}
	}
	for _, e := range edits {
		if err := g.indexFile(e.file, onMain[e.file]); err != nil {
			return err
		}
	}
	steps = [][]string{
		{"commit", "--quiet", "--no-verify", "-m", "Cashback analytics project: sources, staging, marts, KPIs"},
		{"update-ref", "refs/remotes/origin/main", "HEAD"},
		{"branch", Branch},
		{"symbolic-ref", "HEAD", "refs/heads/" + Branch},
	}
	for _, args := range steps {
		if err := g.run(args...); err != nil {
			return err
		}
	}
	for _, e := range edits {
		if e.committed {
			if err := g.run("add", "--", e.file); err != nil {
				return err
			}
		}
	}
	g.day++
	if err := g.run("commit", "--quiet", "--no-verify", "-m", "Add hours_to_redeem to fct_offer_redemptions"); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(tmp, demoGitMarker), []byte("complete\n"), 0o644); err != nil {
		return err
	}
	demoStage("git ready")
	if err := os.Rename(tmp, filepath.Join(dir, ".git")); err != nil {
		return err
	}
	demoStage("git renamed")
	return nil
}

// gitBuildPrefix starts the name of the temporary folder dir's repository is built in; all
// such folders start with gitBuildsPrefix.
func gitBuildPrefix(dir string) string {
	return gitBuildsPrefix + strings.TrimPrefix(filepath.Base(dir), ".") + "-"
}

const gitBuildsPrefix = ".git-building-"

// indexFile puts content into git's index as file, without touching the working tree.
func (g *demoGit) indexFile(file string, content []byte) error {
	sha, err := g.output(content, "hash-object", "-w", "--stdin", "--path", file)
	if err != nil {
		return err
	}
	return g.run("update-index", "--cacheinfo", "100644,"+sha+","+file)
}

// demoGit runs git on the repository being built in gitDir, with dir as its work tree, as the
// "datatui demo" author, with fixed dates so the history is the same on every machine, and
// without the user's hooks or signing settings.
type demoGit struct {
	ctx         context.Context
	dir, gitDir string
	git         git.Runner
	day         int
}

func (g *demoGit) run(args ...string) error {
	_, err := g.output(nil, args...)
	return err
}

// output runs git with stdin and returns its trimmed standard output.
func (g *demoGit) output(stdin []byte, args ...string) (string, error) {
	demoStage("git " + args[0])
	full := append([]string{
		"--git-dir=" + g.gitDir, "--work-tree=" + g.dir,
		"-c", "commit.gpgsign=false",
		"-c", "core.autocrlf=false",
		"-c", "core.hooksPath=" + filepath.Join(g.gitDir, "no-hooks"),
		"-c", "init.templateDir=",
	}, args...)
	date := fmt.Sprintf("2026-11-%02dT10:00:00Z", 20+g.day)
	out, err := g.git.Run(g.ctx, git.Cmd{Dir: g.dir, Args: full, Stdin: stdin, Env: []string{
		"GIT_AUTHOR_NAME=datatui demo", "GIT_AUTHOR_EMAIL=" + demoAuthorEmail, "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=datatui demo", "GIT_COMMITTER_EMAIL=" + demoAuthorEmail, "GIT_COMMITTER_DATE=" + date,
		"GIT_TERMINAL_PROMPT=0",
	}})
	return strings.TrimSpace(string(out)), err
}
