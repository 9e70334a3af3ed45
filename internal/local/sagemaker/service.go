package sagemaker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/awsevent"
	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
	"github.com/kiln-dev/kiln/internal/local/sagemaker/serving"
)

// Blobs is the local S3 the stand-in reads training data and model artifacts from and writes
// job output and captured data to. Implementations must be safe for concurrent use.
type Blobs interface {
	// Get returns the object's body; a missing object is an error.
	Get(ctx context.Context, bucket, key string) ([]byte, error)
	// Put writes the object, replacing any existing one.
	Put(ctx context.Context, bucket, key string, body []byte) error
	// List returns the keys under prefix, in any order.
	List(ctx context.Context, bucket, prefix string) ([]string, error)
}

// Metrics receives the router's CloudWatch metrics (namespace AWS/SageMaker).
type Metrics interface {
	// Put records one datum.
	Put(namespace, metric string, dims map[string]string, value float64, unit string, at time.Time)
}

// Alarms reads CloudWatch alarm states for automatic rollback.
type Alarms interface {
	// AlarmState returns "OK", "ALARM" or "INSUFFICIENT_DATA" ("" for an unknown alarm).
	AlarmState(name string) string
}

// Command is the local program an image runs as (see [container.Command]).
type Command = container.Command

// Config wires a Service. Root, DB and Blobs are required; the rest have defaults.
type Config struct {
	// Root is the directory for job and endpoint directories (for example .kiln/sagemaker).
	Root string
	// DB keeps every resource; the service creates its own "sagemaker.*" buckets.
	DB *bolt.DB
	// Blobs is the local S3.
	Blobs Blobs
	// Events receives state change events; nil drops them.
	Events awsevent.Sink
	// Metrics receives the router's metrics; nil drops them.
	Metrics Metrics
	// Alarms is read during traffic shifting and baking; nil means every alarm is OK.
	Alarms Alarms
	// Preflight checks what SageMaker does under the execution role before a job or a fleet
	// starts (pulling images, writing captured data); nil checks nothing.
	Preflight Preflight
	// Clock defaults to clock.Wall.
	Clock clock.Clock
	// Images maps a container image URI to the command that stands in for it.
	Images map[string]Command
	// Docker runs the images Images does not map, in containers; nil runs none (see
	// [container.Docker]). Its Root is set to this service's.
	Docker *container.Docker
	// NoDocker says why Docker is nil, for the error an unmapped image gets ("" when kiln was
	// told not to use Docker).
	NoDocker string
	// IsolatedEnvironment reports whether the runtime that runs an image gives its program an
	// environment of its own (a container runtime). Requests for such an image may set any
	// variable; for the others (kiln's process runtime: nil, or false) a request may not set
	// what [RefusedVariable] names. See [CheckEnvironment].
	IsolatedEnvironment func(image string) bool
	// Log defaults to a discarding logger.
	Log *slog.Logger
	// TrainingLog, when set, receives every line a training process prints, prefixed by
	// nothing; the lines also go to <job dir>/logs/training.log. Called from one goroutine
	// per job.
	TrainingLog func(job, line string)
	// PingTimeout bounds how long a serving process may take to answer GET /ping with 200
	// (default 60 s, real time: it waits for a real process).
	PingTimeout time.Duration
	// AlarmPollInterval is how often rollback alarms are read while shifting and baking
	// (default 1 s on Clock).
	AlarmPollInterval time.Duration
	// CaptureMaxRecords flushes an endpoint variant's capture buffer at this many records
	// (default 100).
	CaptureMaxRecords int
	// CaptureFlushInterval flushes every capture buffer this often on Clock (default 10 s);
	// negative disables the timer (FlushCapture and Close still flush).
	CaptureFlushInterval time.Duration
	// Rand returns a float in [0,1) for traffic splitting and capture sampling; it must be
	// safe for concurrent use (default math/rand/v2.Float64).
	Rand func() float64
	// Region and Account appear in ARNs (default us-east-1 and 000000000000).
	Region, Account string
}

// Service is the SageMaker stand-in. Its methods are safe for concurrent use.
type Service struct {
	cfg    Config
	log    *slog.Logger
	client *http.Client
	images *container.Images

	mu        sync.Mutex
	jobs      map[string]*trainingJob
	groups    map[string]*packageGroup
	packages  map[string]*modelPackage // by ARN
	models    map[string]*model
	configs   map[string]*endpointConfig
	endpoints map[string]*endpointRecord
	running   map[string]*jobRun // training jobs with a live process
	waiters   map[string][]chan struct{}

	// live holds the endpoints with running fleets, under a lock of its own so the router's
	// hot path never waits on a database write.
	live     *serving.Endpoints
	router   *serving.Router
	launcher *serving.Launcher
	capture  *serving.Capture

	// events hands job, package and endpoint state changes to Config.Events in order (nil
	// without Config.Events).
	events *awsevent.Queue

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool
}

// New opens the service on cfg.DB, reporting jobs and endpoint updates lost by a previous
// process as AWS would, and restarting the serving processes of InService endpoints in the
// background. Call Close to stop every process it started.
func New(cfg Config) (*Service, error) {
	if cfg.Root == "" {
		return nil, errors.New("new sagemaker: Root is required")
	}
	if cfg.DB == nil {
		return nil, errors.New("new sagemaker: DB is required")
	}
	if cfg.Blobs == nil {
		return nil, errors.New("new sagemaker: Blobs is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Wall{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.PingTimeout <= 0 {
		cfg.PingTimeout = 60 * time.Second
	}
	if cfg.AlarmPollInterval <= 0 {
		cfg.AlarmPollInterval = time.Second
	}
	if cfg.CaptureMaxRecords <= 0 {
		cfg.CaptureMaxRecords = 100
	}
	if cfg.CaptureFlushInterval == 0 {
		cfg.CaptureFlushInterval = 10 * time.Second
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	if err := os.MkdirAll(cfg.Root, 0o700); err != nil {
		return nil, fmt.Errorf("create sagemaker root: %w", err)
	}
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("resolve sagemaker root: %w", err)
	}
	cfg.Root = root
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		cfg: cfg,
		log: cfg.Log,
		client: &http.Client{Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        512,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		}},
		jobs:      map[string]*trainingJob{},
		groups:    map[string]*packageGroup{},
		packages:  map[string]*modelPackage{},
		models:    map[string]*model{},
		configs:   map[string]*endpointConfig{},
		endpoints: map[string]*endpointRecord{},
		running:   map[string]*jobRun{},
		live:      serving.NewEndpoints(),
		waiters:   map[string][]chan struct{}{},
		ctx:       ctx,
		cancel:    cancel,
	}
	s.wireDataPlane()
	if cfg.Events != nil {
		s.events = awsevent.NewQueue(cfg.Events, func(ev awsevent.Event, err error) {
			s.log.Warn("put sagemaker event", "detailType", ev.DetailType, "err", err)
		})
	}
	if err := s.load(); err != nil {
		cancel()
		return nil, err
	}
	s.reap()
	s.recover()
	s.startCaptureFlush()
	return s, nil
}

// Close stops every training and serving process this service started (their records stay
// as they are, so the next New reports them as lost), flushes captured data, and waits for
// background work. It is safe to call more than once.
func (s *Service) Close(ctx context.Context) error {
	if !s.markClosed() {
		return nil
	}
	s.cancel()
	s.killJobs()
	for _, l := range s.live.All() {
		l.Cancel() // ends waits for /ping and deployments in progress
		l.StopAll()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("close sagemaker: %w", ctx.Err())
	}
	err := s.capture.Flush(ctx)
	if s.events != nil {
		s.events.Stop()
		if ferr := s.events.Flush(ctx); ferr != nil {
			return fmt.Errorf("close sagemaker: %w", ferr)
		}
	}
	if err != nil {
		return fmt.Errorf("close sagemaker: %w", err)
	}
	s.client.CloseIdleConnections()
	return nil
}

// markClosed marks the service closed; false when it already was.
func (s *Service) markClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.closed = true
	return true
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC() }

func (s *Service) arn(kind, name string) string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:%s/%s", s.cfg.Region, s.cfg.Account, kind, name)
}

// emit queues an event with its detail as JSON; the queue delivers in order on its own
// goroutine, so callers may hold s.mu.
func (s *Service) emit(detailType string, detail any, resources []string) {
	if s.events == nil {
		return
	}
	b, err := json.Marshal(detail)
	if err != nil {
		s.log.Warn("encode sagemaker event", "detailType", detailType, "err", err)
		return
	}
	s.events.Put(awsevent.Event{Source: "aws.sagemaker", DetailType: detailType, Detail: b, Resources: resources})
}

// FlushEvents waits until every event emitted so far (job, package and endpoint state
// changes) has been handed to Config.Events, so a caller can then wait for the bus, or ctx
// ends. The stack's Settle uses it: without it a package's state change could still be in
// SageMaker's queue when the bus looks idle.
func (s *Service) FlushEvents(ctx context.Context) error {
	if s.events == nil {
		return nil
	}
	return s.events.Flush(ctx)
}
