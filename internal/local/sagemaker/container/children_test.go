package container

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperParent plays a kiln parent: it starts a child the way kiln does, prints its PID
// and blocks until it is killed.
func helperParent() int {
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		fmt.Println("error", err)
		return 2
	}
	fmt.Println(cmd.Process.Pid)
	select {}
}

func TestAChildDiesWithItsKilledParent(t *testing.T) {
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), "KILN_SM_HELPER=parent")
	out, err := parent.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, parent.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	pid, err := strconv.Atoi(line[:len(line)-1])
	require.NoError(t, err, "parent said %q", line)
	require.NotEmpty(t, processStart(pid), "the child runs")
	defer syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck // cleanup only

	require.NoError(t, parent.Process.Signal(syscall.SIGKILL))
	_ = parent.Wait()
	assert.Eventually(t, func() bool { return processStart(pid) == "" }, 5*time.Second, 10*time.Millisecond,
		"the child of a SIGKILLed parent is gone")
}

func TestARestartStopsRecordedLeftoversAndNothingElse(t *testing.T) {
	root := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func() *exec.Cmd {
		c := exec.Command("sleep", "300")
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // no Pdeathsig: a leftover
		require.NoError(t, c.Start())
		t.Cleanup(func() { _ = c.Process.Kill(); _ = c.Wait() })
		return c
	}
	left := start()
	trackChild(root, log, left.Process.Pid, "sleep")
	// A record whose PID now belongs to another program (its start time differs).
	other := start()
	b, _ := json.Marshal(childRecord{PID: other.Process.Pid, Start: "1", Path: "sleep"})
	require.NoError(t, os.WriteFile(filepath.Join(pidDir(root), strconv.Itoa(other.Process.Pid)+".json"), b, 0o600))

	stopped := Reap(root, log)
	assert.Equal(t, []int{left.Process.Pid}, stopped)
	err := left.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal())
	assert.NotEmpty(t, processStart(other.Process.Pid), "a process whose identity does not match is left alone")
	entries, err := os.ReadDir(pidDir(root))
	require.NoError(t, err)
	assert.Empty(t, entries, "every record is settled")
}

func TestProcessStartReadsTheStartTimeOfALiveProcess(t *testing.T) {
	assert.NotEmpty(t, processStart(os.Getpid()))
	assert.Empty(t, processStart(1<<22+12345), "no such process")
}
