package eventbus

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/eventpattern"
)

// DefaultBusName is the bus every account has, where AWS services put their events.
const DefaultBusName = "default"

// Invoker invokes a Lambda function by name (the last part of its ARN, for example
// kiln-local-trigger) with a payload, as EventBridge does: asynchronously, so a nil error
// means the invocation was accepted. An error makes the bus retry the delivery; an error for
// which IsPermanent reports true (see Permanent) sends it to the dead-letter store at once.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) error
}

// InvokerFunc adapts a function to Invoker.
type InvokerFunc func(ctx context.Context, function string, payload []byte) error

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, function string, payload []byte) error {
	return f(ctx, function, payload)
}

// StartExecutionAPI starts a Step Functions execution; *sfn.Client satisfies it.
type StartExecutionAPI interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

var _ StartExecutionAPI = (*sfn.Client)(nil)

// StartExecutionFunc adapts a function of the state machine ARN and the input to
// StartExecutionAPI, for an in-process engine.
type StartExecutionFunc func(ctx context.Context, stateMachineARN string, input []byte) (executionARN string, err error)

// StartExecution calls f with the input's state machine ARN and input.
func (f StartExecutionFunc) StartExecution(ctx context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	var arn, input string
	if in.StateMachineArn != nil {
		arn = *in.StateMachineArn
	}
	if in.Input != nil {
		input = *in.Input
	}
	exec, err := f(ctx, arn, []byte(input))
	if err != nil {
		return nil, err
	}
	return &sfn.StartExecutionOutput{ExecutionArn: &exec}, nil
}

// Config holds a Service's settings and dependencies. Only Account and Region are needed;
// every other field has a working default.
type Config struct {
	// Account and Region fill the envelope's account and region and every ARN.
	Account string
	Region  string
	// Partition is the ARN partition; default "aws".
	Partition string
	// Lambda invokes function targets; without it a function target fails permanently.
	Lambda Invoker
	// StepFunctions starts state machine targets; without it such a target fails permanently.
	StepFunctions StartExecutionAPI
	// DB holds the archive and the dead-letter store in buckets named events.*; nil keeps
	// dead letters in memory and archives nothing (Replay then fails).
	DB *bolt.DB
	// Clock tells time and schedules retries with AfterFunc; default clock.Wall.
	Clock clock.Clock
	// NewID returns a fresh event ID; default a random UUID (version 4).
	NewID func() string
	// Rand returns a number in [0, 1) for retry jitter; default math/rand/v2.
	Rand func() float64
	// Log receives one record per dead letter and per failed attempt; default slog.Default().
	Log *slog.Logger
	// Concurrency bounds the deliveries running at once; default 64.
	Concurrency int
}

// Service is a set of event buses with their rules, targets, archive and dead letters. Build
// one with New; it is safe for concurrent use.
type Service struct {
	cfg   Config
	clock clock.Clock
	log   *slog.Logger
	sem   chan struct{}

	mu    sync.RWMutex
	buses map[string]*bus

	dmu     sync.Mutex
	running int // deliveries being attempted or waiting for a worker
	pending int // deliveries not yet settled (running plus waiting for a retry)
	changed chan struct{}
	memDLQ  []DeadLetter
	dlqSeq  uint64

	archiveQ  []*event // events waiting for the archive writer
	archiving bool     // whether the archive writer runs

	replays replayLog // replays started through the HTTP API

	closed  bool                      // set by Close
	waiting map[*delivery]clock.Timer // retries waiting for the clock, with their timers
}

// bus is one event bus: its rules and the matcher built from their patterns.
type bus struct {
	name    string
	matcher *eventpattern.Matcher
	rules   map[string]*Rule
}

// New returns a Service holding the default bus. With a DB it creates its buckets first.
func New(cfg Config) (*Service, error) {
	if cfg.Account == "" || cfg.Region == "" {
		return nil, errors.New("new event bus service: account and region are required")
	}
	if cfg.Partition == "" {
		cfg.Partition = "aws"
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Wall{}
	}
	if cfg.NewID == nil {
		cfg.NewID = newUUID
	}
	if cfg.Rand == nil {
		cfg.Rand = mrand.Float64
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	s := &Service{
		cfg:     cfg,
		clock:   cfg.Clock,
		log:     cfg.Log,
		sem:     make(chan struct{}, cfg.Concurrency),
		buses:   map[string]*bus{},
		changed: make(chan struct{}),
		waiting: map[*delivery]clock.Timer{},
	}
	if cfg.DB != nil {
		if err := initBuckets(cfg.DB); err != nil {
			return nil, err
		}
	}
	s.buses[DefaultBusName] = newBus(DefaultBusName)
	return s, nil
}

func newBus(name string) *bus {
	return &bus{name: name, matcher: eventpattern.NewMatcher(), rules: map[string]*Rule{}}
}

// CreateEventBus adds an empty bus named name (not an ARN). Creating a bus that exists is
// a ResourceAlreadyExistsException, as on AWS.
func (s *Service) CreateEventBus(name string) error {
	if err := validName("event bus", name, 256); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buses[name]; ok {
		return &APIError{Code: "ResourceAlreadyExistsException", Message: fmt.Sprintf("Event bus %s already exists.", name)}
	}
	s.buses[name] = newBus(name)
	return nil
}

// EventBuses returns the names of the buses, sorted.
func (s *Service) EventBuses() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.buses))
	for n := range s.buses {
		names = append(names, n)
	}
	sortStrings(names)
	return names
}

// BusARN returns the ARN of the bus named name.
func (s *Service) BusARN(name string) string {
	return fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", s.cfg.Partition, s.cfg.Region, s.cfg.Account, name)
}

// RuleARN returns the ARN of the rule named rule on the bus named busName; rules on the
// default bus have the short form AWS uses.
func (s *Service) RuleARN(busName, rule string) string {
	if busName == DefaultBusName || busName == "" {
		return fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", s.cfg.Partition, s.cfg.Region, s.cfg.Account, rule)
	}
	return fmt.Sprintf("arn:%s:events:%s:%s:rule/%s/%s", s.cfg.Partition, s.cfg.Region, s.cfg.Account, busName, rule)
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// now returns the clock's time.
func (s *Service) now() time.Time { return s.clock.Now() }
