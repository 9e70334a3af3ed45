package asl

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// distributedMap returns a machine whose only state, M, is a distributed Map with the extra
// fields given (JSON members, without braces).
func distributedMap(fields string) string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},` +
		`"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},` + fields + `,"End":true}}}`
}

func TestParseReportsEveryProblemWithItsPath(t *testing.T) {
	cases := []struct {
		name string
		def  string
		want []string
	}{
		{"a bad backoff rate and a missing target are both reported", `{"StartAt":"Train","States":{"Train":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}],"Next":"Nowhere"}}}`,
			[]string{"States.Train.Next: the state \"Nowhere\" does not exist", "States.Train.Retry[0].BackoffRate: must be at least 1.0"}},
		{"an unreachable state is rejected", `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}`,
			[]string{"States.B: the state is not reachable from StartAt"}},
		{"an indefinite ResultPath is rejected", `{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}`,
			[]string{"States.A.ResultPath: \"$.a[*]\" is not a valid path: a reference path may only select a single node (no wildcards, filters, slices or '..')"}},
		{"an unknown field is rejected", `{"StartAt":"A","States":{"A":{"Type":"Pass","Foo":1,"End":true}}}`,
			[]string{"States.A.Foo: the field \"Foo\" is not supported here"}},
		{"a Retry that is not an array is rejected", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":{},"End":true}}}`,
			[]string{"States.A.Retry: must be an array"}},
		{"a catcher that is not an object is rejected", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[1],"End":true}}}`,
			[]string{"States.A.Catch[0]: must be an object"}},
		{"a retrier and a catcher with States.ALL must each come last", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",` +
			`"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}],"Catch":[{"ErrorEquals":["X"],"Next":"B"},{"ErrorEquals":["States.ALL"],"Next":"B"},7],"Next":"B"},"B":{"Type":"Succeed"}}}`,
			[]string{"States.A.Catch[1].ErrorEquals[0]: a catcher with States.ALL must be the last one", "States.A.Catch[2]: must be an object",
				"States.A.Retry[0].ErrorEquals[0]: a retrier with States.ALL must be the last one"}},
		{"a Fail state may not give both Error and ErrorPath, nor Cause and CausePath", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","ErrorPath":"$.e","Cause":"C","CausePath":"$.c"}}}`,
			[]string{"States.F: Cause and CausePath may not both be set", "States.F: Error and ErrorPath may not both be set"}},
		{"a Fail state's Error, Cause and paths must be well formed", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":1,"CausePath":"$$$"}}}`,
			[]string{"States.F.CausePath: \"$$$\" is not a valid reference path: unexpected '$' in path", "States.F.Error: must be a string"}},
		{"a Parallel state needs Branches", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true}}}`,
			[]string{"States.P.Branches: is required"}},
		{"a Parallel state's branch must be an object", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":["x"],"End":true}}}`,
			[]string{"States.P.Branches[0]: must be an object"}},
		{"a Choice state needs at least one choice", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[],"Default":"D"},"D":{"Type":"Succeed"}}}`,
			[]string{"States.C.Choices: must be a non-empty array"}},
		{"a Map state may not give MaxConcurrency and MaxConcurrencyPath", distributedMap(`"MaxConcurrency":2,"MaxConcurrencyPath":"$.n"`),
			[]string{"States.M: MaxConcurrency and MaxConcurrencyPath may not both be set"}},
		{"a negative ToleratedFailureCount is out of range", distributedMap(`"ToleratedFailureCount":-1`),
			[]string{"States.M.ToleratedFailureCount: must be between 0 and 99999999"}},
		{"an item batcher limit and its Path may not both be set", distributedMap(`"ItemBatcher":{"MaxItemsPerBatch":2,"MaxItemsPerBatchPath":"$.n","MaxInputBytesPerBatch":9,"MaxInputBytesPerBatchPath":"$.b"}`),
			[]string{"States.M.ItemBatcher: MaxInputBytesPerBatch and MaxInputBytesPerBatchPath may not both be set",
				"States.M.ItemBatcher: MaxItemsPerBatch and MaxItemsPerBatchPath may not both be set"}},
		{"a batch of zero items is out of range", distributedMap(`"ItemBatcher":{"MaxItemsPerBatch":0}`),
			[]string{"States.M.ItemBatcher.MaxItemsPerBatch: must be between 1 and 99999999"}},
		{"a fractional batch size in bytes is rejected", distributedMap(`"ItemBatcher":{"MaxInputBytesPerBatch":1.5}`),
			[]string{"States.M.ItemBatcher.MaxInputBytesPerBatch: must be an integer"}},
		{"an ItemBatcher without a limit is rejected", distributedMap(`"ItemBatcher":{"BatchInput":{}}`),
			[]string{"States.M.ItemBatcher: needs MaxItemsPerBatch or MaxInputBytesPerBatch"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.def))
			var ves ValidationErrors
			require.True(t, errors.As(err, &ves), "got %v", err)
			var got []string
			for _, ve := range ves {
				got = append(got, ve.Error())
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(fivePass))
	f.Add([]byte(`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","StringMatches":"*x","Next":"E"}],"Default":"E"},"E":{"Type":"Succeed"}}}`))
	f.Fuzz(func(t *testing.T, def []byte) {
		m, err := Parse(def)
		if err == nil && m == nil {
			t.Fatal("nil machine without error")
		}
	})
}

func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"$", "$.a.b", "$['a'][0]", "$.a[*].b", "$..x", "$.a[?(@.b > 1)]", "$$.Execution.Id", "$v.x[-1]"} {
		f.Add(s)
	}
	doc := map[string]any{"a": []any{map[string]any{"b": 2.0}}, "x": 1.0}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePath(s, false)
		if err != nil {
			return
		}
		_, _ = p.get(doc)
		if rp, err := parsePath(s, true); err == nil && rp.root == rootInput {
			_, _ = rp.set(doc, 1.0)
		}
	})
}

func TestCallbacksAndResume(t *testing.T) {
	def := `{"StartAt":"Approve","States":{"Approve":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"notify","Payload":{"token.$":"$$.Task.Token"}},"HeartbeatSeconds":60,"Next":"Done"},"Done":{"Type":"Pass","End":true}}}`
	m, err := Parse([]byte(def))
	require.NoError(t, err)
	res := NewResources()
	res.Handle("lambda:invoke", func(ctx context.Context, req *TaskRequest) (any, error) { return nil, nil })
	var mu sync.Mutex
	var last Checkpoint
	obs := &Observer{Checkpoint: func(x *Execution, cp Checkpoint) { mu.Lock(); last = cp; mu.Unlock() }}
	vc := clock.NewVirtual(time.Time{})
	e := NewEngine(Options{Resources: res, Clock: vc, Seed: 3})
	x, err := e.Start(context.Background(), m, StartInput{Name: "a", Observer: obs})
	require.NoError(t, err)
	token := waitToken(t, &mu, &last)
	// The first process dies: stop the execution; a new engine resumes from the checkpoint.
	x.Stop("Crash", "process ended")
	<-x.Done()
	mu.Lock()
	cp := last
	mu.Unlock()
	e2 := NewEngine(Options{Resources: NewResources(), Clock: clock.NewVirtual(time.Time{}), Seed: 3})
	x2, err := e2.Resume(context.Background(), m, cp, StartInput{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return e2.SendTaskHeartbeat(token) == nil }, time.Second, time.Millisecond)
	require.NoError(t, e2.SendTaskSuccess(token, []byte(`{"approved":true}`)))
	r, err := x2.Wait(context.Background())
	require.NoError(t, err)
	assert.Equal(t, StatusSucceeded, r.Status)
	assert.JSONEq(t, `{"approved":true}`, string(r.Output))
	assert.ErrorIs(t, e2.SendTaskSuccess(token, []byte(`{}`)), ErrTaskDoesNotExist)
}

func waitToken(t *testing.T, mu *sync.Mutex, cp *Checkpoint) string {
	var tok string
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		tok = cp.TaskToken
		return tok != ""
	}, time.Second, time.Millisecond)
	return tok
}

func TestConcurrentRunsOfOneMachine(t *testing.T) {
	m, err := Parse([]byte(fivePass))
	require.NoError(t, err)
	e := NewEngine(Options{Clock: clock.NewVirtual(time.Time{}), Seed: 1})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, r, err := e.Run(context.Background(), m, StartInput{Input: []byte(`{"id":"x","n":1}`)})
			assert.NoError(t, err)
			assert.Equal(t, StatusSucceeded, r.Status)
		}()
	}
	wg.Wait()
}

func TestLenientParsingRunsWhatCanRun(t *testing.T) {
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Foo":1,"End":true},"Orphan":{"Type":"Succeed"}}}`)
	_, err := Parse(def)
	require.Error(t, err, "strict parsing reports the unknown field and the orphan")
	m, err := ParseWith(def, ParseOptions{Lenient: true})
	require.NoError(t, err)
	_, r, err := NewEngine(Options{Clock: clock.NewVirtual(time.Time{})}).Run(context.Background(), m, StartInput{Input: []byte(`{"x":1}`)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"x":1}`, string(r.Output))
	_, err = ParseWith([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Missing"}}}`), ParseOptions{Lenient: true})
	assert.Error(t, err, "a missing transition target cannot run even leniently")
}
