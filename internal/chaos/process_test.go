package chaos

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/stack"
)

// buildKiln builds cmd/kiln into dir and returns the binary's path.
func buildKiln(t *testing.T, dir string) string {
	t.Helper()
	root, err := stack.ModuleRoot(".")
	require.NoError(t, err)
	out := filepath.Join(dir, "kiln")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/kiln")
	cmd.Dir = root
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build ./cmd/kiln: %s", b)
	return out
}

// kilnProcess is one `kiln local` process on a state folder.
type kilnProcess struct {
	cmd      *exec.Cmd
	endpoint string
	log      *os.File
	exited   chan struct{}
}

// startKiln runs the kiln binary bin as `kiln local` on dir with the policy file and waits until it says where
// it listens (a fresh loopback port each start).
func startKiln(t *testing.T, bin, dir, policyFile string) *kilnProcess {
	t.Helper()
	root, err := stack.ModuleRoot(".")
	require.NoError(t, err)
	logFile, err := os.OpenFile(filepath.Join(filepath.Dir(dir), "kiln-local.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	cmd := exec.Command(bin, "local", "--addr", "127.0.0.1:0", "--dir", dir, "--policy", policyFile)
	cmd.Dir = root // the sample model's programs are built from the checkout
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	k := &kilnProcess{cmd: cmd, log: logFile, exited: make(chan struct{})}
	found := make(chan string, 1)
	go k.readStdout(stdout, found)
	select {
	case k.endpoint = <-found:
	case <-k.exited:
		t.Fatalf("kiln local exited before listening: %v\n%s", cmd.ProcessState, tail(logFile.Name()))
	case <-time.After(2 * time.Minute):
		k.kill(t)
		t.Fatalf("kiln local did not listen within 2 minutes\n%s", tail(logFile.Name()))
	}
	t.Cleanup(func() { k.stop(t) })
	return k
}

// readStdout sends the endpoint of the "listening on" line, copies the rest to the log and
// closes k.exited when the process ends.
func (k *kilnProcess) readStdout(r io.Reader, found chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(k.log, "stdout:", line)
		if _, after, ok := strings.Cut(line, " listening on "); ok {
			endpoint, _, _ := strings.Cut(after, ",")
			found <- endpoint
		}
	}
	_ = k.cmd.Wait()
	close(k.exited)
}

// kill stops the process with SIGKILL, as a crash or `kill -9` would, and waits for it.
func (k *kilnProcess) kill(t *testing.T) {
	t.Helper()
	if err := k.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("kill kiln local: %v", err)
	}
	<-k.exited
}

// stop ends the process as Ctrl-C does and waits for it (SIGKILL after a minute); a
// stopped process is left alone.
func (k *kilnProcess) stop(t *testing.T) {
	t.Helper()
	select {
	case <-k.exited:
		return
	default:
	}
	_ = k.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-k.exited:
	case <-time.After(time.Minute):
		t.Errorf("kiln local did not stop within a minute of SIGTERM")
		k.kill(t)
	}
	_ = k.log.Close()
}

// processesUnder returns the PIDs of live processes whose command line names dir: the
// training and serving programs kiln built into dir/bin and started, and kiln itself.
func processesUnder(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(b, []byte(dir)) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && zombie(st) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// zombie reports whether a /proc/<pid>/stat line is of a process that has exited and
// waits only to be reaped.
func zombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

// recordedChildren returns the PIDs kiln recorded for the processes it started.
func recordedChildren(dir string) []int {
	entries, _ := os.ReadDir(filepath.Join(dir, "sagemaker", "pids"))
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(strings.TrimSuffix(e.Name(), ".json")); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitNoProcesses fails the test unless every process under dir is gone within limit.
func waitNoProcesses(t *testing.T, dir string, limit time.Duration) {
	t.Helper()
	var left []int
	ok := poll(context.Background(), limit, func() (bool, error) {
		left = processesUnder(dir)
		return len(left) == 0, nil
	})
	if !ok {
		t.Errorf("processes left behind under %s: %v", dir, describePIDs(left))
	}
}

func describePIDs(pids []int) []string {
	out := make([]string, 0, len(pids))
	for _, pid := range pids {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		out = append(out, fmt.Sprintf("%d %s", pid, bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
	}
	return out
}

// tail returns the last lines of a log file, for a failure message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}
