package main

import "syscall"

// privateFiles sets the process's file mode creation mask to 077, so that every file and
// folder kiln local or kiln demo creates under the state folder, and every one its training
// and serving programs create (they inherit the mask), is private to the user, whatever
// mode the code asked for.
func privateFiles() { syscall.Umask(0o077) }
