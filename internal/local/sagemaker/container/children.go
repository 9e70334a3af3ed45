package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Every training and serving process kiln starts is recorded under <Root>/pids/<pid>.json
// with its start identity (the start time the kernel reports for it), and removed when it
// exits. A kiln killed with SIGKILL cannot stop its children; on Linux they die with it
// (Pdeathsig), and elsewhere or for their own children the next start finds the records and
// stops each process whose identity still matches: a PID reused by an unrelated program
// is never signalled.

// childRecord is one recorded child process.
type childRecord struct {
	PID int `json:"pid"`
	// Start is the process's start time in clock ticks since boot (/proc/<pid>/stat field
	// 22); empty where the platform has no such identity.
	Start string `json:"start"`
	Path  string `json:"path"`
}

func pidDir(root string) string { return filepath.Join(root, "pids") }

// trackChild records a started process; a failure to record is logged, not fatal.
func trackChild(root string, log *slog.Logger, pid int, path string) {
	rec := childRecord{PID: pid, Start: processStart(pid), Path: path}
	b, _ := json.Marshal(rec)
	if err := os.MkdirAll(pidDir(root), 0o700); err == nil {
		err = os.WriteFile(filepath.Join(pidDir(root), strconv.Itoa(pid)+".json"), b, 0o600)
		if err == nil {
			return
		}
		log.Warn("child process not recorded", "pid", pid, "error", err)
	}
}

// untrackChild removes the record of an exited process.
func untrackChild(root string, pid int) {
	_ = os.Remove(filepath.Join(pidDir(root), strconv.Itoa(pid)+".json"))
}

// Reap stops every recorded process left by an earlier run whose start identity
// still matches (its whole process group, with SIGKILL) and removes every record. It
// returns the PIDs it stopped.
func Reap(root string, log *slog.Logger) []int {
	entries, err := os.ReadDir(pidDir(root))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		log.Warn("child process records unreadable", "dir", pidDir(root), "error", err)
		return nil
	}
	var stopped []int
	for _, e := range entries {
		path := filepath.Join(pidDir(root), e.Name())
		b, err := os.ReadFile(path)
		var rec childRecord
		if err == nil && json.Unmarshal(b, &rec) == nil && rec.PID > 1 && rec.Start != "" && processStart(rec.PID) == rec.Start {
			_ = syscall.Kill(-rec.PID, syscall.SIGKILL)
			_ = syscall.Kill(rec.PID, syscall.SIGKILL)
			stopped = append(stopped, rec.PID)
			log.Warn("stopped a process left by an earlier run", "pid", rec.PID, "path", rec.Path)
		}
		_ = os.Remove(path)
	}
	return stopped
}

// processStart returns the start time of pid from /proc/<pid>/stat (field 22), "" when
// the process does not exist or the platform has no /proc.
func processStart(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name (field 2) is in parentheses and may hold spaces: split after it.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); field 22 is f[19].
	if len(f) < 20 {
		return ""
	}
	if f[0] == "Z" {
		return "" // a zombie is already dead
	}
	return f[19]
}
