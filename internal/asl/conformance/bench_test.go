package conformance

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// BenchmarkRun runs the 20,000-line batch of make bench-peer through Run, from the bytes of the
// input to the bytes of the output (what `kiln sfn conformance` does minus process start).
func BenchmarkRun(b *testing.B) {
	batch := BenchBatch(20000)
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Run(context.Background(), bytes.NewReader(batch), io.Discard, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(20000*b.N)/b.Elapsed().Seconds(), "executions/s")
}
