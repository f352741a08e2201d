// Command fakedbt stands in for dbt (and, built or linked as "docker", for the docker CLI) in
// datatui's tests. As dbt it replays a recorded `--log-format json` stream with scaled timing,
// exits like dbt would, writes target/run_results.json, and can misbehave on purpose:
//
//	FAKEDBT_STREAM      the .jsonl stream to replay
//	FAKEDBT_RECORDING   instead: a folder of ../shared/fixtures/real-dbt, replayed as that real dbt
//	                    ran: stdout.jsonl (dbt.log.jsonl, the debug-level log, with --debug or
//	                    --log-level debug), stderr.txt, the exit status of exit_code.txt (128+n by
//	                    signal n itself), and that run's run_results.json / sources.json copied
//	                    into the target folder
//	FAKEDBT_VARIANT     with FAKEDBT_RECORDING: replay stdout-<variant>.jsonl, exit status from
//	                    exit_codes.txt ("<variant>(json) N"), for folders holding several runs
//	FAKEDBT_SCALE       multiply the recorded gaps between lines (default 0: no delay)
//	FAKEDBT_MAX_DELAY   cap one gap (Go duration, default 20ms)
//	FAKEDBT_EXIT        exit code (default: 1 if the stream reports a failure, 2 on a fatal error)
//	FAKEDBT_TRACEBACK   1: end with a Python traceback on stderr and exit 2
//	FAKEDBT_HANG        N: after N lines start a child that ignores SIGINT/SIGTERM, write its
//	                    pid to FAKEDBT_CHILD_PID, then wait; the first SIGINT is ignored, the
//	                    second SIGINT or a SIGTERM ends fakedbt
//	FAKEDBT_ARGS_FILE   append the arguments (one JSON array per line)
//	FAKEDBT_VERSION     what --version prints (default: dbt-core 1.8.2's answer)
//	FAKEDBT_ENV_FILE    append the DBT_* environment variables (one JSON object per line)
//
// Debug-level lines are printed only with --debug or --log-level debug, as dbt does.
//
// As docker (see docker.go) it runs `docker run IMAGE ARGS…` as a separate "container"
// process that replays like dbt, and answers docker stop / kill / rm for it.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type line struct {
	Data map[string]any `json:"data"`
	Info struct {
		Name  string `json:"name"`
		Level string `json:"level"`
		TS    string `json:"ts"`
	} `json:"info"`
}

func main() {
	if strings.HasPrefix(filepath.Base(os.Args[0]), "docker") {
		dockerMain(os.Args[1:])
		return
	}
	dbtMain(os.Args[1:])
}

func dbtMain(args []string) {
	if f := os.Getenv("FAKEDBT_ARGS_FILE"); f != "" {
		appendJSON(f, args)
	}
	if slices.Contains(args, "--version") {
		if v := os.Getenv("FAKEDBT_VERSION"); v != "" {
			fmt.Println(v)
		} else {
			fmt.Println("Core:\n  - installed: 1.8.2")
		}
		return
	}
	// What dbt's run sees (a --version probe reads no target, so it is not recorded).
	if f := os.Getenv("FAKEDBT_ENV_FILE"); f != "" {
		env := map[string]string{}
		for _, kv := range os.Environ() {
			if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "DBT_") {
				env[k] = v
			}
		}
		appendJSON(f, env)
	}
	debug := slices.Contains(args, "--debug") || slices.Contains(args, "--log-level=debug")
	for i, a := range args {
		if a == "--log-level" && i+1 < len(args) && args[i+1] == "debug" {
			debug = true
		}
	}
	rec := os.Getenv("FAKEDBT_RECORDING")
	path := os.Getenv("FAKEDBT_STREAM")
	if rec != "" {
		path = recordingStream(rec, os.Getenv("FAKEDBT_VARIANT"), debug)
	}
	if path == "" {
		fmt.Fprintln(os.Stderr, "fakedbt: FAKEDBT_STREAM is not set")
		os.Exit(2)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakedbt:", err)
		os.Exit(2)
	}
	scale, _ := strconv.ParseFloat(os.Getenv("FAKEDBT_SCALE"), 64)
	maxDelay := 20 * time.Millisecond
	if d, err := time.ParseDuration(os.Getenv("FAKEDBT_MAX_DELAY")); err == nil {
		maxDelay = d
	}
	hangAfter := -1
	if v := os.Getenv("FAKEDBT_HANG"); v != "" {
		hangAfter, _ = strconv.Atoi(v)
	}

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)

	out := bufio.NewWriter(os.Stdout)
	var prev time.Time
	failed, fatal := false, false
	results := map[string]map[string]any{}
	var order []string
	command := "build"
	for n, raw := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if n == hangAfter {
			out.Flush()
			hang(sigs)
		}
		var l line
		if json.Unmarshal([]byte(raw), &l) != nil || l.Info.Name == "" {
			fmt.Fprintln(out, raw)
			out.Flush()
			continue
		}
		if ts, err := time.Parse(time.RFC3339Nano, l.Info.TS); err == nil && scale > 0 {
			if !prev.IsZero() {
				d := time.Duration(float64(ts.Sub(prev)) * scale)
				out.Flush()
				time.Sleep(min(max(d, 0), maxDelay))
			}
			prev = ts
		}
		if rec == "" {
			record(&l, results, &order, &command, &failed, &fatal)
		}
		if rec == "" && l.Info.Level == "debug" && !debug {
			continue
		}
		fmt.Fprintln(out, raw)
	}
	out.Flush()
	if hangAfter >= 0 {
		hang(sigs)
	}
	if rec != "" {
		endRecording(rec, os.Getenv("FAKEDBT_VARIANT"), targetPath(args))
		return
	}
	writeRunResults(results, order, command)
	if os.Getenv("FAKEDBT_TRACEBACK") == "1" {
		fmt.Fprint(os.Stderr, `Traceback (most recent call last):
  File "/usr/local/bin/dbt", line 8, in <module>
    sys.exit(cli())
  File "/usr/local/lib/python3.11/site-packages/dbt/cli/main.py", line 148, in invoke
    raise DbtInternalException(f"unhandled exception: {e}")
ModuleNotFoundError: No module named 'dbt.adapters.snowflake'
`)
		os.Exit(2)
	}
	code := 0
	if failed {
		code = 1
	}
	if fatal {
		code = 2
	}
	if v := os.Getenv("FAKEDBT_EXIT"); v != "" {
		code, _ = strconv.Atoi(v)
	}
	os.Exit(code)
}

func appendJSON(file string, v any) {
	b, _ := json.Marshal(v)
	if fh, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
		fh.Write(append(b, '\n'))
		fh.Close()
	}
}

// recordingStream is the stdout a recorded run printed at this log level.
func recordingStream(dir, variant string, debug bool) string {
	if variant != "" {
		return filepath.Join(dir, "stdout-"+variant+".jsonl")
	}
	if debug {
		if p := filepath.Join(dir, "dbt.log.jsonl"); exists(p) {
			return p
		}
	}
	return filepath.Join(dir, "stdout.jsonl")
}

// endRecording finishes a replayed run as the real one finished: its stderr, its artifacts,
// its exit status.
func endRecording(dir, variant, target string) {
	if b, err := os.ReadFile(filepath.Join(dir, "stderr.txt")); err == nil && variant == "" {
		os.Stderr.Write(b)
	}
	for _, name := range []string{"run_results.json", "sources.json", "manifest.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		os.MkdirAll(target, 0o755)
		os.WriteFile(filepath.Join(target, name), b, 0o644)
	}
	code := recordedExit(dir, variant)
	if code > 128 {
		// Killed by a signal, as the real dbt was: die of it too.
		sig := syscall.Signal(code - 128)
		signal.Reset(sig)
		syscall.Kill(os.Getpid(), sig)
		time.Sleep(time.Second)
	}
	os.Exit(code)
}

func recordedExit(dir, variant string) int {
	if variant == "" {
		b, err := os.ReadFile(filepath.Join(dir, "exit_code.txt"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "fakedbt:", err)
			return 2
		}
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	b, _ := os.ReadFile(filepath.Join(dir, "exit_codes.txt"))
	for _, l := range strings.Split(string(b), "\n") {
		if name, code, ok := strings.Cut(strings.TrimSpace(l), " "); ok && name == variant+"(json)" {
			n, _ := strconv.Atoi(code)
			return n
		}
	}
	fmt.Fprintln(os.Stderr, "fakedbt: no exit code for", variant)
	return 2
}

func targetPath(args []string) string {
	for i, a := range args {
		if a == "--target-path" && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, "--target-path="); ok {
			return v
		}
	}
	return "target"
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// hang starts a child that only SIGKILL can stop, then waits for signals.
func hang(sigs chan os.Signal) {
	child := exec.Command("sh", "-c", `trap "" INT TERM; exec sleep 300`)
	child.Stdout = os.Stdout
	if err := child.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "fakedbt:", err)
		os.Exit(2)
	}
	if f := os.Getenv("FAKEDBT_CHILD_PID"); f != "" {
		os.WriteFile(f, []byte(strconv.Itoa(child.Process.Pid)), 0o600)
	}
	fmt.Println("fakedbt: waiting")
	// FAKEDBT_HANG_IGNORE: how many SIGINTs are ignored before one ends fakedbt (default 1).
	ignore := 1
	if v, err := strconv.Atoi(os.Getenv("FAKEDBT_HANG_IGNORE")); err == nil {
		ignore = v
	}
	interrupts := 0
	for s := range sigs {
		if s == syscall.SIGINT {
			interrupts++
			if interrupts <= ignore {
				fmt.Println(`{"data": {"conn_name": "master"}, "info": {"category": "", "code": "Q022", "extra": {}, "invocation_id": "fake", "level": "error", "msg": "Cancelling query 'master' (ignored once by the stand-in)", "name": "LogCancelLine", "pid": 1, "thread": "MainThread", "ts": "2026-01-01T00:00:00Z"}}`)
				continue
			}
			os.Exit(130)
		}
		os.Exit(143)
	}
}

func record(l *line, results map[string]map[string]any, order *[]string, command *string, failed, fatal *bool) {
	d := l.Data
	ni, _ := d["node_info"].(map[string]any)
	id, _ := ni["unique_id"].(string)
	switch l.Info.Name {
	case "LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "SkippingDetails", "LogNodeNoOpResult", "NodeFinished":
		if id == "" {
			return
		}
		r := results[id]
		if r == nil {
			r = map[string]any{"unique_id": id, "timing": []any{}, "thread_id": "Thread-1", "adapter_response": map[string]any{}, "failures": nil, "message": nil}
			results[id] = r
			*order = append(*order, id)
		}
		status, _ := ni["node_status"].(string)
		if rr, ok := d["run_result"].(map[string]any); ok {
			status, _ = rr["status"].(string)
			r["message"] = rr["message"]
			r["adapter_response"] = rr["adapter_response"]
		}
		if status == "" || status == "started" {
			status = "success"
		}
		r["status"] = status
		if et, ok := d["execution_time"].(float64); ok {
			r["execution_time"] = et
		} else if _, ok := r["execution_time"]; !ok {
			r["execution_time"] = 0.0
		}
	case "CommandCompleted":
		if s, ok := d["success"].(bool); ok && !s {
			*failed = true
		}
		if c, ok := d["command"].(string); ok {
			*command = strings.TrimPrefix(c, "dbt ")
		}
	case "StatsLine":
		if st, ok := d["stats"].(map[string]any); ok {
			if e, _ := st["error"].(float64); e > 0 {
				*failed = true
			}
		}
	case "MainEncounteredError":
		*fatal = true
	}
}

func writeRunResults(results map[string]map[string]any, order []string, command string) {
	if len(order) == 0 {
		return
	}
	list := make([]any, 0, len(order))
	for _, id := range order {
		list = append(list, results[id])
	}
	doc := map[string]any{
		"metadata": map[string]any{
			"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json",
			"dbt_version":        "1.8.2",
			"generated_at":       time.Now().UTC().Format(time.RFC3339Nano),
		},
		"results":      list,
		"elapsed_time": 1.0,
		"args":         map[string]any{"which": command},
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	os.MkdirAll("target", 0o755)
	os.WriteFile(filepath.Join("target", "run_results.json"), b, 0o644)
}
