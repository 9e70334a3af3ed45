package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/topology"
)

// t0 is the instant every test clock starts at.
var t0 = time.Date(2026, 11, 22, 19, 0, 0, 0, time.UTC)

// env is the local stack's environment, stage "local".
var env = topology.Local("local")

// fakeLambda records invocations; failures[function] makes that many calls fail first, and
// always[function] makes every call fail with that error.
type fakeLambda struct {
	mu       sync.Mutex
	calls    []invocation
	failures map[string]int
	always   map[string]error
}

type invocation struct {
	Function string
	Payload  string
}

func (f *fakeLambda) Invoke(_ context.Context, function string, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, invocation{function, string(payload)})
	if err := f.always[function]; err != nil {
		return err
	}
	if f.failures[function] > 0 {
		f.failures[function]--
		return errors.New("TooManyRequestsException: rate exceeded")
	}
	return nil
}

func (f *fakeLambda) invocations() []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]invocation(nil), f.calls...)
}

func (f *fakeLambda) count(function string) int {
	n := 0
	for _, c := range f.invocations() {
		if c.Function == function {
			n++
		}
	}
	return n
}

// fakeSFN records StartExecution calls as StartExecutionFunc.
type fakeSFN struct {
	mu     sync.Mutex
	starts []invocation
}

func (f *fakeSFN) start(_ context.Context, arn string, input []byte) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, invocation{arn, string(input)})
	return arn + ":exec", nil
}

// fixture is a Service on a clock.Virtual with a DB, sequential IDs and fakes.
type fixture struct {
	svc    *Service
	clock  *clock.Virtual
	lambda *fakeLambda
	sfn    *fakeSFN
	db     *bolt.DB
}

type option func(*Config)

func withoutDB() option { return func(c *Config) { c.DB = nil } }

func withRand(r float64) option { return func(c *Config) { c.Rand = func() float64 { return r } } }

func newFixture(t *testing.T, opts ...option) *fixture {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kiln.db"), 0o600, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	f := &fixture{clock: clock.NewVirtual(t0), lambda: &fakeLambda{failures: map[string]int{}, always: map[string]error{}}, sfn: &fakeSFN{}, db: db}
	var mu sync.Mutex
	n := 0
	cfg := Config{
		Account: env.Account, Region: env.Region, Lambda: f.lambda, StepFunctions: StartExecutionFunc(f.sfn.start),
		DB: db, Clock: f.clock, Rand: func() float64 { return 0 },
		NewID: func() string {
			mu.Lock()
			defer mu.Unlock()
			n++
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
		},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := New(cfg)
	require.NoError(t, err)
	f.svc = svc
	return f
}

// wait waits for the deliveries under way, failing the test after five seconds.
func (f *fixture) wait(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, f.svc.Wait(ctx))
}

// put puts one entry and requires it to be accepted, returning its event ID.
func (f *fixture) put(t *testing.T, e Entry) string {
	t.Helper()
	res, err := f.svc.PutEvents(context.Background(), []Entry{e})
	require.NoError(t, err)
	require.Equal(t, 0, res.FailedEntryCount, "%+v", res.Entries)
	return res.Entries[0].EventID
}

// lambdaARN returns the ARN of a local function.
func lambdaARN(name string) string { return "arn:aws:lambda:us-east-1:000000000000:function:" + name }

// fieldOf decodes a JSON object's field.
func fieldOf(t *testing.T, raw string, field string) any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(raw), &m), raw)
	return m[field]
}
