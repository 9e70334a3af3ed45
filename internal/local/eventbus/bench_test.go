package eventbus

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkPutEvents measures PutEvents with five rules that all match the event, each with
// an in-process Lambda target that accepts at once: events/s counts events accepted and
// delivered to all five targets. Archive variants: none, bbolt without fsync, bbolt with fsync.
func BenchmarkPutEvents(b *testing.B) {
	for _, archive := range []string{"none", "bolt-nosync", "bolt-fsync"} {
		for _, batch := range []int{1, 10} {
			b.Run(fmt.Sprintf("archive=%s/entries=%d", archive, batch), func(b *testing.B) {
				benchPut(b, archive, batch)
			})
		}
	}
}

func benchPut(b *testing.B, archive string, batch int) {
	var delivered atomic.Int64
	cfg := Config{Account: "000000000000", Region: "us-east-1",
		Lambda: InvokerFunc(func(context.Context, string, []byte) error { delivered.Add(1); return nil }),
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil))}
	if archive != "none" {
		db, err := bolt.Open(filepath.Join(b.TempDir(), "bench.db"), 0o600, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.NoSync = archive == "bolt-nosync"
		cfg.DB = db
	}
	svc, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.CreateEventBus("kiln-bench-kiln"); err != nil {
		b.Fatal(err)
	}
	patterns := []string{
		`{"source":["kiln.git"]}`,
		`{"source":["kiln.git"],"detail-type":["Git Push"]}`,
		`{"source":["kiln.git"],"detail-type":["Git Push"],"detail":{"deleted":[false]}}`,
		`{"detail":{"branch":[{"prefix":"release/"}]}}`,
		`{"detail":{"repository":["kiln-dev/abalone-model"],"forced":[false]}}`,
	}
	for i, p := range patterns {
		if err := svc.PutRule(Rule{Name: fmt.Sprintf("r%d", i), EventBus: "kiln-bench-kiln", EventPattern: p,
			Targets: []Target{{ID: "t", ARN: lambdaARN("trigger")}}}); err != nil {
			b.Fatal(err)
		}
	}
	entry := Entry{Source: "kiln.git", DetailType: "Git Push", EventBusName: "kiln-bench-kiln",
		Detail: `{"repository":"kiln-dev/abalone-model","branch":"release/1.2","ref":"refs/heads/release/1.2",` +
			`"after":"4e1243bd22c66e76c2ba9eddc1f91394e57f9f83","forced":false,"deleted":false,"pusher":"ada"}`}
	entries := make([]Entry, batch)
	for i := range entries {
		entries[i] = entry
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := svc.PutEvents(ctx, entries)
		if err != nil || res.FailedEntryCount != 0 {
			b.Fatalf("put events: %v %+v", err, res)
		}
	}
	if err := svc.Wait(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	events := float64(b.N * batch)
	if got := delivered.Load(); got != int64(b.N*batch*len(patterns)) {
		b.Fatalf("delivered %d, want %d", got, b.N*batch*len(patterns))
	}
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
}
