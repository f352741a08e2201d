//go:build unix

package ops

import "syscall"

// groupAttr starts dbt in a process group of its own, so that a signal reaches its children.
func groupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// signalGroup sends the stage's signal to the whole group.
func signalGroup(pgid int, s stopSignal) {
	sig := syscall.SIGKILL
	switch s {
	case stopInterrupt:
		sig = syscall.SIGINT
	case stopTerminate:
		sig = syscall.SIGTERM
	}
	_ = syscall.Kill(-pgid, sig)
}
