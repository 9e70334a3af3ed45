package eventbus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/backoff"
)

// delivery is one event on its way to one target of one rule.
type delivery struct {
	ev      *event
	rule    string // the rule's name
	ruleARN string
	target  Target
	retries int // retries done so far
	lastErr error
}

// route matches ev against the enabled rules of its bus (only those in only, when only is
// not nil) and starts a delivery per target. It returns the number of deliveries started.
func (s *Service) route(ev *event, only map[string]bool) int {
	s.mu.RLock()
	b, ok := s.buses[ev.bus]
	if !ok {
		s.mu.RUnlock()
		return 0
	}
	names, err := b.matcher.Match(ev.raw)
	var ds []*delivery
	if err == nil {
		for _, n := range names {
			r, ok := b.rules[n]
			if !ok || r.State == RuleDisabled || (only != nil && !only[n]) {
				continue
			}
			for _, t := range r.Targets {
				ds = append(ds, &delivery{ev: ev, rule: r.Name, ruleARN: s.RuleARN(b.name, r.Name), target: t})
			}
		}
	}
	s.mu.RUnlock()
	if err != nil {
		// The envelope is built by this package, so it is always a JSON object; a failure here
		// is a bug, logged rather than dropped silently.
		s.log.Error("match event", "eventId", ev.id, "bus", ev.bus, "error", err)
		return 0
	}
	for _, d := range ds {
		s.begin()
		go s.run(d)
	}
	return len(ds)
}

// begin counts a new delivery as pending and running.
func (s *Service) begin() {
	s.dmu.Lock()
	s.pending++
	s.running++
	s.dmu.Unlock()
}

// update changes the counters and wakes the waiters.
func (s *Service) update(dRunning, dPending int) {
	s.dmu.Lock()
	s.running += dRunning
	s.pending += dPending
	close(s.changed)
	s.changed = make(chan struct{})
	s.dmu.Unlock()
}

// run makes one attempt of d and settles its outcome.
func (s *Service) run(d *delivery) {
	s.sem <- struct{}{}
	err := s.attempt(context.Background(), d)
	<-s.sem
	if err == nil {
		s.update(-1, -1)
		return
	}
	d.lastErr = err
	now := s.now()
	p := d.target.RetryPolicy
	switch {
	case IsPermanent(err):
		s.deadLetter(d, now, "the error is not retriable")
		s.update(-1, -1)
		return
	case d.retries >= p.maxRetries():
		s.deadLetter(d, now, "maximum retry attempts reached")
		s.update(-1, -1)
		return
	}
	wait := backoff.Delay(d.retries+1, s.cfg.Rand())
	if now.Add(wait).Sub(d.ev.since) > p.maxAge() {
		s.deadLetter(d, now, "maximum event age reached")
		s.update(-1, -1)
		return
	}
	d.retries++
	s.dmu.Lock()
	if s.closed {
		s.dmu.Unlock()
		s.deadLetter(d, now, reasonClosed)
		s.update(-1, -1)
		return
	}
	s.log.Warn("deliver event", "eventId", d.ev.id, "rule", d.rule, "target", d.target.ID,
		"retry", d.retries, "wait", wait.String(), "error", err)
	// Register the retry before this attempt stops counting as running, so that Wait never
	// sees a pending delivery with nothing scheduled. The callback deletes the registration
	// after this function added it: it needs dmu, held here until then.
	s.waiting[d] = s.clock.AfterFunc(wait, func() {
		s.dmu.Lock()
		delete(s.waiting, d)
		s.dmu.Unlock()
		s.update(+1, 0)
		go s.run(d)
	})
	s.dmu.Unlock()
	s.update(-1, 0)
}

// reasonClosed is the dead-letter reason of retries that Close cancelled.
const reasonClosed = "the event bus stopped before the retry"

// Close stops the service: PutEvents and PutAWSEvent refuse further events, retries waiting
// for the clock are cancelled and moved to the dead-letter store (nothing is dropped
// silently), and Close waits, until ctx ends, for the attempts under way and the archive.
// Close does not close the DB.
func (s *Service) Close(ctx context.Context) error {
	s.dmu.Lock()
	s.closed = true
	waiting := s.waiting
	s.waiting = map[*delivery]clock.Timer{}
	s.dmu.Unlock()
	now := s.now()
	for d, tm := range waiting {
		if tm.Stop() {
			s.deadLetter(d, now, reasonClosed)
			s.update(0, -1)
		}
	}
	return s.Wait(ctx)
}

// attempt delivers d once.
func (s *Service) attempt(ctx context.Context, d *delivery) error {
	payload, err := s.targetInput(d)
	if err != nil {
		return Permanent(fmt.Errorf("build input for target %s: %w", d.target.ID, err))
	}
	kind, name, err := parseTargetARN(d.target.ARN)
	if err != nil {
		return Permanent(err)
	}
	switch kind {
	case kindLambda:
		if s.cfg.Lambda == nil {
			return Permanent(fmt.Errorf("invoke function %s: no Lambda invoker is configured", name))
		}
		if err := s.cfg.Lambda.Invoke(withSourceRule(ctx, d.ruleARN), name, payload); err != nil {
			return fmt.Errorf("invoke function %s: %w", name, err)
		}
	case kindStateMachine:
		if s.cfg.StepFunctions == nil {
			return Permanent(fmt.Errorf("start execution of %s: no Step Functions client is configured", name))
		}
		arn, input := d.target.ARN, string(payload)
		if _, err := s.cfg.StepFunctions.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn, Input: &input}); err != nil {
			return fmt.Errorf("start execution of %s: %w", name, err)
		}
	case kindBus:
		s.mu.RLock()
		_, ok := s.buses[name]
		s.mu.RUnlock()
		if !ok {
			return Permanent(fmt.Errorf("put event on bus %s: %w", name, notFound("Event bus %s does not exist.", name)))
		}
		fwd := &event{bus: name, id: d.ev.id, raw: d.ev.raw, ingestion: s.now(), replay: d.ev.replay, since: d.ev.since}
		if d.ev.replay == "" {
			s.archive([]*event{fwd})
		}
		s.route(fwd, nil)
	}
	return nil
}

// Target kinds.
const (
	kindLambda       = "lambda"
	kindStateMachine = "states"
	kindBus          = "events"
)

// parseTargetARN returns the kind of target an ARN names and the resource's name.
func parseTargetARN(arn string) (kind, name string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", "", fmt.Errorf("target ARN %q is not an ARN", arn)
	}
	res := parts[5]
	switch parts[2] {
	case kindLambda:
		if n, ok := strings.CutPrefix(res, "function:"); ok && n != "" {
			if i := strings.IndexByte(n, ':'); i >= 0 {
				n = n[:i] // a version or alias qualifier
			}
			return kindLambda, n, nil
		}
	case kindStateMachine:
		if n, ok := strings.CutPrefix(res, "stateMachine:"); ok && n != "" {
			return kindStateMachine, n, nil
		}
	case kindBus:
		if n, ok := strings.CutPrefix(res, "event-bus/"); ok && n != "" {
			return kindBus, n, nil
		}
	}
	return "", "", fmt.Errorf("target ARN %q is not a Lambda function, state machine or event bus", arn)
}

// Wait blocks until no delivery is being attempted and the archive is written: every event
// put so far has reached its targets, failed for good, or waits for a retry on the clock. It
// returns ctx's error when ctx ends first.
func (s *Service) Wait(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return s.running == 0 })
}

// Drain blocks until every delivery has settled, delivered or dead-lettered, retries
// included; with a clock.Virtual someone must advance the clock meanwhile.
func (s *Service) Drain(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return s.pending == 0 })
}

// Pending returns the deliveries not yet settled (being attempted or waiting for a retry).
func (s *Service) Pending() int {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	return s.pending
}

func (s *Service) waitFor(ctx context.Context, done func() bool) error {
	for {
		s.dmu.Lock()
		ok := done()
		ch := s.changed
		s.dmu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for deliveries: %w", ctx.Err())
		}
	}
}

// errNoArchive is returned by Replay on a Service without a DB.
var errNoArchive = errors.New("no archive: the event bus service was built without a DB")

// ingestionTime formats t as the <aws.events.event.ingestion-time> variable.
func ingestionTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
