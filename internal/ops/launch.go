package ops

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/profiles"
)

// Engine is the dbt that runs: dbt-core (Python) or dbt Fusion (the Rust engine).
type Engine int

const (
	EngineCore Engine = iota
	EngineFusion
)

func (e Engine) String() string {
	if e == EngineFusion {
		return "dbt Fusion"
	}
	return "dbt-core"
}

// Launch is how one dbt invocation is started: a local dbt, the team's wrapper command, or
// `docker run` of the team's image.
type Launch struct {
	// Path and Args are the process started.
	Path string
	Args []string
	// DBTArgs are the arguments dbt itself gets (the end of Args).
	DBTArgs []string
	// Env is added to the environment of the process.
	Env []string
	// Engine is the dbt that runs (dbt-core unless ForEngine found dbt Fusion).
	Engine Engine
	// Container is the name given to the docker container ("" when dbt runs locally); Docker
	// is the docker CLI, for stopping it.
	Container string
	Docker    string
	// Dropped are flags left out because the engine does not take them.
	Dropped []string
	// Local is true for a dbt executable on this machine (not Docker, not a wrapper).
	Local bool
}

// MissingDockerError means dbt runs in Docker and the docker CLI could not be found.
type MissingDockerError struct{ CLI string }

func (e *MissingDockerError) Error() string {
	return fmt.Sprintf("dbt runs in Docker for this project (datatui.yml dbt.docker.image) but %s is not installed (not on PATH)", e.CLI)
}

// LaunchFor builds the process that runs dbt with args (the arguments PrepareArgs gave) in
// dir, following datatui.yml's dbt section: its docker image, its wrapper, or else exe (the
// local dbt; FindDBT's when empty). environ is the environment the process starts from
// (os.Environ()), env what the caller adds to it (both reach a container: dbt's DBT_*
// variables and env by name). lookPath finds executables (exec.LookPath outside tests).
func LaunchFor(cfg config.DBT, exe, dir string, args, environ, env []string, lookPath func(string) (string, error)) (*Launch, error) {
	all := append(append([]string(nil), environ...), env...)
	getenv := func(k string) string {
		for i := len(all) - 1; i >= 0; i-- {
			if key, v, _ := strings.Cut(all[i], "="); key == k {
				return v
			}
		}
		return ""
	}
	switch {
	case cfg.Docker.Enabled():
		return dockerLaunch(cfg.Docker, dir, args, all, env, getenv, lookPath)
	case len(cfg.Wrapper) > 0:
		path := cfg.Wrapper[0]
		if strings.ContainsRune(path, filepath.Separator) && !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		} else if p, err := lookPath(path); err == nil {
			path = p
		} else {
			return nil, fmt.Errorf("the dbt wrapper %q of datatui.yml (dbt.wrapper) was not found: %w", cfg.Wrapper[0], err)
		}
		return &Launch{Path: path, Args: append(append([]string(nil), cfg.Wrapper[1:]...), args...), DBTArgs: args, Env: env}, nil
	}
	if exe == "" {
		var err error
		if exe, err = FindDBT(getenv); err != nil {
			return nil, err
		}
	}
	return &Launch{Path: exe, Args: args, DBTArgs: args, Env: env, Local: true}, nil
}

// ForEngine tells a local dbt's engine (DetectEngine) and, for dbt Fusion, leaves out the
// dbt-core flags it does not take. In Docker or through a wrapper the engine is not known
// before the log says so, and the arguments are passed as given.
func (l *Launch) ForEngine() {
	if !l.Local {
		return
	}
	if l.Engine = DetectEngine(l.Path); l.Engine == EngineFusion {
		l.Args, l.Dropped = FusionArgs(l.Args)
		l.DBTArgs = l.Args
	}
}

// fusionUnknown returns the dbt-core flags dbt Fusion's command line does not define (it stops with
// "unexpected argument" on them), with whether they take a value.
func fusionUnknown() map[string]bool {
	return map[string]bool{
		"--use-colors": false, "--no-use-colors": false, "--use-colors-file": false, "--no-use-colors-file": false,
		"--log-cache-events": false, "--no-log-cache-events": false,
		"--partial-parse": false, "--no-partial-parse": false,
		"--static-parser": false, "--no-static-parser": false, "--use-experimental-parser": false, "--no-use-experimental-parser": false,
		"--version-check": false, "--no-version-check": false,
		"--populate-cache": false, "--no-populate-cache": false, "--cache-selected-only": false, "--no-cache-selected-only": false,
		"--introspect": false, "--no-introspect": false,
		"--printer-width": true, "--record-timing-info": true, "-r": true,
	}
}

// FusionArgs drops the dbt-core flags dbt Fusion does not take (colours, parser and cache
// tuning: Fusion has its own), returning what remains and what was dropped.
func FusionArgs(args []string) (kept, dropped []string) {
	kept = make([]string, 0, len(args))
	unknownFlags := fusionUnknown()
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(a, "=")
		takesValue, unknown := unknownFlags[name]
		if !unknown {
			kept = append(kept, a)
			continue
		}
		dropped = append(dropped, name)
		if takesValue && !hasValue && i+1 < len(args) {
			i++
		}
	}
	return kept, dropped
}

var engineCache sync.Map // path|size|mtime → Engine

// DetectEngine tells dbt Fusion from dbt-core: Fusion's executable is `dbtf`, or a `dbt` whose
// `--version` says "dbt-fusion". dbt-core's `dbt` is a Python console script, recognised by
// its first line without running it (dbt-core's --version is slow and may ask PyPI); anything
// else is asked once and the answer kept while the file stays the same.
func DetectEngine(path string) Engine {
	base := strings.TrimSuffix(filepath.Base(path), ".exe")
	if base == "dbtf" {
		return EngineFusion
	}
	st, err := os.Stat(path)
	if err != nil {
		return EngineCore
	}
	key := fmt.Sprintf("%s|%d|%d", path, st.Size(), st.ModTime().UnixNano())
	if e, ok := engineCache.Load(key); ok {
		return e.(Engine)
	}
	e := detectEngine(path)
	engineCache.Store(key, e)
	return e
}

func detectEngine(path string) Engine {
	if f, err := os.Open(path); err == nil {
		first, _ := bufio.NewReader(f).ReadString('\n')
		f.Close()
		if strings.HasPrefix(first, "#!") && strings.Contains(first, "python") {
			return EngineCore
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Env = append(os.Environ(), "DBT_VERSION_CHECK=false", "DBT_SEND_ANONYMOUS_USAGE_STATS=false")
	cmd.WaitDelay = time.Second
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "dbt-fusion") {
		return EngineFusion
	}
	return EngineCore
}

// dockerLaunch is `docker run` of the team's image. The project folder and the profiles
// folder dbt would use are mounted at the same paths, so that every path dbt prints or writes
// (target/, logs/, compiled SQL) is where a local dbt would put it and the write guard's
// reading of profiles.yml is the one dbt sees. Environment variables are passed by name only
// (`-e NAME`), so no value, secret or not, ever appears in a command line.
func dockerLaunch(d config.Docker, dir string, args, environ, extra []string, getenv func(string) string, lookPath func(string) (string, error)) (*Launch, error) {
	cli, err := lookPath(d.Executable())
	if err != nil {
		return nil, &MissingDockerError{CLI: d.Executable()}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	name, err := containerName()
	if err != nil {
		return nil, err
	}
	home := getenv("HOME")
	argv := []string{"run", "--rm", "--init", "--name", name, "--label", "datatui.run=dbt",
		"-v", abs + ":" + abs, "-w", abs}
	switch {
	case d.User != "":
		argv = append(argv, "--user", d.User)
	case runtime.GOOS != "windows":
		argv = append(argv, "--user", fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid()))
	}
	if d.Network != "" {
		argv = append(argv, "--network", d.Network)
	}
	env := append([]string(nil), extra...)
	pass := map[string]bool{}
	passEnv := func(name string) {
		if !pass[name] {
			pass[name] = true
			argv = append(argv, "-e", name)
		}
	}
	loc := profiles.FindProfiles(profiles.ProfilesOptions{ProfilesDir: flagValue(args, "--profiles-dir"), ProjectDir: abs, Home: home,
		LookupEnv: func(k string) (string, bool) { v := getenv(k); return v, v != "" }})
	if pdir := filepath.Dir(loc.Path); !within(pdir, abs) {
		if st, err := os.Stat(pdir); err == nil && st.IsDir() {
			argv = append(argv, "-v", pdir+":"+pdir+":ro")
		}
	}
	env = append(env, "DBT_PROFILES_DIR="+filepath.Dir(loc.Path))
	passEnv("DBT_PROFILES_DIR")
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if k == "DBT_PROJECT_DIR" || k == "DBT_PROFILES_DIR" {
			continue // the container works in the mounted project, with the mounted profiles
		}
		if strings.HasPrefix(k, "DBT_") || hasKey(extra, k) {
			passEnv(k)
		}
	}
	for _, e := range d.Env {
		k, v, literal := strings.Cut(e, "=")
		if literal {
			env = append(env, k+"="+v)
		}
		passEnv(k)
	}
	for _, m := range d.Mounts {
		host, rest, _ := strings.Cut(m, ":")
		host = expandHome(host, home)
		if !filepath.IsAbs(host) {
			host = filepath.Join(abs, host)
		}
		argv = append(argv, "-v", host+":"+rest)
	}
	argv = append(argv, d.Image)
	argv = append(argv, d.Command...)
	argv = append(argv, args...)
	return &Launch{Path: cli, Args: argv, DBTArgs: args, Env: env, Container: name, Docker: cli}, nil
}

// hasKey reports whether env sets key.
func hasKey(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}

func containerName() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", errors.New("cannot name the dbt container: " + err.Error())
	}
	return "datatui-dbt-" + hex.EncodeToString(b), nil
}

func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func expandHome(p, home string) string {
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}
