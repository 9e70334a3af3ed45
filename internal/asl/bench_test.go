package asl

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
)

// cpuTime returns the CPU time the process has used; on a shared machine it measures the work
// of a benchmark better than the wall clock does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const fivePass = `{"StartAt":"S1","States":{
 "S1":{"Type":"Pass","Parameters":{"id.$":"$.id","n.$":"$.n"},"ResultPath":"$.a","Next":"S2"},
 "S2":{"Type":"Pass","InputPath":"$.a","Parameters":{"id.$":"$.id","k":"v"},"ResultPath":"$.b","Next":"S3"},
 "S3":{"Type":"Pass","Parameters":{"x.$":"$.b.k"},"ResultPath":"$.c","OutputPath":"$","Next":"S4"},
 "S4":{"Type":"Pass","Parameters":{"n.$":"$.a.n","c.$":"$.c"},"Next":"S5"},
 "S5":{"Type":"Pass","ResultPath":"$.done","End":true}}}`

// BenchmarkPassTransitions runs a 5-state Pass machine with paths and Parameters; the
// transitions/s metric is what the 1,000,000/s bar refers to.
func BenchmarkPassTransitions(b *testing.B) {
	m, err := Parse([]byte(fivePass))
	if err != nil {
		b.Fatal(err)
	}
	e := NewEngine(Options{Clock: clock.NewVirtual(time.Time{}), Seed: 1, NoHistory: true})
	ctx := context.Background()
	in := []byte(`{"id":"x","n":1}`)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		_, r, err := e.Run(ctx, m, StartInput{Name: "b", Input: in})
		if err != nil || r.Status != StatusSucceeded {
			b.Fatal(err, r)
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(5*b.N)/b.Elapsed().Seconds(), "transitions/s")
	b.ReportMetric(float64(5*b.N)/cpu.Seconds(), "transitions/cpu-s")
}

// BenchmarkMap10000 runs an inline Map over 10,000 items.
func BenchmarkMap10000(b *testing.B) {
	m, err := Parse([]byte(`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","ItemSelector":{"v.$":"$$.Map.Item.Value"},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"w.$":"$.v"},"End":true}}},"End":true}}}`))
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString(`{"xs":[`)
	for i := 0; i < 10000; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "%d", i)
	}
	sb.WriteString(`]}`)
	in := []byte(sb.String())
	e := NewEngine(Options{Clock: clock.NewVirtual(time.Time{}), Seed: 1, NoHistory: true})
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		_, r, err := e.Run(context.Background(), m, StartInput{Name: "b", Input: in})
		if err != nil || r.Status != StatusSucceeded {
			b.Fatal(err, r)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkParsePipeline parses and validates kiln's pipeline definition.
func BenchmarkParsePipeline(b *testing.B) {
	def, err := os.ReadFile("../../statemachines/pipeline.asl.json")
	if err != nil {
		b.Skip("pipeline.asl.json not found:", err)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(def); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}
