package stack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrDamagedState is wrapped by the error [Open] returns when kiln.db is empty, truncated or
// damaged.
var ErrDamagedState = errors.New("the state database is damaged")

// openDB opens the state database at path and checks it before anything reads it: a file
// that exists but is empty (bbolt would silently start a new, empty stack over it), shorter
// than its own pages say (truncated), or whose pages do not check out (tx.Check) is refused
// with an error that says what is wrong, where, and how to start afresh or restore. A panic
// or memory fault inside bbolt while opening or checking becomes that error too.
func openDB(path string) (db *bolt.DB, err error) {
	st, statErr := os.Stat(path)
	if statErr == nil && st.Size() == 0 {
		return nil, damaged(path, "the file is empty (0 bytes), so every execution, model package and endpoint it held is gone; kiln never leaves it empty")
	}
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				_ = db.Close()
			}
			db, err = nil, damaged(path, fmt.Sprintf("reading it failed: %v", r))
		}
	}()
	old := debug.SetPanicOnFault(true) // a page beyond a truncated file's end faults: make it a panic
	defer debug.SetPanicOnFault(old)
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("%s is in use by another kiln process (kiln local or kiln demo)", path)
		}
		if statErr == nil && !errors.Is(err, os.ErrPermission) {
			return nil, damaged(path, err.Error())
		}
		return nil, err
	}
	if statErr != nil { // a new file: nothing to check
		return db, nil
	}
	if err := checkDB(db, path); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// checkDB verifies that the file holds every page its meta page names, then every page.
func checkDB(db *bolt.DB, path string) error {
	return db.View(func(tx *bolt.Tx) error {
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if st.Size() < tx.Size() {
			return damaged(path, fmt.Sprintf("the file is %d bytes but its pages reach %d bytes: it was truncated", st.Size(), tx.Size()))
		}
		var problems []string
		for err := range tx.Check() {
			if len(problems) < 5 {
				problems = append(problems, err.Error())
			}
		}
		if len(problems) > 0 {
			return damaged(path, fmt.Sprintf("its pages do not check out: %v", problems))
		}
		return nil
	})
}

func damaged(path, what string) error {
	dir := filepath.Dir(path)
	return fmt.Errorf("%w: %s: %s. To start afresh, move the state folder away (mv %s %s.damaged) and run again; to keep your state, restore %s from a backup. kiln changed nothing",
		ErrDamagedState, path, what, dir, dir, filepath.Base(path))
}
