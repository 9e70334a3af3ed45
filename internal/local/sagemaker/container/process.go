package container

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// Process is a running training or serving program. Its methods are safe for concurrent use.
type Process interface {
	// Done is closed once the program has exited and its output is written.
	Done() <-chan struct{}
	// Err waits for the program to exit and returns its exit error (nil for exit 0).
	Err() error
	// Stop asks the program to end (SIGTERM), kills it when it is still running after grace,
	// and waits until it has exited.
	Stop(grace time.Duration)
	// Kill ends the program at once and does not wait.
	Kill()
}

// proc is a [Process] over a started command: the program itself (the command runtime) or
// the docker CLI attached to a container (the Docker runtime), with the ways to end it.
type proc struct {
	done chan struct{}
	err  error
	term func() // ask the program to end
	kill func() // end it now
}

func (p *proc) Done() <-chan struct{} { return p.done }

func (p *proc) Err() error {
	<-p.done
	return p.err
}

func (p *proc) Stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	p.term()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		p.kill()
		<-p.done
	}
}

func (p *proc) Kill() { p.kill() }

// output is where a program's stdout and stderr go: a log file and, per line, an optional
// callback.
type output struct {
	path string
	line func(string)
}

// startLogged starts cmd with its output appended to out.path (and each line given to
// out.line), calls started with the running command (to record it) and exited once it has
// exited, and returns the process once cmd has started.
func startLogged(cmd *exec.Cmd, out output, started, exited func(*exec.Cmd)) (*proc, error) {
	logf, err := os.OpenFile(out.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	logDone := make(chan struct{})
	go copyLines(pr, logf, out.line, logDone)
	if err := cmd.Start(); err != nil {
		pw.Close()
		<-logDone
		logf.Close()
		return nil, err
	}
	started(cmd)
	p := &proc{done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		exited(cmd)
		pw.Close()
		<-logDone
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// copyLines writes every line of r to w and to line (when set), then drains r.
func copyLines(r io.Reader, w io.Writer, line func(string), done chan<- struct{}) {
	defer close(done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		text := sc.Text()
		_, _ = io.WriteString(w, text+"\n")
		if line != nil {
			line(text)
		}
	}
	_, _ = io.Copy(io.Discard, r)
}
