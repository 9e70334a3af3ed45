package asl

import "context"

// The interpreter's shape: parse.go checks what every state has and hands the rest to the
// state's kind; each kind lives in state_<kind>.go (state_pass.go, state_task.go,
// state_map.go, ...) with its node type, its check and its run; interp.go runs a graph state
// by state (runState: enter, attempt, exit), with the Retry decision in retry.go (pure, the
// randomness injected) and Catch in catch.go; an attempt's result is an outcome (outcome.go).

// node is the part of a state that depends on its Type: the settings only that kind has,
// checked when the definition is parsed, and how one attempt of it runs. A state's common
// parts (name, transitions, data flow, Retry, Catch) stay in *state. The set of nodes is
// closed, as intrinsic.Node's is: only this package's kinds implement it, one per
// state_<kind>.go file holding the kind's check and its run.
type node interface {
	// run runs one attempt of the state f is in, on its raw input. attempts are the retry
	// counters so far and resume the checkpoint being resumed (Task uses both).
	run(ctx context.Context, t *thread, f *frame, raw any, attempts []int, resume *Checkpoint) outcome
	// kind returns the state's Type, as in the definition.
	kind() string
	// check parses and checks the kind's own fields of obj (the state at path) into the node.
	check(c *checker, path string, st *state, obj map[string]any, lang string)
}

// stateKind is how the parser meets one Type: the fields the kind allows besides the common
// ones (for JSONPath, and for JSONata) and a new, empty node of the kind to check into.
type stateKind struct {
	jsonPathFields, jsonataFields []string
	newNode                       func() node
}

// stateKinds are the state types of the Amazon States Language.
var stateKinds = map[string]stateKind{
	"Pass":     passKind,
	"Succeed":  succeedKind,
	"Fail":     failKind,
	"Choice":   choiceKind,
	"Wait":     waitKind,
	"Task":     taskKind,
	"Parallel": parallelKind,
	"Map":      mapKind,
}

// allowed returns the fields a state of this kind may have.
func (k stateKind) allowed(jsonata bool) []string {
	if jsonata {
		return fieldList(commonFields, k.jsonataFields)
	}
	return fieldList(commonFields, k.jsonPathFields)
}

// body runs one attempt of a state.
func (t *thread) body(ctx context.Context, f *frame, raw any, attempts []int, resume *Checkpoint) outcome {
	return f.st.node.run(ctx, t, f, raw, attempts, resume)
}
