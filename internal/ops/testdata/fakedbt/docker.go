package main

// The docker stand-in. It models what datatui relies on in the real docker CLI:
//
//	docker run [--rm] [--init] [--name N] [-v H:C[:o]] [-w DIR] [-e NAME] [--user U]
//	           [--network N] [--label L] IMAGE [ARGS…]
//	    starts the "container" as a separate process in its own process group (as dockerd's
//	    would be: signals to the client's group never reach it), whose environment holds only
//	    the -e variables, working in -w; it runs the dbt stand-in with ARGS (a leading "dbt"
//	    is the image's command). The client passes SIGINT and SIGTERM on (docker's
//	    --sig-proxy) unless FAKEDOCKER_NO_PROXY=1, and exits with the container's status.
//	    A -v host folder or -w folder that does not exist is an error, as in docker.
//	docker stop [--time N] NAME   SIGTERM, then SIGKILL after N seconds
//	docker kill NAME              SIGKILL
//	docker rm --force NAME        SIGKILL; "No such container" when there is none
//	docker version / image inspect   succeed, for onboarding's checks
//
//	FAKEDOCKER_STATE      folder of running containers: one file per name holding the pid
//	FAKEDOCKER_ARGS_FILE  append every invocation's arguments (one JSON array per line)

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func dockerMain(args []string) {
	if f := os.Getenv("FAKEDOCKER_ARGS_FILE"); f != "" {
		appendJSON(f, args)
	}
	if len(args) == 0 {
		fatalf("docker: no command")
	}
	switch args[0] {
	case "run":
		dockerRun(args[1:])
	case "container-main":
		containerMain(args[1:])
	case "stop":
		timeout := 10
		rest := args[1:]
		if len(rest) >= 2 && (rest[0] == "--time" || rest[0] == "-t") {
			timeout, _ = strconv.Atoi(rest[1])
			rest = rest[2:]
		}
		for _, name := range rest {
			stopContainer(name, time.Duration(timeout)*time.Second)
		}
	case "kill":
		for _, name := range args[1:] {
			if !signalContainer(name, syscall.SIGKILL) {
				fatalf("Error response from daemon: No such container: %s", name)
			}
		}
	case "rm":
		for _, name := range args[1:] {
			if strings.HasPrefix(name, "-") {
				continue
			}
			if !signalContainer(name, syscall.SIGKILL) {
				fatalf("Error response from daemon: No such container: %s", name)
			}
		}
	case "version":
		fmt.Println("24.0.7")
	case "image":
		fmt.Println("sha256:0123456789abcdef")
	default:
		fatalf("docker: unknown command %q", args[0])
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(125)
}

func stateFile(name string) string {
	dir := os.Getenv("FAKEDOCKER_STATE")
	if dir == "" {
		fatalf("docker: FAKEDOCKER_STATE is not set")
	}
	return filepath.Join(dir, name)
}

func containerPid(name string) int {
	b, err := os.ReadFile(stateFile(name))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

func signalContainer(name string, sig syscall.Signal) bool {
	pid := containerPid(name)
	if pid == 0 {
		return false
	}
	syscall.Kill(-pid, sig)
	if sig == syscall.SIGKILL {
		os.Remove(stateFile(name))
	}
	return true
}

func stopContainer(name string, timeout time.Duration) {
	pid := containerPid(name)
	if pid == 0 {
		fatalf("Error response from daemon: No such container: %s", name)
	}
	syscall.Kill(-pid, syscall.SIGTERM)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil || containerPid(name) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	signalContainer(name, syscall.SIGKILL)
}

// dockerRun is the client: it starts the container and waits for it.
func dockerRun(args []string) {
	var name, workdir string
	var env []string
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			break
		}
		value := func() string {
			if i+1 >= len(args) {
				fatalf("docker: flag %s needs a value", a)
			}
			i++
			return args[i]
		}
		switch a {
		case "--rm", "--init", "-i":
		case "--name":
			name = value()
		case "-w":
			workdir = value()
		case "-e":
			k := value()
			if strings.Contains(k, "=") {
				env = append(env, k)
			} else if v, ok := os.LookupEnv(k); ok {
				env = append(env, k+"="+v)
			}
		case "-v":
			host, _, _ := strings.Cut(value(), ":")
			if _, err := os.Stat(host); err != nil {
				fatalf("docker: Error response from daemon: invalid mount config: bind source path does not exist: %s", host)
			}
		case "--user", "--network", "--label":
			value()
		default:
			fatalf("docker: unknown flag: %s", a)
		}
	}
	if i >= len(args) {
		fatalf("docker: \"docker run\" requires at least 1 argument")
	}
	if name == "" {
		name = fmt.Sprintf("fake-%d", os.Getpid())
	}
	if _, err := os.Stat(stateFile(name)); err == nil {
		fatalf("docker: Error response from daemon: Conflict. The container name %q is already in use", name)
	}
	self, _ := os.Executable()
	c := exec.Command(self, append([]string{"container-main"}, args[i+1:]...)...)
	c.Args[0] = "docker"
	c.Dir = workdir
	// The container sees only what -e passed, plus what the stand-in itself needs to be
	// found again (the state folder).
	c.Env = append(env, "FAKEDOCKER_STATE="+os.Getenv("FAKEDOCKER_STATE"), "PATH="+os.Getenv("PATH"))
	c.Stdout, c.Stderr = os.Stdout, os.Stderr
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if err := c.Start(); err != nil {
		fatalf("docker: %v", err)
	}
	os.WriteFile(stateFile(name), []byte(strconv.Itoa(c.Process.Pid)), 0o600)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if os.Getenv("FAKEDOCKER_NO_PROXY") != "1" {
					c.Process.Signal(s)
				} else if s == syscall.SIGTERM {
					os.Exit(143) // the client dies; the container lives on
				}
			case <-done:
				return
			}
		}
	}()
	err := c.Wait()
	close(done)
	// When a container's first process ends, everything else in it ends too.
	syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	os.Remove(stateFile(name)) // --rm
	if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		os.Exit(128 + int(ws.Signal()))
	}
	if err != nil && c.ProcessState == nil {
		fatalf("docker: %v", err)
	}
	os.Exit(c.ProcessState.ExitCode())
}

// containerMain is the process inside the container: the image's command is dbt.
func containerMain(args []string) {
	if len(args) > 0 && args[0] == "dbt" {
		args = args[1:]
	}
	dbtMain(args)
}
