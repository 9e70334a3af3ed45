package eventbus

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/kiln-dev/kiln/internal/eventpattern"
)

// Rule states.
const (
	RuleEnabled  = "ENABLED"
	RuleDisabled = "DISABLED"
)

// Rule is one EventBridge rule on a bus: an event pattern and up to five targets.
type Rule struct {
	// Name is unique on its bus: 1 to 64 letters, digits and . - _.
	Name string
	// EventBus is the bus's name or ARN; empty means the default bus.
	EventBus string
	// EventPattern is the pattern's JSON text, placeholders already filled.
	EventPattern string
	// State is RuleEnabled (the default when empty) or RuleDisabled.
	State string
	// Description is free text.
	Description string
	// Targets receive the events the rule matches, each on its own.
	Targets []Target
}

// Target is where a rule sends a matched event. ARN says what it is: a Lambda function
// (arn:aws:lambda:...:function:NAME), a state machine (arn:aws:states:...:stateMachine:NAME) or
// an event bus (arn:aws:events:...:event-bus/NAME). At most one of Input, InputPath and
// InputTransformer is set; with none the target receives the whole event.
type Target struct {
	// ID is unique within the rule; 1 to 64 letters, digits and . - _.
	ID string
	// ARN names the target.
	ARN string
	// Input is constant JSON text sent instead of the event.
	Input string
	// InputPath is a JSONPath ($.detail) selecting the part of the event to send.
	InputPath string
	// InputTransformer builds the input from a template.
	InputTransformer *InputTransformer
	// RetryPolicy bounds redelivery; the zero value means AWS's defaults.
	RetryPolicy RetryPolicy
}

// InputTransformer is EventBridge's input transformer: InputPathsMap names up to 100 JSONPaths
// into the event, and InputTemplate uses them as <name>, together with the predefined
// <aws.events.rule-arn>, <aws.events.rule-name>, <aws.events.event.ingestion-time>,
// <aws.events.event> (the event without detail) and <aws.events.event.json> (the whole event).
type InputTransformer struct {
	InputPathsMap map[string]string
	InputTemplate string
}

var nameRE = regexp.MustCompile(`^[.\-_A-Za-z0-9]+$`)

func validName(what, name string, max int) *APIError {
	if name == "" || len(name) > max || !nameRE.MatchString(name) {
		return validationError("%s name %q is not valid: use 1 to %d letters, digits and . - _", what, name, max)
	}
	return nil
}

// busName returns the bus name in a name or ARN; empty means default.
func busName(nameOrARN string) string {
	if nameOrARN == "" {
		return DefaultBusName
	}
	if strings.HasPrefix(nameOrARN, "arn:") {
		if i := strings.LastIndex(nameOrARN, ":event-bus/"); i >= 0 {
			return nameOrARN[i+len(":event-bus/"):]
		}
	}
	return nameOrARN
}

// PutRule creates or replaces a rule with its targets. The pattern is compiled first and the
// targets checked; a bad pattern or target is an *APIError naming it and changes nothing.
func (s *Service) PutRule(r Rule) error {
	if err := validName("rule", r.Name, 64); err != nil {
		return err
	}
	switch r.State {
	case "":
		r.State = RuleEnabled
	case RuleEnabled, RuleDisabled:
	default:
		return validationError("rule %s: state %q is not ENABLED or DISABLED", r.Name, r.State)
	}
	if _, err := eventpattern.Compile([]byte(r.EventPattern)); err != nil {
		return &APIError{Code: "InvalidEventPatternException", Message: fmt.Sprintf("Event pattern is not valid. Reason: %v", err)}
	}
	if len(r.Targets) > 5 {
		return &APIError{Code: "LimitExceededException", Message: fmt.Sprintf("rule %s: %d targets, at most 5", r.Name, len(r.Targets))}
	}
	ids := map[string]bool{}
	for i, t := range r.Targets {
		if err := s.checkTarget(t); err != nil {
			return validationError("rule %s target %d: %s", r.Name, i, err.Message)
		}
		if ids[t.ID] {
			return validationError("rule %s: target id %s is used twice", r.Name, t.ID)
		}
		ids[t.ID] = true
	}
	r.Targets = append([]Target(nil), r.Targets...)
	name := busName(r.EventBus)
	r.EventBus = name
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buses[name]
	if !ok {
		return notFound("Event bus %s does not exist.", name)
	}
	if err := b.matcher.Add(r.Name, []byte(r.EventPattern)); err != nil {
		return &APIError{Code: "InvalidEventPatternException", Message: fmt.Sprintf("Event pattern is not valid. Reason: %v", err)}
	}
	rc := r
	b.rules[r.Name] = &rc
	return nil
}

func (s *Service) checkTarget(t Target) *APIError {
	if err := validName("target id", t.ID, 64); err != nil {
		return err
	}
	if _, _, err := parseTargetARN(t.ARN); err != nil {
		return validationError("%v", err)
	}
	set := 0
	if t.Input != "" {
		set++
		if !json.Valid([]byte(t.Input)) {
			return validationError("target %s: Input is not valid JSON", t.ID)
		}
	}
	if t.InputPath != "" {
		set++
		if err := checkInputPath(t.InputPath); err != nil {
			return validationError("InputPath %q: %v", t.InputPath, err)
		}
	}
	if t.InputTransformer != nil {
		set++
		if err := t.InputTransformer.check(); err != nil {
			return validationError("InputTransformer: %v", err)
		}
	}
	if set > 1 {
		return validationError("target %s: only one of Input, InputPath and InputTransformer may be set", t.ID)
	}
	if err := t.RetryPolicy.check(); err != nil {
		return validationError("target %s: %v", t.ID, err)
	}
	return nil
}

// PutTargets adds targets to the rule named rule on the bus (name or ARN; empty is default),
// replacing those with the same ID, as the PutTargets API does. A rule holds at most five
// targets. Bad targets, or an unknown rule, are an *APIError and change nothing.
func (s *Service) PutTargets(eventBus, rule string, targets []Target) error {
	for i, t := range targets {
		if err := s.checkTarget(t); err != nil {
			return validationError("rule %s target %d: %s", rule, i, err.Message)
		}
	}
	return s.editTargets(eventBus, rule, func(cur []Target) ([]Target, error) {
		out := append([]Target(nil), cur...)
		for _, t := range targets {
			replaced := false
			for i := range out {
				if out[i].ID == t.ID {
					out[i], replaced = t, true
				}
			}
			if !replaced {
				out = append(out, t)
			}
		}
		if len(out) > 5 {
			return nil, &APIError{Code: "LimitExceededException", Message: fmt.Sprintf("rule %s: %d targets, at most 5", rule, len(out))}
		}
		return out, nil
	})
}

// RemoveTargets removes the targets with the given IDs from the rule; unknown IDs are ignored.
func (s *Service) RemoveTargets(eventBus, rule string, ids []string) error {
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	return s.editTargets(eventBus, rule, func(cur []Target) ([]Target, error) {
		var out []Target
		for _, t := range cur {
			if !drop[t.ID] {
				out = append(out, t)
			}
		}
		return out, nil
	})
}

// editTargets replaces a rule's targets with edit's result, under the lock.
func (s *Service) editTargets(eventBus, rule string, edit func([]Target) ([]Target, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	bn := busName(eventBus)
	b, ok := s.buses[bn]
	if !ok {
		return notFound("Event bus %s does not exist.", bn)
	}
	r, ok := b.rules[rule]
	if !ok {
		return notFound("Rule %s does not exist on EventBus %s.", rule, bn)
	}
	targets, err := edit(r.Targets)
	if err != nil {
		return err
	}
	c := *r
	c.Targets = targets
	b.rules[rule] = &c
	return nil
}

// DeleteRule removes the rule named name from the bus (name or ARN; empty is default) and
// reports whether it existed.
func (s *Service) DeleteRule(eventBus, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buses[busName(eventBus)]
	if !ok {
		return false
	}
	if _, ok := b.rules[name]; !ok {
		return false
	}
	delete(b.rules, name)
	b.matcher.Delete(name)
	return true
}

// ListRules returns the rules of a bus (name or ARN; empty is default) whose names begin
// with prefix, sorted by name. An unknown bus is a ResourceNotFoundException.
func (s *Service) ListRules(eventBus, prefix string) ([]Rule, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	name := busName(eventBus)
	b, ok := s.buses[name]
	if !ok {
		return nil, notFound("Event bus %s does not exist.", name)
	}
	var out []Rule
	for n, r := range b.rules {
		if strings.HasPrefix(n, prefix) {
			out = append(out, copyRule(r))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DescribeRule returns the rule named name on the bus (name or ARN; empty is default), or a
// ResourceNotFoundException.
func (s *Service) DescribeRule(eventBus, name string) (Rule, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	bn := busName(eventBus)
	b, ok := s.buses[bn]
	if !ok {
		return Rule{}, notFound("Event bus %s does not exist.", bn)
	}
	r, ok := b.rules[name]
	if !ok {
		return Rule{}, notFound("Rule %s does not exist on EventBus %s.", name, bn)
	}
	return copyRule(r), nil
}

func copyRule(r *Rule) Rule {
	c := *r
	c.Targets = append([]Target(nil), r.Targets...)
	return c
}

func sortStrings(s []string) { sort.Strings(s) }
