package stepfunctions

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/awsevent"
	"github.com/kiln-dev/kiln/internal/topology"
)

// The bbolt buckets of the service.
var (
	bucketExecutions  = []byte("sfn.executions")  // execution ARN -> record JSON
	bucketHistory     = []byte("sfn.history")     // execution ARN -> sub-bucket: event id -> event JSON (wire shape)
	bucketCheckpoints = []byte("sfn.checkpoints") // execution ARN -> latest asl.Checkpoint JSON
	bucketTokens      = []byte("sfn.tokens")      // task token -> execution ARN
)

// APIError is a Step Functions error with its wire code (the __type of the response).
type APIError struct {
	Code    string
	Message string
}

// Error returns "Code: Message".
func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the wire code.
func (e *APIError) ErrorCode() string { return e.Code }

func apiErr(code, format string, a ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, a...)}
}

// Execution is the stored record of one execution, as DescribeExecution reports it.
type Execution struct {
	ARN             string          `json:"executionArn"`
	StateMachineARN string          `json:"stateMachineArn"`
	Name            string          `json:"name"`
	Status          asl.Status      `json:"status"`
	Input           json.RawMessage `json:"input"`
	Output          json.RawMessage `json:"output,omitempty"`
	Error           string          `json:"error,omitempty"`
	Cause           string          `json:"cause,omitempty"`
	StartDate       time.Time       `json:"startDate"`
	StopDate        time.Time       `json:"stopDate,omitzero"`
	// Parent is the ARN of the execution that started this one (states:startExecution).
	Parent string `json:"parent,omitempty"`
	// VersionARN and AliasARN are set when the execution was started on a version or alias.
	VersionARN string `json:"stateMachineVersionArn,omitempty"`
	AliasARN   string `json:"stateMachineAliasArn,omitempty"`
	// TestCase names the mock file's test case that answers the execution's tasks (see [Options.Mocks]).
	TestCase string `json:"testCase,omitempty"`
	// RedriveCount and RedriveDate count and date the execution's redrives.
	RedriveCount int       `json:"redriveCount,omitempty"`
	RedriveDate  time.Time `json:"redriveDate,omitzero"`
}

// HistoryEvent is one history event of one execution, as the observer receives it.
type HistoryEvent struct {
	ExecutionARN    string
	ExecutionName   string
	StateMachineARN string
	Event           asl.Event
}

// Options configure a [Service].
type Options struct {
	// DB keeps executions, history, checkpoints and tokens; required.
	DB *bolt.DB
	// Env gives the ARNs their partition, account and region.
	Env topology.Env
	// Machines are the read-only state machines Open creates (the local stack provisions
	// kiln's workflows through it).
	Machines []MachineDefinition
	// Resources resolves the workflows' Task resources; see [Integrations].
	Resources *asl.Resources
	// Clock is the engine's clock; nil means clock.Wall.
	Clock clock.Clock
	// Seed seeds the engine's randomness (0: random).
	Seed uint64
	// Observer receives every history event of every execution, in order per execution; it
	// must be quick and must not call back into the service for the same execution.
	Observer func(HistoryEvent)
	// Log receives persistence failures and resumptions; nil means slog.Default().
	Log *slog.Logger
	// Events, when set, receives the "Step Functions Execution Status Change" event of every
	// status change of a Standard execution (the stack puts it on the default bus), in order,
	// on a goroutine of its own: an execution never waits for it. Nil: no event is built.
	Events awsevent.Sink
	// Mocks, when set, is a Step Functions Local mock file: an execution started on
	// "MACHINE_ARN#TestCase" has its Task states answered by that test case.
	Mocks *asl.MockConfig
}

// Service is the Step Functions stand-in. Create one with [Open].
type Service struct {
	opts   Options
	engine *asl.Engine
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	machines map[string]*StateMachine
	live     map[string]*asl.Execution // running executions by ARN
	// liveChanged is closed (and replaced) whenever live gains or loses an execution.
	liveChanged chan struct{}
	closing     bool
	wg          sync.WaitGroup

	rngMu sync.Mutex
	rng   *mrand.Rand // alias routing
	tests sync.Map    // execution ARN -> mock file layer of its test case

	events *awsevent.Queue // nil without Options.Events
}

// Open creates the state machines of opts.Machines. Call [Service.Resume] once every machine is registered to
// continue the executions a previous process left RUNNING.
func Open(opts Options) (*Service, error) {
	if opts.DB == nil {
		return nil, errors.New("open step functions: a database is required")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Resources == nil {
		opts.Resources = asl.NewResources()
	}
	if err := opts.DB.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketExecutions, bucketHistory, bucketCheckpoints, bucketTokens, bucketMachines} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("open step functions: %w", err)
	}
	s := &Service{opts: opts, machines: map[string]*StateMachine{}, live: map[string]*asl.Execution{}, liveChanged: make(chan struct{}),
		rng: mrand.New(mrand.NewPCG(opts.Seed, uint64(time.Now().UnixNano())))}
	if opts.Mocks != nil {
		opts.Resources.Over(s.mockLayer)
	}
	if opts.Events != nil {
		s.events = awsevent.NewQueue(opts.Events, func(ev awsevent.Event, err error) {
			opts.Log.Error("emit execution status change", "executionArn", ev.Resources[0], "err", err)
		})
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.engine = asl.NewEngine(asl.Options{
		Resources: opts.Resources, Clock: opts.Clock, Seed: opts.Seed,
		Region: opts.Env.Region, Account: opts.Env.Account, Partition: opts.Env.Partition,
		Observer:  &asl.Observer{Event: s.onEvent, Checkpoint: s.onCheckpoint},
		NoHistory: true,
	})
	opts.Resources.Handle("states:startExecution", s.nestedExecution)
	now := s.engine.Clock().Now()
	for _, d := range opts.Machines {
		if _, err := s.CreateStateMachine(d, now); err != nil {
			return nil, fmt.Errorf("open step functions: %w", err)
		}
	}
	if err := s.loadMachines(); err != nil {
		return nil, fmt.Errorf("open step functions: %w", err)
	}
	return s, nil
}

// Engine returns the ASL engine the service runs executions on.
func (s *Service) Engine() *asl.Engine { return s.engine }

// compactJSON returns b compacted, or an error when it is not JSON.
func compactJSON(b []byte) ([]byte, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return []byte("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// track remembers a live execution and persists its result when it ends (unless the service
// is closing: then the execution stays RUNNING for the next process to resume).
func (s *Service) track(x *asl.Execution) {
	s.live[x.ARN()] = x
	s.liveChangedLocked()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-x.Done()
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.live, x.ARN())
		s.liveChangedLocked()
		s.tests.Delete(x.ARN())
		if s.closing {
			return
		}
		r := x.Result()
		rec, err := s.record(x.ARN())
		if err != nil {
			s.opts.Log.Error("record execution result", "executionArn", x.ARN(), "err", err)
			return
		}
		rec.Status, rec.Output, rec.Error, rec.Cause, rec.StopDate = r.Status, r.Output, r.Error, r.Cause, r.StopDate
		if err := s.put(rec); err != nil {
			s.opts.Log.Error("record execution result", "executionArn", x.ARN(), "err", err)
		}
		s.emitStatusLocked(rec)
		if r.Status == asl.StatusSucceeded { // an unsuccessful one keeps it for RedriveExecution
			_ = s.opts.DB.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketCheckpoints).Delete([]byte(x.ARN())) })
		}
	}()
}

func (s *Service) record(arn string) (*Execution, error) {
	var rec *Execution
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketExecutions).Get([]byte(arn))
		if b == nil {
			return apiErr("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
		}
		rec = &Execution{}
		return json.Unmarshal(b, rec)
	})
	return rec, err
}

func (s *Service) put(rec *Execution) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("store execution %s: %w", rec.ARN, err)
	}
	if err := s.opts.DB.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketExecutions).Put([]byte(rec.ARN), b) }); err != nil {
		return fmt.Errorf("store execution %s: %w", rec.ARN, err)
	}
	return nil
}

// DescribeExecution returns the stored record of the execution arn.
func (s *Service) DescribeExecution(arn string) (*Execution, error) { return s.record(arn) }

// Executions returns the executions of the machine smARN (every machine when empty) with
// the given status (any when empty), newest first.
func (s *Service) Executions(smARN string, status asl.Status) ([]*Execution, error) {
	var out []*Execution
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketExecutions).ForEach(func(_, v []byte) error {
			var rec Execution
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			if (smARN == "" || rec.StateMachineARN == smARN) && (status == "" || rec.Status == status) {
				out = append(out, &rec)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list executions: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].StartDate.Equal(out[j].StartDate) {
			return out[i].StartDate.After(out[j].StartDate)
		}
		return out[i].ARN > out[j].ARN
	})
	return out, nil
}

// History returns the execution's history events in the wire shape, oldest first.
func (s *Service) History(arn string) ([]json.RawMessage, error) {
	if _, err := s.record(arn); err != nil {
		return nil, err
	}
	var out []json.RawMessage
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHistory).Bucket([]byte(arn))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			out = append(out, append(json.RawMessage(nil), v...))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", arn, err)
	}
	return out, nil
}

// liveChangedLocked tells every Wait that live changed.
func (s *Service) liveChangedLocked() {
	close(s.liveChanged)
	s.liveChanged = make(chan struct{})
}

// Wait blocks until the execution arn has finished (or ctx ends) and returns its record. A
// record still RUNNING with no live execution (one not resumed yet) is waited for until an
// execution starts or ends.
func (s *Service) Wait(ctx context.Context, arn string) (*Execution, error) {
	for {
		s.mu.Lock()
		x, changed := s.live[arn], s.liveChanged
		s.mu.Unlock()
		var done <-chan struct{} = changed
		if x == nil {
			rec, err := s.record(arn)
			if err != nil || rec.Status != asl.StatusRunning {
				return rec, err
			}
		} else {
			done = x.Done()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-done:
		}
	}
}

// StopExecution aborts a running execution with error and cause and returns its stop date.
func (s *Service) StopExecution(arn, errName, cause string) (time.Time, error) {
	rec, err := s.record(arn)
	if err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	x := s.live[arn]
	s.mu.Unlock()
	if rec.Status != asl.StatusRunning {
		return rec.StopDate, nil
	}
	if x != nil {
		x.Stop(errName, cause)
		<-x.Done()
		rec, err = s.Wait(context.Background(), arn)
		if err != nil {
			return time.Time{}, err
		}
		return rec.StopDate, nil
	}
	rec.Status, rec.Error, rec.Cause, rec.StopDate = asl.StatusAborted, errName, cause, s.engine.Clock().Now()
	if err := s.put(rec); err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	s.emitStatusLocked(rec)
	s.mu.Unlock()
	return rec.StopDate, nil
}

// SendTaskSuccess completes the task waiting for token with output (JSON).
func (s *Service) SendTaskSuccess(token string, output []byte) error {
	if err := s.checkToken(token); err != nil {
		return err
	}
	if !json.Valid(output) {
		return apiErr("InvalidOutput", "Invalid Output: the output is not JSON")
	}
	return s.tokenError(token, s.retryResumed(token, func() error { return s.engine.SendTaskSuccess(token, output) }))
}

// SendTaskFailure fails the task waiting for token with errName and cause.
func (s *Service) SendTaskFailure(token, errName, cause string) error {
	if err := s.checkToken(token); err != nil {
		return err
	}
	return s.tokenError(token, s.retryResumed(token, func() error { return s.engine.SendTaskFailure(token, errName, cause) }))
}

// SendTaskHeartbeat restarts the heartbeat clock of the task waiting for token.
func (s *Service) SendTaskHeartbeat(token string) error {
	if err := s.checkToken(token); err != nil {
		return err
	}
	return s.tokenError(token, s.retryResumed(token, func() error { return s.engine.SendTaskHeartbeat(token) }))
}

// resumedTokenWait bounds how long a callback waits for a resumed execution to register its
// token.
const resumedTokenWait = 2 * time.Second

// retryResumed calls send; when the engine does not know token but the token's execution
// is running and its checkpoint waits for exactly this token (an execution resumed a moment
// ago registers its token on its own goroutine), it waits, for up to resumedTokenWait, to be
// told that the token is registered and sends again.
func (s *Service) retryResumed(token string, send func() error) error {
	err := send()
	if !errors.Is(err, asl.ErrTaskDoesNotExist) || !s.waitsFor(token) {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), resumedTokenWait)
	defer cancel()
	for errors.Is(err, asl.ErrTaskDoesNotExist) {
		if s.engine.WaitToken(ctx, token) != nil {
			return err
		}
		err = send()
	}
	return err
}

// Waiting reports whether the running execution arn waits for a task token, and at which
// state, by its latest stored checkpoint: once it is true, stopping the process loses nothing.
func (s *Service) Waiting(arn string) (state string, waiting bool) {
	_ = s.opts.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCheckpoints).Get([]byte(arn))
		var cp asl.Checkpoint
		if b != nil && json.Unmarshal(b, &cp) == nil && cp.TaskToken != "" {
			state, waiting = cp.State, true
		}
		return nil
	})
	if rec, err := s.record(arn); err != nil || rec.Status != asl.StatusRunning {
		return "", false // an unsuccessful execution keeps its checkpoint for a redrive
	}
	return state, waiting
}

// waitsFor reports whether a running execution's latest checkpoint waits for token.
func (s *Service) waitsFor(token string) bool {
	waiting := false
	_ = s.opts.DB.View(func(tx *bolt.Tx) error {
		arn := tx.Bucket(bucketTokens).Get([]byte(token))
		if arn == nil {
			return nil
		}
		b := tx.Bucket(bucketCheckpoints).Get(arn)
		if b == nil {
			return nil
		}
		var cp asl.Checkpoint
		var rec struct{ Status asl.Status }
		_ = json.Unmarshal(tx.Bucket(bucketExecutions).Get(arn), &rec)
		if json.Unmarshal(b, &cp) == nil && cp.TaskToken == token && rec.Status == asl.StatusRunning {
			waiting = true
		}
		return nil
	})
	return waiting
}

// checkToken rejects a token that cannot be one (empty or longer than 1024 characters).
func (s *Service) checkToken(token string) error {
	if token == "" || len(token) > 1024 || strings.ContainsAny(token, " \n\t") {
		return apiErr("InvalidToken", "Invalid Token: '%s'", token)
	}
	return nil
}

// tokenError maps the engine's error for token to AWS's: a token this service handed out
// whose task is over is TaskTimedOut, an unknown one TaskDoesNotExist.
func (s *Service) tokenError(token string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, asl.ErrTaskDoesNotExist):
		known := false
		_ = s.opts.DB.View(func(tx *bolt.Tx) error {
			known = tx.Bucket(bucketTokens).Get([]byte(token)) != nil
			return nil
		})
		if known {
			return apiErr("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
		}
		return apiErr("TaskDoesNotExist", "Task Does Not Exist: the token is not one of a waiting task")
	case errors.Is(err, asl.ErrInvalidOutput):
		return apiErr("InvalidOutput", "%v", err)
	}
	return err
}

// onEvent persists one history event and hands it to the observer.
func (s *Service) onEvent(x *asl.Execution, ev asl.Event) {
	if isExpress(x.ARN()) {
		return // AWS keeps no history of an EXPRESS execution
	}
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing && ev.Type == "ExecutionAborted" {
		return // the shutdown, not the workflow, ended it: it resumes on the next start
	}
	b, err := json.Marshal(ev)
	if err == nil {
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], uint64(ev.ID))
		err = s.opts.DB.Update(func(tx *bolt.Tx) error {
			h, err := tx.Bucket(bucketHistory).CreateBucketIfNotExists([]byte(x.ARN()))
			if err != nil {
				return err
			}
			return h.Put(k[:], b)
		})
	}
	if err != nil {
		s.opts.Log.Error("store history event", "executionArn", x.ARN(), "eventId", ev.ID, "err", err)
	}
	if s.opts.Observer != nil {
		s.opts.Observer(HistoryEvent{ExecutionARN: x.ARN(), ExecutionName: x.Name(), StateMachineARN: x.StateMachineARN(), Event: ev})
	}
}

// onCheckpoint persists the latest checkpoint and the task token it waits on.
func (s *Service) onCheckpoint(x *asl.Execution, cp asl.Checkpoint) {
	if isExpress(x.ARN()) {
		return
	}
	b, err := json.Marshal(cp)
	if err == nil {
		err = s.opts.DB.Update(func(tx *bolt.Tx) error {
			if cp.TaskToken != "" {
				if err := tx.Bucket(bucketTokens).Put([]byte(cp.TaskToken), []byte(x.ARN())); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketCheckpoints).Put([]byte(x.ARN()), b)
		})
	}
	if err != nil {
		s.opts.Log.Error("store checkpoint", "executionArn", x.ARN(), "state", cp.State, "err", err)
	}
}

// Resume continues every execution left RUNNING by a previous process from its latest
// checkpoint; one without a checkpoint, or whose machine is gone, fails with States.Runtime.
// Call it once, after Open and any CreateStateMachine.
func (s *Service) Resume() error {
	running, err := s.Executions("", asl.StatusRunning)
	if err != nil {
		return err
	}
	// Oldest first, so parents resume before the children they wait for.
	sort.Slice(running, func(i, j int) bool { return running[i].StartDate.Before(running[j].StartDate) })
	for _, rec := range running {
		var cp *asl.Checkpoint
		err := s.opts.DB.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketCheckpoints).Get([]byte(rec.ARN))
			if b == nil {
				return nil
			}
			cp = &asl.Checkpoint{}
			if err := json.Unmarshal(b, cp); err != nil {
				return err
			}
			// Events after the checkpoint are written again by the resumed execution.
			h := tx.Bucket(bucketHistory).Bucket([]byte(rec.ARN))
			if h == nil {
				return nil
			}
			var k [8]byte
			binary.BigEndian.PutUint64(k[:], uint64(cp.LastEventID)+1)
			c := h.Cursor()
			var stale [][]byte
			for key, _ := c.Seek(k[:]); key != nil; key, _ = c.Next() {
				stale = append(stale, append([]byte(nil), key...))
			}
			for _, key := range stale {
				if err := h.Delete(key); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("resume execution %s: %w", rec.ARN, err)
		}
		sm, merr := s.machine(rec.StateMachineARN)
		if cp == nil && merr == nil {
			// It stopped before entering its first state: nothing ran, so it starts over.
			if err := s.restart(rec, sm); err != nil {
				return err
			}
			continue
		}
		if cp == nil || merr != nil {
			rec.Status, rec.Error, rec.StopDate = asl.StatusFailed, asl.ErrRuntime, s.engine.Clock().Now()
			rec.Cause = "the local stack stopped while the execution ran and it cannot be resumed (no checkpoint or no state machine)"
			if err := s.put(rec); err != nil {
				return err
			}
			s.mu.Lock()
			s.emitStatusLocked(rec)
			s.mu.Unlock()
			continue
		}
		s.mu.Lock()
		x, err := s.engine.Resume(s.ctx, sm.machine, *cp, asl.StartInput{Name: rec.Name, Input: rec.Input,
			StateMachineARN: rec.StateMachineARN, ExecutionARN: rec.ARN, RoleARN: sm.RoleARN})
		if err == nil {
			s.track(x)
		}
		s.mu.Unlock()
		if err != nil {
			return fmt.Errorf("resume execution %s: %w", rec.ARN, err)
		}
		s.opts.Log.Info("resumed execution", "executionArn", rec.ARN, "state", cp.State, "waitingForToken", cp.TaskToken != "")
	}
	return nil
}

// restart runs rec again from the beginning (its history dropped), under the same name.
func (s *Service) restart(rec *Execution, sm *StateMachine) error {
	if err := s.opts.DB.Update(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketHistory).DeleteBucket([]byte(rec.ARN))
		if err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
		return nil
	}); err != nil {
		return fmt.Errorf("restart execution %s: %w", rec.ARN, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x, err := s.engine.Start(s.ctx, sm.machine, asl.StartInput{Name: rec.Name, Input: rec.Input, StateMachineARN: sm.ARN,
		ExecutionARN: rec.ARN, RoleARN: sm.RoleARN})
	if err != nil {
		return fmt.Errorf("restart execution %s: %w", rec.ARN, err)
	}
	s.track(x)
	s.opts.Log.Info("restarted execution", "executionArn", rec.ARN, "reason", "it had not entered a state")
	return nil
}

// Close stops the running executions without recording an outcome, so the next Open resumes
// them, and waits for their goroutines.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		return errors.New("close step functions: executions did not stop within 10 s")
	}
	if s.events != nil {
		s.events.Stop()
		ctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		if err := s.events.Flush(ctx); err != nil {
			return fmt.Errorf("close step functions: hand over the status change events: %w", err)
		}
	}
	return nil
}
