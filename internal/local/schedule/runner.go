package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/backoff"
)

// Invoker invokes a Lambda function by name (for example kiln-local-trigger) with a payload,
// asynchronously as Scheduler does: a nil error means the invocation was accepted.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) error
}

// Definition is one schedule: an expression in a time zone, and the function it invokes
// with a fixed input.
type Definition struct {
	// Name is unique in a Runner.
	Name string
	// Expression is rate(...), cron(...) or at(...).
	Expression string
	// Timezone is an IANA zone; empty means UTC.
	Timezone string
	// Function is the target function's name.
	Function string
	// Input is the JSON the function receives.
	Input json.RawMessage
	// Start, when set, is the schedule's StartDate; otherwise a schedule starts when it is
	// added (a rate schedule first fires one interval later).
	Start time.Time
}

// Firing is one invocation of a schedule's target.
type Firing struct {
	Name     string
	Function string
	// ScheduledTime is the occurrence fired (the time asked for by Fire for a manual firing).
	ScheduledTime time.Time
	// Manual is true for a firing made with Fire.
	Manual bool
	// Retry counts the earlier failed attempts of this occurrence (0 for the first).
	Retry int
	// Err is the invoker's error, nil when the invocation was accepted.
	Err error
}

// Status is a schedule's state in a Runner.
type Status struct {
	Definition
	// Next is the next firing time; zero when the schedule is over.
	Next time.Time
	// LastFired is the last occurrence fired, LastError its error ("" for none).
	LastFired time.Time
	LastError string
	// Fired counts the firings, manual ones included.
	Fired int
}

type entry struct {
	def    Definition
	sched  Schedule
	status Status
}

// Runner holds schedules and fires them through an Invoker when the clock it is given
// reaches their times. A failed invocation is retried as EventBridge Scheduler does, with
// exponential backoff and jitter, until the retry policy's attempts or event age run out; it
// then joins the runner's dead letters. It keeps no goroutine of its own: call Tick (tests,
// with a fake clock) or Run (a real loop). It is safe for concurrent use.
type Runner struct {
	inv    Invoker
	log    *slog.Logger
	policy RetryPolicy
	rand   func() float64

	mu          sync.Mutex
	entries     map[string]*entry
	retries     []*retry
	deadLetters []DeadLetter
}

// RetryPolicy bounds the retries of a failed invocation, as Scheduler's target RetryPolicy.
type RetryPolicy struct {
	// MaximumRetryAttempts is 0 to 185; Scheduler's default is 185.
	MaximumRetryAttempts int
	// MaximumEventAge is 60 s to 24 h, counted from the occurrence; zero means 24 h.
	MaximumEventAge time.Duration
}

// DefaultRetryPolicy is Scheduler's default: 185 retries within 24 hours.
var DefaultRetryPolicy = RetryPolicy{MaximumRetryAttempts: 185, MaximumEventAge: 24 * time.Hour}

// Option configures a Runner.
type Option func(*Runner)

// WithRetryPolicy sets the retry policy of every schedule (default DefaultRetryPolicy).
func WithRetryPolicy(p RetryPolicy) Option {
	return func(r *Runner) {
		if p.MaximumEventAge == 0 {
			p.MaximumEventAge = DefaultRetryPolicy.MaximumEventAge
		}
		r.policy = p
	}
}

// WithRand sets the source of retry jitter, a number in [0, 1) (default math/rand/v2).
func WithRand(f func() float64) Option { return func(r *Runner) { r.rand = f } }

// DeadLetter is an occurrence whose invocation failed for good.
type DeadLetter struct {
	Name          string
	Function      string
	Input         json.RawMessage
	ScheduledTime time.Time
	Attempts      int
	LastError     string
	FailedAt      time.Time
}

// retry is an occurrence waiting to be invoked again.
type retry struct {
	e        *entry
	at       time.Time // when the occurrence was due
	next     time.Time // when to try again
	attempts int       // attempts so far
	lastErr  error
}

// NewRunner returns an empty Runner invoking inv; log nil means slog.Default().
func NewRunner(inv Invoker, log *slog.Logger, opts ...Option) *Runner {
	if log == nil {
		log = slog.Default()
	}
	r := &Runner{inv: inv, log: log, policy: DefaultRetryPolicy, rand: mrand.Float64, entries: map[string]*entry{}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Add parses def and holds it, replacing a schedule of the same name; now is the time it is
// added, its start when def.Start is zero. A bad expression, zone or input is an error and
// changes nothing.
func (r *Runner) Add(def Definition, now time.Time) error {
	if def.Name == "" || def.Function == "" {
		return fmt.Errorf("add schedule %q: a name and a target function are required", def.Name)
	}
	if len(def.Input) > 0 && !json.Valid(def.Input) {
		return fmt.Errorf("add schedule %s: input is not valid JSON", def.Name)
	}
	s, err := Parse(def.Expression, def.Timezone)
	if err != nil {
		return fmt.Errorf("add schedule %s: %w", def.Name, err)
	}
	start := def.Start
	if start.IsZero() {
		start = now
		if s.Kind() == KindRate {
			start = now.Add(s.every)
		}
	}
	s = s.WithStart(start)
	e := &entry{def: def, sched: s, status: Status{Definition: def}}
	e.status.Next, _ = s.Next(now)
	r.mu.Lock()
	r.entries[def.Name] = e
	r.mu.Unlock()
	return nil
}

// Remove drops the schedule named name and reports whether there was one.
func (r *Runner) Remove(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.entries[name]
	delete(r.entries, name)
	return ok
}

// Tick retries the failed invocations that are due, then fires every schedule whose next time
// is at or before now, in time order (then by name), and returns the firings. Occurrences
// missed between two ticks fire once: the schedule then moves to its first time after now.
func (r *Runner) Tick(ctx context.Context, now time.Time) []Firing {
	r.mu.Lock()
	var due []*entry
	for _, e := range r.entries {
		if !e.status.Next.IsZero() && !e.status.Next.After(now) {
			due = append(due, e)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		a, b := due[i].status.Next, due[j].status.Next
		if !a.Equal(b) {
			return a.Before(b)
		}
		return due[i].def.Name < due[j].def.Name
	})
	type job struct {
		e  *entry
		at time.Time
	}
	jobs := make([]job, 0, len(due))
	for _, e := range due {
		jobs = append(jobs, job{e, e.status.Next})
		e.status.Next, _ = e.sched.Next(now)
	}
	var again []*retry
	kept := r.retries[:0]
	var expired []*retry
	for _, rt := range r.retries {
		switch {
		case rt.next.After(now):
			kept = append(kept, rt)
		case now.Sub(rt.at) > r.policy.MaximumEventAge:
			expired = append(expired, rt) // the runner was not ticked in time: too old to try
		default:
			again = append(again, rt)
		}
	}
	r.retries = kept
	for _, rt := range expired {
		r.addDeadLetter(rt, rt.lastErr, now)
	}
	r.mu.Unlock()
	out := make([]Firing, 0, len(jobs)+len(again))
	for _, rt := range again {
		f := r.fire(ctx, rt.e, rt.at, false)
		f.Retry = rt.attempts
		rt.attempts++
		r.settle(rt, f, now)
		out = append(out, f)
	}
	for _, j := range jobs {
		f := r.fire(ctx, j.e, j.at, false)
		r.settle(&retry{e: j.e, at: j.at, attempts: 1}, f, now)
		out = append(out, f)
	}
	return out
}

// settle schedules another attempt of a failed firing, or makes it a dead letter when the
// policy's attempts or age are spent.
func (r *Runner) settle(rt *retry, f Firing, now time.Time) {
	if f.Err == nil {
		return
	}
	wait := backoff.Delay(rt.attempts, r.rand())
	r.mu.Lock()
	defer r.mu.Unlock()
	rt.lastErr = f.Err
	if rt.attempts > r.policy.MaximumRetryAttempts || now.Add(wait).Sub(rt.at) > r.policy.MaximumEventAge {
		r.addDeadLetter(rt, f.Err, now)
		return
	}
	rt.next = now.Add(wait)
	r.retries = append(r.retries, rt)
}

// addDeadLetter records rt as failed for good; r.mu is held.
func (r *Runner) addDeadLetter(rt *retry, err error, now time.Time) {
	r.deadLetters = append(r.deadLetters, DeadLetter{Name: rt.e.def.Name, Function: rt.e.def.Function,
		Input: rt.e.def.Input, ScheduledTime: rt.at, Attempts: rt.attempts, LastError: err.Error(), FailedAt: now})
	r.log.Error("schedule invocation failed for good", "schedule", rt.e.def.Name, "attempts", rt.attempts, "error", err)
}

// DeadLetters returns the occurrences whose invocation failed for good, oldest first.
func (r *Runner) DeadLetters() []DeadLetter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]DeadLetter(nil), r.deadLetters...)
}

// Fire invokes the schedule named name now, by hand, whatever its expression says; its next
// time does not change, and a failure is returned, not retried. An unknown name is an error.
func (r *Runner) Fire(ctx context.Context, name string, now time.Time) (Firing, error) {
	r.mu.Lock()
	e, ok := r.entries[name]
	r.mu.Unlock()
	if !ok {
		return Firing{}, fmt.Errorf("fire schedule %s: no such schedule", name)
	}
	f := r.fire(ctx, e, now, true)
	return f, f.Err
}

func (r *Runner) fire(ctx context.Context, e *entry, at time.Time, manual bool) Firing {
	input := e.def.Input
	if len(input) == 0 {
		input = json.RawMessage("{}")
	}
	f := Firing{Name: e.def.Name, Function: e.def.Function, ScheduledTime: at, Manual: manual}
	if err := r.inv.Invoke(ctx, e.def.Function, input); err != nil {
		f.Err = fmt.Errorf("fire schedule %s: invoke %s: %w", e.def.Name, e.def.Function, err)
		r.log.Error("fire schedule", "schedule", e.def.Name, "function", e.def.Function, "error", err)
	}
	r.mu.Lock()
	e.status.LastFired = at
	e.status.Fired++
	e.status.LastError = ""
	if f.Err != nil {
		e.status.LastError = f.Err.Error()
	}
	r.mu.Unlock()
	return f
}

// Schedules returns the state of every schedule, sorted by name.
func (r *Runner) Schedules() []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Status, 0, len(r.entries))
	for _, e := range r.entries {
		out = append(out, e.status)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Run calls Tick with clk's time every interval on clk until ctx ends, and returns ctx's
// error.
func (r *Runner) Run(ctx context.Context, clk clock.Clock, interval time.Duration) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-clk.After(interval):
			r.Tick(ctx, now)
		}
	}
}
