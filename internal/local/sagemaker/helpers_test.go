package sagemaker

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/awsevent"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// The test binary doubles as the training and serving programs: TestMain runs the helper
// named by KILN_SM_HELPER instead of the tests.
// sleepReady is what the test training program in mode sleep prints once it has saved its
// partial model and catches SIGTERM: a test that stops the job waits for it, so the stop never
// lands before the program is ready for it.
const sleepReady = "sleeping with a partial model saved"

func TestMain(m *testing.M) {
	switch os.Getenv("KILN_SM_HELPER") {
	case "train":
		os.Exit(helperTrain())
	case "serve":
		os.Exit(helperServe())
	}
	os.Exit(m.Run())
}

// helperTrain is a tiny training program under the SageMaker contract: it reads its
// hyperparameters and channel, writes a model and an evaluation, and fails on request.
func helperTrain() int {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	root := fs.String("root", "", "job directory")
	_ = fs.Parse(os.Args[1:])
	hpBytes, err := os.ReadFile(filepath.Join(*root, "input/config/hyperparameters.json"))
	if err != nil {
		fmt.Println("read hyperparameters:", err)
		return 4
	}
	var hps map[string]string
	if err := json.Unmarshal(hpBytes, &hps); err != nil {
		fmt.Println("hyperparameters are not all strings:", err)
		return 4
	}
	fmt.Println("starting training with mode", hps["mode"])
	switch hps["mode"] {
	case "fail":
		_ = os.WriteFile(filepath.Join(*root, "output/failure"), []byte("ValueError: the data has no Rings column"), 0o644)
		return 2
	case "crash":
		fmt.Fprintln(os.Stderr, "segfault-ish")
		return 3
	case "sleep":
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		_ = os.WriteFile(filepath.Join(os.Getenv("SM_MODEL_DIR"), "partial.txt"), []byte("partial"), 0o644)
		// Tests wait for this line: from here a SIGTERM is caught and the partial model is saved.
		fmt.Println(sleepReady)
		select {
		case <-sig:
			return 0
		case <-time.After(time.Minute):
			return 5
		}
	}
	data, err := os.ReadFile(filepath.Join(os.Getenv("SM_CHANNEL_TRAIN"), "data.csv"))
	if err != nil {
		fmt.Println("read channel:", err)
		return 4
	}
	rows := len(strings.Split(strings.TrimSpace(string(data)), "\n"))
	model := fmt.Sprintf("model trained on %d rows with depth %s", rows, hps["depth"])
	_ = os.WriteFile(filepath.Join(os.Getenv("SM_MODEL_DIR"), "model.txt"), []byte(model), 0o644)
	_ = os.WriteFile(filepath.Join(os.Getenv("SM_OUTPUT_DATA_DIR"), "evaluation.json"), []byte(`{"regression_metrics":{"mse":{"value":4.2}}}`), 0o644)
	fmt.Println("channels", os.Getenv("SM_CHANNELS"), "hps", os.Getenv("SM_HPS"))
	fmt.Println("training done")
	return 0
}

// helperServe is a tiny serving program: /ping, and /invocations answering with the model
// file's contents and the request; "boom" gets a 500, "bad" a 400.
func helperServe() int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	port := fs.String("port", "", "port")
	modelDir := fs.String("model", "", "model dir")
	_ = fs.Parse(os.Args[1:])
	model, _ := os.ReadFile(filepath.Join(*modelDir, "model.txt"))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	mux.HandleFunc("POST /invocations", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		in := string(body)
		switch in {
		case "boom":
			http.Error(w, "the model exploded", 500)
			return
		case "bad":
			http.Error(w, "bad row", 400)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		fmt.Fprintf(w, "%s|%s", model, in)
	})
	l, err := net.Listen("tcp", "127.0.0.1:"+*port)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	_ = http.Serve(l, mux)
	return 0
}

func helperCommand(mode string, args ...string) Command {
	return Command{Path: os.Args[0], Args: args, Env: []string{"KILN_SM_HELPER=" + mode}}
}

// memBlobs is an in-memory Blobs.
type memBlobs struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func newMemBlobs() *memBlobs { return &memBlobs{objects: map[string][]byte{}} }

func (m *memBlobs) Get(_ context.Context, bucket, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[bucket+"/"+key]
	if !ok {
		return nil, fmt.Errorf("NoSuchKey: s3://%s/%s", bucket, key)
	}
	return append([]byte(nil), b...), nil
}

func (m *memBlobs) Put(_ context.Context, bucket, key string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[bucket+"/"+key] = append([]byte(nil), body...)
	return nil
}

func (m *memBlobs) List(_ context.Context, bucket, prefix string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.objects {
		if rest, ok := strings.CutPrefix(k, bucket+"/"); ok && strings.HasPrefix(rest, prefix) {
			out = append(out, rest)
		}
	}
	return out, nil
}

func (m *memBlobs) keys(prefix string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

type event struct {
	DetailType string
	Detail     map[string]any
	Resources  []string
}

// recEvents records events.
type recEvents struct {
	mu     sync.Mutex
	events []event
}

func (r *recEvents) PutAWSEvent(_ context.Context, ev awsevent.Event) error {
	if ev.Source != "aws.sagemaker" {
		return errors.New("wrong source " + ev.Source)
	}
	var d map[string]any
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{ev.DetailType, d, ev.Resources})
	return nil
}

func (r *recEvents) of(detailType string) []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event
	for _, e := range r.events {
		if e.DetailType == detailType {
			out = append(out, e)
		}
	}
	return out
}

type datum struct {
	Metric string
	Dims   map[string]string
	Value  float64
	Unit   string
}

// recMetrics records metric data.
type recMetrics struct {
	mu   sync.Mutex
	data []datum
}

func (r *recMetrics) Put(namespace, metric string, dims map[string]string, value float64, unit string, _ time.Time) {
	if namespace != "AWS/SageMaker" {
		panic("namespace " + namespace)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data = append(r.data, datum{metric, dims, value, unit})
}

func (r *recMetrics) sum(metric, variant string) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	total := 0.0
	for _, d := range r.data {
		if d.Metric == metric && (variant == "" || d.Dims["VariantName"] == variant) {
			total += d.Value
		}
	}
	return total
}

// fakeAlarms answers from a function.
type fakeAlarms func(name string) string

func (f fakeAlarms) AlarmState(name string) string { return f(name) }

// newManualClock returns a virtual clock that moves only when Advance is called.
func newManualClock() *clock.Virtual {
	return clock.NewVirtual(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
}

// autoClock advances virtual time by exactly the wait whenever someone waits, so a
// deployment's waits take no real time and happen in order.
type autoClock struct {
	mu  sync.Mutex
	now time.Time
}

func newAutoClock() *autoClock {
	return &autoClock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
}

func (c *autoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *autoClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// Sleep moves the clock to t when it is later and returns at once.
func (c *autoClock) Sleep(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	return ctx.Err()
}

// AfterFunc moves the clock by d and calls f in its own goroutine.
func (c *autoClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	<-c.After(d)
	return time.AfterFunc(0, f)
}

const (
	trainImage = "000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln-test-train:latest"
	serveImage = "000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln-test-serve:latest"
	bucket     = "kiln-test-artifacts"
)

type harness struct {
	svc     *Service
	db      *bolt.DB
	cfg     Config
	blobs   *memBlobs
	events  *recEvents
	metrics *recMetrics
	api     *awssm.Client
	runtime *sagemakerruntime.Client
	logs    *lineLog
}

type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) add(job, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, job+": "+line)
}

// newHarness starts a service with fakes on a fresh database, an httptest server with
// both handlers, and real SDK clients pointed at it. mutate may change the config.
func newHarness(t testing.TB, clk clock.Clock, mutate func(*Config)) *harness {
	t.Helper()
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "kiln.db"), 0o600, nil)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	h := &harness{db: db, blobs: newMemBlobs(), events: &recEvents{}, metrics: &recMetrics{}, logs: &lineLog{}}
	h.cfg = Config{
		Root:    filepath.Join(dir, "sagemaker"),
		DB:      db,
		Blobs:   h.blobs,
		Events:  h.events,
		Metrics: h.metrics,
		Clock:   clk,
		Images: map[string]Command{
			trainImage: helperCommand("train", "--root", "{root}"),
			serveImage: helperCommand("serve", "--port", "{port}", "--model", "{model_dir}"),
		},
		TrainingLog:          h.logs.add,
		PingTimeout:          20 * time.Second,
		CaptureFlushInterval: -1,
		AlarmPollInterval:    5 * time.Second,
	}
	if mutate != nil {
		mutate(&h.cfg)
	}
	h.start(t)
	return h
}

// start (re)opens the service on the harness's database and points clients at it.
func (h *harness) start(t testing.TB) {
	t.Helper()
	svc, err := New(h.cfg)
	require.NoError(t, err)
	h.svc = svc
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = svc.Close(ctx)
	})
	mux := http.NewServeMux()
	mux.Handle("/endpoints/", svc.RuntimeHandler())
	mux.Handle("/", svc.APIHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	awsCfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	}
	h.api = awssm.NewFromConfig(awsCfg, func(o *awssm.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	h.runtime = sagemakerruntime.NewFromConfig(awsCfg, func(o *sagemakerruntime.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

func (h *harness) stop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, h.svc.Close(ctx))
}

func (h *harness) callErr(op string, in any) error {
	b, _ := json.Marshal(in)
	_, err := h.svc.Call(context.Background(), op, b)
	return err
}
