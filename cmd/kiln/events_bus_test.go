package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/eventbus"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/topology"
)

// busStack is a local event bus with kiln's topology behind an httptest server.
type busStack struct {
	svc   *eventbus.Service
	url   string
	clock *clock.Virtual
	mu    sync.Mutex
	calls []string // function names, then payloads, in pairs
}

var busT0 = time.Date(2026, 11, 22, 19, 0, 0, 0, time.UTC)

func newBusStack(t *testing.T) *busStack {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kiln.db"), 0o600, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	s := &busStack{clock: clock.NewVirtual(busT0)}
	env := topology.Local("local")
	svc, err := eventbus.New(eventbus.Config{Account: env.Account, Region: env.Region, DB: db, Clock: s.clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Lambda: eventbus.InvokerFunc(func(_ context.Context, fn string, payload []byte) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.calls = append(s.calls, fn, string(payload))
			return nil
		})})
	require.NoError(t, err)
	require.NoError(t, stack.ProvisionBus(svc, env))
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	s.svc, s.url = svc, srv.URL
	return s
}

// invoked waits for the deliveries and returns the payloads each function received.
func (s *busStack) invoked(t *testing.T) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.svc.Wait(ctx))
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for i := 0; i < len(s.calls); i += 2 {
		out[s.calls[i]] = append(out[s.calls[i]], s.calls[i+1])
	}
	s.calls = nil
	return out
}

func runBusCmd(t *testing.T, cmd *cobra.Command, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	return stdout.String(), stderr.String(), err
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestEventsPutSendsAFileToTheBus(t *testing.T) {
	entry := func(i int) string {
		return fmt.Sprintf(`{"Source":"kiln.git","DetailType":"Git Push","Detail":"{\"deleted\":false,\"n\":%d}","EventBusName":"kiln-local-kiln"}`, i)
	}
	var twelve []string
	for i := 0; i < 12; i++ {
		twelve = append(twelve, entry(i))
	}
	cases := []struct {
		name     string
		file     string
		args     []string
		triggers int
		failed   int
	}{
		{"the sample git push envelope reaches the trigger through the kiln bus", "../../events/git-push.json",
			[]string{"--event-bus-name", "kiln-local-kiln"}, 1, 0},
		{"an envelope without a bus goes to the default bus, where no rule takes a push", "../../events/git-push.json", nil, 0, 0},
		{"an entries array is put as it is", writeFile(t, "entries.json", "["+entry(1)+","+entry(2)+"]"), nil, 2, 0},
		{"more than ten entries are put in several calls", writeFile(t, "twelve.json", "["+strings.Join(twelve, ",")+"]"), nil, 12, 0},
		{"an Entries wrapper with a detail object is accepted", writeFile(t, "wrapped.json",
			`{"Entries":[{"Source":"kiln.git","DetailType":"Git Push","Detail":{"deleted":false},"EventBusName":"kiln-local-kiln"}]}`), nil, 1, 0},
		{"an AWS sample event is refused as on AWS", "../../events/drift-alarm-alarm.json", nil, 0, 1},
		{"an AWS event is let in with --aws-source and reaches the drift rule", writeFile(t, "alarm.json",
			`{"source":"aws.cloudwatch","detail-type":"CloudWatch Alarm State Change",`+
				`"detail":{"alarmName":"kiln-drift-local-abalone-Length","state":{"value":"ALARM"}}}`), []string{"--aws-source"}, 1, 0},
		{"a bad entry is reported and exits 1", writeFile(t, "bad.json",
			"["+entry(1)+`,{"Source":"kiln.git","DetailType":"Git Push","Detail":"[1]"}]`), nil, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newBusStack(t)
			stdout, stderr, err := runBusCmd(t, newEventsPutCmd(), append([]string{c.file, "--endpoint", s.url}, c.args...)...)
			var res struct {
				FailedEntryCount int
				Entries          []struct {
					EventID                 string `json:"EventId"`
					ErrorCode, ErrorMessage string
				}
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &res), "stdout %q stderr %q", stdout, stderr)
			assert.Equal(t, c.failed, res.FailedEntryCount)
			if c.failed > 0 {
				assert.Equal(t, exitError{code: 1}, err)
				assert.Contains(t, stderr, "some entries failed")
				assert.Contains(t, []string{"MalformedDetail", "NotAuthorizedForSourceException"}, res.Entries[len(res.Entries)-1].ErrorCode)
			} else {
				require.NoError(t, err, stderr)
				for _, e := range res.Entries {
					assert.NotEmpty(t, e.EventID)
				}
			}
			assert.Len(t, s.invoked(t)["kiln-local-trigger"], c.triggers)
		})
	}
}

func TestEventsPutKeepsTheEnvelopesTime(t *testing.T) {
	s := newBusStack(t)
	_, stderr, err := runBusCmd(t, newEventsPutCmd(), "../../events/git-push.json", "--endpoint", s.url, "--event-bus-name", "kiln-local-kiln")
	require.NoError(t, err, stderr)
	got := s.invoked(t)["kiln-local-trigger"]
	require.Len(t, got, 1)
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(got[0]), &ev))
	assert.Equal(t, "2026-11-20T09:15:02Z", ev["time"])
	assert.Equal(t, "Ada Lovelace", ev["detail"].(map[string]any)["headCommit"].(map[string]any)["author"])
}

func TestEventsPutRefusesFilesThatHoldNoEvents(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"an empty file", "", "the file is empty"},
		{"text that is not JSON", "hello", "not JSON"},
		{"an empty array", "[]", "no events in the file"},
		{"an object that is no event", `{"a":1}`, "neither an envelope"},
		{"an envelope with a bad time", `{"source":"a","detail-type":"b","detail":{},"time":"yesterday"}`, "not RFC 3339"},
	}
	s := newBusStack(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, err := runBusCmd(t, newEventsPutCmd(), writeFile(t, "f.json", c.body), "--endpoint", s.url)
			assert.Equal(t, exitError{code: 1}, err)
			assert.Contains(t, stderr, c.want)
		})
	}
	_, stderr, err := runBusCmd(t, newEventsPutCmd(), filepath.Join(t.TempDir(), "missing.json"), "--endpoint", s.url)
	assert.Equal(t, exitError{code: 1}, err)
	assert.Contains(t, stderr, "read events")
	assert.Empty(t, s.invoked(t))
}

func TestEventsReplayRedeliversArchivedEvents(t *testing.T) {
	s := newBusStack(t)
	_, stderr, err := runBusCmd(t, newEventsPutCmd(), "../../events/git-push.json", "--endpoint", s.url, "--event-bus-name", "kiln-local-kiln")
	require.NoError(t, err, stderr)
	require.Len(t, s.invoked(t)["kiln-local-trigger"], 1)

	from, to := busT0.Add(-time.Minute).Format(time.RFC3339), busT0.Add(time.Minute).Format(time.RFC3339)
	stdout, stderr, err := runBusCmd(t, newEventsReplayCmd(), "--endpoint", s.url, "--from", from, "--to", to,
		"--rule", "kiln-local-git-push", "--name", "again")
	require.NoError(t, err, stderr)
	assert.JSONEq(t, `{"ReplayName":"again","ReplayArn":"arn:aws:events:us-east-1:000000000000:replay/again","State":"STARTING","EventBusName":"kiln-local-kiln"}`, stdout)
	got := s.invoked(t)["kiln-local-trigger"]
	require.Len(t, got, 1)
	assert.Contains(t, got[0], `"replay-name":"again"`)

	stdout, stderr, err = runBusCmd(t, newEventsReplayCmd(), "--endpoint", s.url, "--from", from, "--to", to, "--name", "everything")
	require.NoError(t, err, stderr)
	assert.Equal(t, 2, strings.Count(stdout, "\n"), "one replay per bus: %s", stdout)
	assert.Len(t, s.invoked(t)["kiln-local-trigger"], 1)

	out, _, err := runBusCmd(t, newEventsReplayCmd(), "--endpoint", s.url, "--from", to, "--to", from)
	assert.Equal(t, exitError{code: 1}, err)
	assert.Empty(t, out)
	_, stderr, err = runBusCmd(t, newEventsReplayCmd(), "--endpoint", s.url, "--from", from, "--rule", "nope")
	assert.Equal(t, exitError{code: 1}, err)
	assert.Contains(t, stderr, "no rule nope on any event bus")
	_, stderr, err = runBusCmd(t, newEventsReplayCmd(), "--endpoint", s.url, "--from", "last tuesday")
	assert.Equal(t, exitError{code: 1}, err)
	assert.Contains(t, stderr, `--from "last tuesday" is neither`)
}

func TestBusEndpointComesFromTheFlagOrKilnAddr(t *testing.T) {
	t.Setenv("KILN_ADDR", "")
	assert.Equal(t, "http://127.0.0.1:4566", busEndpoint(""))
	t.Setenv("KILN_ADDR", "127.0.0.1:9999")
	assert.Equal(t, "http://127.0.0.1:9999", busEndpoint(""))
	assert.Equal(t, "http://x:1", busEndpoint("http://x:1"))
}

func TestEventsBusCommandsAreRegistered(t *testing.T) {
	names := map[string]bool{}
	for _, c := range newEventsCmd().Commands() {
		names[c.Name()] = true
	}
	assert.True(t, names["put"])
	assert.True(t, names["replay"])
}
