package container

import "syscall"

// childAttr puts a child in its own process group (so stop signals the group) and has the
// kernel kill it when kiln dies, even by SIGKILL (Pdeathsig; tied to the thread that
// started it, which the Go runtime keeps unless a goroutine exits locked to it).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
