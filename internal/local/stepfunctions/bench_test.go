package stepfunctions

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/topology"
)

// passChain returns a machine of n Pass states (2n+2 history events per execution).
func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		next := fmt.Sprintf(`"Next":"S%d"`, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Result":{"step":%d},"ResultPath":"$.s%d",%s}`, i, i, i, next)
	}
	b.WriteString("}}")
	return b.String()
}

// BenchmarkPersistedExecution measures an execution of a 20-state Pass chain with its 42
// history events, record and checkpoints written to bbolt (NoSync, as the stack opens it).
func BenchmarkPersistedExecution(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "kiln.db"), 0o600, nil)
	require.NoError(b, err)
	defer db.Close()
	db.NoSync = true
	s, err := Open(Options{DB: db, Env: topology.Local("prod"), Resources: asl.NewResources()})
	require.NoError(b, err)
	defer s.Close()
	sm, err := s.CreateStateMachine(MachineDefinition{Name: "chain", Definition: []byte(passChain(20))}, time.Now())
	require.NoError(b, err)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec, err := s.StartExecution(ctx, sm.ARN, fmt.Sprintf("x%d", i), []byte(`{}`))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Wait(ctx, rec.ARN); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*42)/b.Elapsed().Seconds(), "events/s")
}
