package stepfunctions

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/topology"
)

// TestWaitIsToldWhenARestartedExecutionResumes waits on an execution that is RUNNING in the
// database but not resumed yet: Wait must block, then return once Resume runs it to its end.
func TestWaitIsToldWhenARestartedExecutionResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiln.db")
	db := openDB(t, path)
	tk := newTokens()
	s := openService(t, db, tk, nil)
	ctx := context.Background()
	rec, err := s.StartExecution(ctx, approvalARN, "abalone-prod-commit-wait", []byte(`{"model":"abalone"}`))
	require.NoError(t, err)
	token := <-tk.ch
	require.Eventually(t, func() bool { _, waiting := s.Waiting(rec.ARN); return waiting }, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, s.Close())
	require.NoError(t, db.Close())

	db = openDB(t, path)
	defer db.Close()
	r := asl.NewResources()
	Integrations{Lambda: newTokens().lambda}.Register(r)
	s, err = Open(Options{DB: db, Env: topology.Local("prod"), Machines: kilnMachines(t, topology.Local("prod")), Resources: r, Seed: 7})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.CreateStateMachine(MachineDefinition{Name: "approval", Definition: []byte(approvalMachine)}, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)

	type result struct {
		rec *Execution
		err error
	}
	done := make(chan result, 1)
	go func() {
		got, err := s.Wait(ctx, rec.ARN)
		done <- result{got, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("Wait returned before the execution resumed: %+v", r)
	case <-time.After(50 * time.Millisecond):
	}
	require.NoError(t, s.Resume())
	require.NoError(t, s.SendTaskSuccess(token, []byte(`{"approved":true}`)))
	r2 := <-done
	require.NoError(t, r2.err)
	require.Equal(t, asl.StatusSucceeded, r2.rec.Status)
}
