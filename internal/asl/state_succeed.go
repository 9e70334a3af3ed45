package asl

import "context"

// succeedNode is a Succeed state: it ends its graph successfully with its (filtered) input.
type succeedNode struct{}

// check has nothing to check: the kind has no fields of its own.
func (*succeedNode) check(*checker, string, *state, map[string]any, string) {}

func (*succeedNode) kind() string { return "Succeed" }

var succeedKind = stateKind{
	jsonPathFields: jsonPathFlow,
	jsonataFields:  []string{"Output"},
	newNode:        func() node { return &succeedNode{} },
}

// run gives the input through InputPath and OutputPath, or the JSONata Output.
func (n *succeedNode) run(ctx context.Context, t *thread, f *frame, raw any, attempts []int, resume *Checkpoint) outcome {
	if f.st.jsonata {
		return t.finishJSONata(f, raw, raw)
	}
	eff, fl := f.inputPath(raw)
	if fl != nil {
		return failed(fl)
	}
	out, fl := f.outputPath(eff)
	return outcome{out: out, fail: fl}
}
