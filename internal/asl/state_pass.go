package asl

import "context"

// passNode is a Pass state: it passes its input (or its Result or Parameters) to its output.
// A Pass state has no settings of its own beyond the common data flow.
type passNode struct{}

// check has nothing to check: the kind has no fields of its own.
func (*passNode) check(*checker, string, *state, map[string]any, string) {}

func (*passNode) kind() string { return "Pass" }

var passKind = stateKind{
	jsonPathFields: fieldList(transitionKeys, []string{"Assign", "InputPath", "OutputPath", "Parameters", "ResultPath", "Result"}),
	jsonataFields:  fieldList(transitionKeys, []string{"Assign", "Output"}),
	newNode:        func() node { return &passNode{} },
}

// run passes the input through Parameters or Result and the JSONPath or JSONata data flow.
func (n *passNode) run(ctx context.Context, t *thread, f *frame, raw any, attempts []int, resume *Checkpoint) outcome {
	st := f.st
	if st.jsonata {
		return t.finishJSONata(f, raw, raw)
	}
	eff, fl := f.inputPath(raw)
	if fl != nil {
		return failed(fl)
	}
	if st.parameters != nil {
		v, err := st.parameters.eval(f.scope(eff))
		if err != nil {
			return failed(asFailure(err))
		}
		eff = v
	}
	result := eff
	if st.hasResult {
		result = st.result
	}
	return t.finishJSONPath(f, raw, result, false)
}
