package asl

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/clock"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// testResources is the registry the golden cases run against.
func testResources() *Resources {
	r := NewResources()
	r.Handle("aws-sdk:test:fail", func(ctx context.Context, req *TaskRequest) (any, error) {
		p, _ := req.Parameters.(map[string]any)
		name, _ := p["Error"].(string)
		cause, _ := p["Cause"].(string)
		return nil, Fail(name, cause)
	})
	// failUntil fails with Error until its Attempt parameter reaches SucceedAt, then returns
	// its parameters: a flaky call whose every attempt is visible in the output.
	r.Handle("aws-sdk:test:failUntil", func(ctx context.Context, req *TaskRequest) (any, error) {
		p, _ := req.Parameters.(map[string]any)
		attempt, _ := p["Attempt"].(float64)
		succeedAt, _ := p["SucceedAt"].(float64)
		if attempt < succeedAt {
			name, _ := p["Error"].(string)
			return nil, Fail(name, fmt.Sprintf("attempt %v failed", attempt))
		}
		return p, nil
	})
	r.Handle("aws-sdk:test:sleep", func(ctx context.Context, req *TaskRequest) (any, error) {
		p, _ := req.Parameters.(map[string]any)
		secs, _ := p["Seconds"].(float64)
		if err := req.Clock.Sleep(ctx, req.Clock.Now().Add(time.Duration(secs)*time.Second)); err != nil {
			return nil, err
		}
		return map[string]any{"slept": secs}, nil
	})
	r.Handle("sqs:sendMessage", func(ctx context.Context, req *TaskRequest) (any, error) {
		p, _ := req.Parameters.(map[string]any)
		b, _ := json.Marshal(p["answer"])
		if err := req.Engine.SendTaskSuccess(req.TaskToken, b); err != nil {
			return nil, err
		}
		return nil, nil
	})
	lambda := LambdaHandler(func(ctx context.Context, fn string, payload any) (any, error) {
		if strings.HasSuffix(fn, ":boom") {
			return nil, fmt.Errorf("deploy: %w", errors.New("rolled back"))
		}
		return payload, nil
	})
	r.Handle("lambda:invoke", lambda)
	r.Handle("lambda:function", lambda)
	return r
}

type goldenCase struct {
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
}

type goldenResult struct {
	Status  Status          `json:"status"`
	Output  json.RawMessage `json:"output,omitempty"`
	Error   string          `json:"error,omitempty"`
	Cause   string          `json:"cause,omitempty"`
	History []string        `json:"history"`
}

// historyLines renders events compactly and deterministically: for machines with Map or
// Parallel states only the top-level events are kept (with their ids), since the order and
// even the presence of events inside concurrent branches depends on scheduling.
func historyLines(evs []Event, concurrent bool) []string {
	var out []string
	for _, ev := range evs {
		if concurrent && ev.Nested() {
			continue
		}
		s := ev.Type
		if ev.Name != "" {
			s += " " + ev.Name
		}
		if ev.Error != "" {
			s += " error=" + ev.Error
		}
		if !concurrent {
			s = fmt.Sprintf("%d after %d: %s", ev.ID, ev.PreviousEventID, s)
		}
		out = append(out, s)
	}
	return out
}

func TestGoldenExecutions(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.json")
	require.NoError(t, err)
	for _, file := range files {
		if strings.HasSuffix(file, ".golden.json") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(strings.ReplaceAll(name, "_", " "), func(t *testing.T) {
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			var c goldenCase
			require.NoError(t, json.Unmarshal(b, &c))
			m, err := Parse(c.Definition)
			require.NoError(t, err)
			e := NewEngine(Options{Resources: testResources(), Clock: clock.NewVirtual(time.Time{}), Seed: 7})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			x, r, err := e.Run(ctx, m, StartInput{Name: "golden", Input: c.Input})
			require.NoError(t, err)
			concurrent := strings.Contains(string(c.Definition), `"Map"`) || strings.Contains(string(c.Definition), `"Parallel"`)
			got := goldenResult{Status: r.Status, Output: r.Output, Error: r.Error, Cause: r.Cause, History: historyLines(x.History(), concurrent)}
			gotJSON, err := json.MarshalIndent(got, "", "  ")
			require.NoError(t, err)
			goldenFile := strings.TrimSuffix(file, ".json") + ".golden.json"
			if *update {
				require.NoError(t, os.WriteFile(goldenFile, append(gotJSON, '\n'), 0o644))
				return
			}
			want, err := os.ReadFile(goldenFile)
			require.NoError(t, err, "run go test ./internal/asl -update to create the golden file")
			require.JSONEq(t, string(want), string(gotJSON))
		})
	}
}

// TestRunAppendMatchesRun runs every golden machine through Run and RunAppend on quiet engines
// (no history, as the conformance command runs them): the outcome is the same, and RunAppend
// appends exactly Run's output after what the buffer held. RunAppend recycles its executions,
// so the machines are run again and again from four goroutines at once, each execution built
// in one another machine's run left behind (go test -race checks nothing still touches it).
func TestRunAppendMatchesRun(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.json")
	require.NoError(t, err)
	type want struct {
		file   string
		m      *Machine
		input  []byte
		result Result
	}
	var wants []want
	quiet := func() *Engine {
		return NewEngine(Options{Resources: testResources(), Clock: clock.NewVirtual(time.Time{}), Seed: 7, NoHistory: true})
	}
	for _, file := range files {
		if strings.HasSuffix(file, ".golden.json") {
			continue
		}
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		var c goldenCase
		require.NoError(t, json.Unmarshal(b, &c))
		m, err := Parse(c.Definition)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, r, err := quiet().Run(ctx, m, StartInput{Name: "golden", Input: c.Input})
		cancel()
		require.NoError(t, err, file)
		wants = append(wants, want{file, m, c.Input, r})
	}
	require.Greater(t, len(wants), 10)

	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 3; round++ {
				for i := range wants {
					w := wants[(i+g)%len(wants)]
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					got, buf, err := quiet().RunAppend(ctx, w.m, StartInput{Name: "golden", Input: w.input}, []byte("prefix:"))
					cancel()
					if !assert.NoError(t, err, w.file) {
						return
					}
					assert.Equal(t, w.result.Status, got.Status, w.file)
					assert.Equal(t, w.result.Error, got.Error, w.file)
					assert.Equal(t, w.result.Cause, got.Cause, w.file)
					assert.Nil(t, got.Output, w.file)
					assert.Equal(t, "prefix:"+string(w.result.Output), string(buf), w.file)
				}
			}
		}()
	}
	wg.Wait()
}
