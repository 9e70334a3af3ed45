package asl

import (
	"context"
	"sync"
)

// parallelNode is a Parallel state: its branches run at once on the same input, and its
// result is their outputs in branch order.
type parallelNode struct {
	branches []*graph
}

// check checks the kind's fields.
func (n *parallelNode) check(c *checker, path string, st *state, obj map[string]any, lang string) {
	c.parallel(path, st, n, obj, lang)
}

func (*parallelNode) kind() string { return "Parallel" }

var parallelKind = stateKind{
	jsonPathFields: fieldList(transitionKeys, []string{"Branches", "Retry", "Catch", "Assign", "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath"}),
	jsonataFields:  fieldList(transitionKeys, []string{"Branches", "Retry", "Catch", "Assign", "Arguments", "Output"}),
	newNode:        func() node { return &parallelNode{} },
}

func (c *checker) parallel(path string, st *state, n *parallelNode, obj map[string]any, lang string) {
	c.objects(path, obj, "Branches", func(p string, bo map[string]any) {
		c.fields(p, bo, "StartAt", "States", "Comment", "QueryLanguage")
		n.branches = append(n.branches, c.graph(p, bo, c.queryLanguage(p, bo, lang), true))
	})
}

func (n *parallelNode) run(ctx context.Context, t *thread, f *frame, raw any, attempts []int, resume *Checkpoint) outcome {
	st := f.st
	eff, fl := t.effective(f, raw)
	if fl != nil {
		return failed(fl)
	}
	t.emit(Event{Type: "ParallelStateStarted"})
	results := make([]any, len(n.branches))
	fails := make([]*failure, len(n.branches))
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var firstMu sync.Mutex
	first := -1
	startPrev := t.prev
	lasts := make([]int64, len(n.branches))
	t.fanOut(len(n.branches), len(n.branches), func(i int) {
		if out, ok := t.doneOf(i); ok { // finished before a redrive: not run again
			results[i] = out
			return
		}
		child := &thread{x: t.x, prev: startPrev, vars: &varScope{parent: t.vars}, depth: t.depth + 1, child: t.child}
		out, bf := child.runGraph(bctx, n.branches[i], "", eff, nil)
		lasts[i] = child.prev
		if bf != nil {
			fails[i] = bf
			firstMu.Lock()
			if first < 0 && bf != errAborted {
				first = i
			}
			firstMu.Unlock()
			cancel()
			return
		}
		results[i] = out
	})
	t.prev = maxID(t.prev, lasts)
	if ctx.Err() != nil || first >= 0 {
		t.keepDone(f, raw, results, func(i int) bool { return fails[i] == nil })
	}
	if ctx.Err() != nil {
		return failed(errAborted)
	}
	if first >= 0 {
		bf := fails[first]
		t.emit(Event{Type: "ParallelStateFailed", Error: bf.name, Cause: bf.cause})
		return failed(bf)
	}
	t.emit(Event{Type: "ParallelStateSucceeded"})
	var result any = results
	if st.jsonata {
		return t.finishJSONata(f, raw, result, "result", result)
	}
	return t.finishJSONPath(f, raw, result, true)
}
