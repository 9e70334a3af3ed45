package conformance

import (
	"bytes"
	"context"
	"io"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time the process has used: on a shared machine it measures the work
// better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRun runs the 20,000-line batch of make bench-peer through Run, from the bytes of the
// input to the bytes of the output (what `kiln sfn conformance` does minus process start).
func BenchmarkRun(b *testing.B) {
	batch := BenchBatch(20000)
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if err := Run(context.Background(), bytes.NewReader(batch), io.Discard, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(20000*b.N)/b.Elapsed().Seconds(), "executions/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}
