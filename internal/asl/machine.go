package asl

import (
	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
	"github.com/kiln-dev/kiln/internal/asl/jsonata"
)

// Machine is a parsed and validated state machine. It is immutable and safe for concurrent
// executions.
type Machine struct {
	definition     []byte
	comment        string
	timeoutSeconds int64
	top            *graph
	// keyOrder is set when the definition uses States.JsonToString or States.Format: it
	// holds the key order of the definition's objects, and executions record theirs.
	keyOrder *keyOrder
}

// Definition returns the definition the machine was parsed from.
func (m *Machine) Definition() []byte { return m.definition }

// StartAt returns the name of the first state.
func (m *Machine) StartAt() string { return m.top.startAt }

// Comment returns the machine's Comment field.
func (m *Machine) Comment() string { return m.comment }

// TimeoutSeconds returns the machine's TimeoutSeconds (0: none).
func (m *Machine) TimeoutSeconds() int64 { return m.timeoutSeconds }

// StateNames returns the names of the top-level states in definition order.
func (m *Machine) StateNames() []string { return append([]string(nil), m.top.order...) }

// graph is a set of states with a start: the machine, a Parallel branch or a Map processor.
type graph struct {
	startAt string
	states  map[string]*state
	order   []string
	// distributed is set for a Map ItemProcessor in DISTRIBUTED mode.
	distributed bool
}

// queryLanguage values.
const (
	langJSONPath = "JSONPath"
	langJSONata  = "JSONata"
)

// state is one parsed state: what every Type has (name, transitions, data flow, Retry and
// Catch); what only its Type has is its node.
type state struct {
	name string
	typ  string
	// enteredType and exitedType are the history event types, e.g. "PassStateEntered".
	enteredType, exitedType string
	jsonata                 bool
	next                    string
	end                     bool

	// JSONPath data flow. A nil *optPath means the default ("$"); null means discard.
	inputPath, outputPath *optPath
	resultPath            *optPath
	parameters            template
	resultSelector        template
	result                any
	hasResult             bool

	// JSONata data flow.
	arguments template
	output    template

	assign template

	retry []*retrier
	catch []*catcher

	// node holds what only this state's Type has, and runs it.
	node node
}

// optPath is an InputPath/OutputPath/ResultPath: a path, or null.
type optPath struct {
	null bool
	path *jsonPath
}

// retrier is one element of Retry.
// itemBatcher is a Map's ItemBatcher.
type itemBatcher struct {
	maxItems        int
	maxItemsPath    *jsonPath
	maxItemsExpr    template
	maxBytes        int
	maxBytesPath    *jsonPath
	maxBytesExpr    template
	batchInput      template
	hasMaxItems     bool
	hasMaxInputSize bool
}

// template is a compiled payload: Parameters, ResultSelector, ItemSelector, Assign (JSONPath
// states), or Arguments, Output, Assign and any field holding "{% %}" (JSONata states).
type template interface {
	eval(sc *scope) (any, error)
}

// Statically check that the other packages' APIs are the ones this engine is written for.
var (
	_ func(string) (*intrinsic.Expr, error) = intrinsic.Parse
	_ func(string) bool                     = intrinsic.IsIntrinsic
	_ func(string) (*jsonata.Expr, error)   = jsonata.Compile
	_ func(string) (string, bool)           = jsonata.Template
)
