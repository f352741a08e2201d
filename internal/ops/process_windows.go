//go:build windows

package ops

import (
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/windows"
)

// groupAttr starts dbt in a process group of its own, which console control events can reach.
func groupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// signalGroup stops the group the way Windows can. Windows has no SIGINT for another process
// group: CTRL_BREAK is the console event one can send, and Python ends dbt on it without the
// cleanup SIGINT gives (queries already sent to the warehouse may keep running there). The
// last stage ends dbt and every process it started.
func signalGroup(pid int, s stopSignal) {
	if s == stopKill {
		_ = exec.Command("taskkill", "/T", "/F", "/PID", strconv.Itoa(pid)).Run()
		return
	}
	_ = windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(pid))
}
