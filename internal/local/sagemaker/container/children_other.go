//go:build !linux

package container

import "syscall"

// childAttr puts a child in its own process group; without Pdeathsig the next start stops
// any child left behind ([Reap]).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
