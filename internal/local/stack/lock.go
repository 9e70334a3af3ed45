package stack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// LockFile is the name of the state directory's lock file. It is never deleted: a process
// that deleted it while another held it would let a third in.
const LockFile = "kiln.lock"

// ErrDirInUse is wrapped by the error [LockDir] returns when another process holds the
// state directory.
var ErrDirInUse = errors.New("the state directory is in use by another kiln process")

// DirLock is an exclusive hold on a state directory (an flock on <dir>/kiln.lock, released
// by the kernel when the process dies). Release it with Close.
type DirLock struct {
	f *os.File
}

// LockDir takes the state directory dir for this process, creating it (0700) if needed, and
// records who holds it (pid, what, since) in the lock file. When another process holds it
// (its lock file, or the database a kiln process without a lock file has open), it returns
// an error wrapping ErrDirInUse that names the holder. Take it before changing anything in
// dir.
func LockDir(dir, what string) (*DirLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock state directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock state directory %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		h := strings.TrimSpace(string(holder))
		if h == "" {
			h = "another kiln process"
		}
		return nil, fmt.Errorf("%w: %s is held by %s", ErrDirInUse, dir, h)
	}
	// A kiln process from before the lock file holds only the database's flock.
	if db, err := os.OpenFile(filepath.Join(dir, "kiln.db"), os.O_RDONLY, 0); err == nil {
		busy := syscall.Flock(int(db.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil
		db.Close() // closing drops the probe's lock
		if busy {
			f.Close()
			return nil, fmt.Errorf("%w: %s/kiln.db is open in another kiln process", ErrDirInUse, dir)
		}
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%s (pid %d, since %s)\n", what, os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	privateState(dir) // only once held: a folder another process holds is not touched
	return &DirLock{f: f}, nil
}

// Close releases the lock; it is safe to call more than once and on nil.
func (l *DirLock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close()
	l.f = nil
	return err
}

// privateState makes the state folder and the folders kiln keeps data in private to the
// user (0700), for a folder an earlier kiln created 0755: with the folder closed, nothing in
// it, whatever its own mode, can be read by another user.
func privateState(dir string) {
	for _, d := range []string{dir, filepath.Join(dir, "s3"), filepath.Join(dir, "sagemaker")} {
		if st, err := os.Stat(d); err == nil && st.IsDir() && st.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(d, st.Mode().Perm()&0o700)
		}
	}
}
