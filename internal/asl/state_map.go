package asl

import (
	"context"
	"fmt"
	"math"
	"sync"
)

// inlineMapConcurrency is the concurrency of an inline Map without MaxConcurrency (AWS runs
// up to 40 iterations of an inline Map at once).
const inlineMapConcurrency = 40

// mapInt evaluates an integer Map setting given directly, by path or by JSONata.
func (f *frame) mapInt(fixed int, p *jsonPath, expr template, eff, raw any, field string) (int, *failure) {
	switch {
	case p != nil:
		v, err := f.resolve(p, eff)
		n, ok := v.(float64)
		if err != nil || !ok || n < 0 || n != math.Trunc(n) {
			return 0, f.runtime(fmt.Sprintf("The %sPath field does not reference a valid non-negative integer: %s", field, jsonText(v)))
		}
		return int(n), nil
	case expr != nil:
		v, err := expr.eval(f.jsScope(raw))
		if err != nil {
			return 0, asFailure(err)
		}
		n, ok := v.(float64)
		if !ok || n < 0 || n != math.Trunc(n) {
			return 0, &failure{name: ErrQueryEvaluationError, cause: f.prefix() + "The " + field + " field must evaluate to a non-negative integer, but was " + jsonText(v)}
		}
		return int(n), nil
	}
	return fixed, nil
}

// mapNode is a Map state: where its items come from (ItemsPath, Items or an ItemReader), how
// each becomes an iteration's input (ItemSelector, ItemBatcher), the processor each iteration
// runs, how many at once, how many failures it tolerates, and where results go.
type mapNode struct {
	itemsPath            *jsonPath
	items                template
	itemSelector         template
	processor            *graph
	maxConcurrency       int
	maxConcurrencyPath   *jsonPath
	maxConcurrencyExpr   template
	toleratedCount       int
	toleratedPercent     float64
	toleratedCountPath   *jsonPath
	toleratedPercentPath *jsonPath
	toleratedCountExpr   template
	toleratedPercentExpr template
	hasToleratedCount    bool
	hasToleratedPercent  bool
	itemBatcher          *itemBatcher
	itemReader           map[string]any
	itemReaderParams     template
	resultWriter         map[string]any
	resultWriterParams   template
	distributed          bool
	// label is a Distributed Map's Label (used in its child execution ARNs).
	label string
}

func (*mapNode) kind() string { return "Map" }

// check checks the kind's fields.
func (n *mapNode) check(c *checker, path string, st *state, obj map[string]any, lang string) {
	c.mapState(path, st, n, obj, lang)
}

var mapKind = stateKind{
	jsonPathFields: fieldList(transitionKeys, mapFields, []string{"InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "ItemsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"}),
	jsonataFields:  fieldList(transitionKeys, mapFields, []string{"Items", "Output"}),
	newNode:        func() node { return &mapNode{} },
}

var mapFields = []string{"ItemProcessor", "Iterator", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage", "Label", "Retry", "Catch", "Assign", "ItemSelector"}

// mapOf returns st's Map node, or nil for another kind.
func mapOf(st *state) *mapNode {
	n, _ := st.node.(*mapNode)
	return n
}

// run reads the items, makes each iteration's input, runs the iterations (at most
// MaxConcurrency at once), and gives their results, in item order, to the data flow.
func (n *mapNode) run(ctx context.Context, t *thread, f *frame, raw any, _ []int, _ *Checkpoint) outcome {
	st := f.st
	// The effective input: InputPath (JSONPath) then the items.
	eff := raw
	var fl *failure
	if !st.jsonata {
		if eff, fl = f.inputPath(raw); fl != nil {
			return failed(fl)
		}
	}
	items, fl := n.itemList(ctx, t, f, eff, raw)
	if fl != nil {
		return failed(fl)
	}
	limits, fl := n.limits(f, eff, raw)
	if fl != nil {
		return failed(fl)
	}
	inputs, fl := n.inputs(t, f, items, eff, raw)
	if fl != nil {
		return failed(fl)
	}
	result, fl := n.iterate(ctx, t, f, raw, inputs, limits)
	if fl != nil {
		return failed(fl)
	}
	if n.resultWriter != nil {
		v, wf := t.writeResults(ctx, f, result, eff, raw)
		if wf != nil {
			t.emit(Event{Type: "MapStateFailed", Error: wf.name, Cause: wf.cause})
			return failed(wf)
		}
		return n.finish(t, f, raw, v)
	}
	return n.finish(t, f, raw, result)
}

// finish writes the Map's success event and runs the data flow on its result.
func (n *mapNode) finish(t *thread, f *frame, raw, result any) outcome {
	if n.distributed {
		t.emit(Event{Type: "MapRunSucceeded"})
	} else {
		t.emit(Event{Type: "MapStateSucceeded"})
	}
	if f.st.jsonata {
		return t.finishJSONata(f, raw, result, "result", result)
	}
	return t.finishJSONPath(f, raw, result, true)
}

// itemList returns the items to iterate over: from the ItemReader, the JSONata Items (the
// input by default) or the ItemsPath (the effective input by default).
func (n *mapNode) itemList(ctx context.Context, t *thread, f *frame, eff, raw any) ([]any, *failure) {
	switch {
	case n.itemReader != nil:
		return t.readItems(ctx, f, eff, raw)
	case f.st.jsonata:
		v := raw
		if n.items != nil {
			r, err := n.items.eval(f.jsScope(raw))
			if err != nil {
				return nil, asFailure(err)
			}
			v = r
		}
		a, ok := v.([]any)
		if !ok {
			return nil, &failure{name: ErrQueryEvaluationError, cause: f.prefix() + "The Items field must evaluate to a JSON array, but was " + jsonText(v)}
		}
		return a, nil
	}
	v := eff
	src := "$"
	if n.itemsPath != nil {
		r, err := f.resolve(n.itemsPath, eff)
		if err != nil {
			return nil, f.runtime(fmt.Sprintf("Invalid path '%s' : No results for path: %s", n.itemsPath.src, n.itemsPath.bracketString()))
		}
		v, src = r, n.itemsPath.src
	}
	a, ok := v.([]any)
	if !ok {
		return nil, f.runtime(fmt.Sprintf("Invalid path '%s': The ItemsPath field must reference a JSON array, but was '%s'", src, jsonText(v)))
	}
	return a, nil
}

// mapLimits are a Map's settings as resolved for one run.
type mapLimits struct {
	maxConcurrency int
	tolCount       int
	tolPercent     float64
}

// limits resolves MaxConcurrency and the tolerated failures, given directly, by path or by
// JSONata.
func (n *mapNode) limits(f *frame, eff, raw any) (mapLimits, *failure) {
	var l mapLimits
	var fl *failure
	if l.maxConcurrency, fl = f.mapInt(n.maxConcurrency, n.maxConcurrencyPath, n.maxConcurrencyExpr, eff, raw, "MaxConcurrency"); fl != nil {
		return l, fl
	}
	if l.tolCount, fl = f.mapInt(n.toleratedCount, n.toleratedCountPath, n.toleratedCountExpr, eff, raw, "ToleratedFailureCount"); fl != nil {
		return l, fl
	}
	l.tolPercent = n.toleratedPercent
	if n.toleratedPercentPath == nil && n.toleratedPercentExpr == nil {
		return l, nil
	}
	var v any
	if n.toleratedPercentPath != nil {
		v, _ = f.resolve(n.toleratedPercentPath, eff)
	} else {
		r, err := n.toleratedPercentExpr.eval(f.jsScope(raw))
		if err != nil {
			return l, asFailure(err)
		}
		v = r
	}
	p, ok := v.(float64)
	if !ok || p < 0 || p > 100 {
		return l, f.runtime("The ToleratedFailurePercentage must be a number between 0 and 100, but was " + jsonText(v))
	}
	l.tolPercent = p
	return l, nil
}

// inputs makes each iteration's input: the item through ItemSelector (which sees
// $$.Map.Item), then grouped by ItemBatcher.
func (n *mapNode) inputs(t *thread, f *frame, items []any, eff, raw any) ([]any, *failure) {
	inputs := items
	if n.itemSelector != nil {
		inputs = make([]any, len(items))
		for i, it := range items {
			sf := *f
			sf.inMapItem, sf.mapIndex, sf.mapValue = true, i, it
			var sc *scope
			if f.st.jsonata {
				sc = sf.jsScope(raw)
			} else {
				sc = sf.scope(eff)
			}
			v, err := n.itemSelector.eval(sc)
			if err != nil {
				return nil, asFailure(err)
			}
			inputs[i] = v
		}
	}
	if n.itemBatcher != nil {
		return t.batch(f, n.itemBatcher, inputs, eff, raw)
	}
	return inputs, nil
}

// iterate runs one iteration per input and returns the results in input order, or the
// failure that ends the Map (the first iteration's without tolerance, else
// States.ExceedToleratedFailureThreshold once the threshold is passed).
func (n *mapNode) iterate(ctx context.Context, t *thread, f *frame, raw any, inputs []any, l mapLimits) ([]any, *failure) {
	if n.distributed {
		t.emit(Event{Type: "MapRunStarted"})
	} else {
		t.emit(Event{Type: "MapStateStarted", Length: len(inputs)})
	}
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &mapRun{n: n, limits: l, total: len(inputs), results: make([]any, len(inputs)), cancel: cancel, last: t.prev}
	startPrev := t.prev
	workers := l.maxConcurrency
	if workers == 0 {
		workers = inlineMapConcurrency
	}
	r.succeeded = make([]bool, len(inputs))
	t.fanOut(len(inputs), workers, func(i int) {
		if out, ok := t.doneOf(i); ok { // finished before a redrive: not run again
			r.record(i, out, nil, 0)
			return
		}
		if mctx.Err() != nil {
			return
		}
		out, bf, prev := n.iteration(mctx, t, f, startPrev, i, inputs[i])
		r.record(i, out, bf, prev)
	})
	t.prev = r.last
	if ctx.Err() != nil || (r.firstFail != nil && !r.tolerates()) || r.exceeded {
		t.keepDone(f, raw, r.results, func(i int) bool { return r.succeeded[i] })
	}
	if ctx.Err() != nil {
		return nil, errAborted
	}
	if mf := r.failure(); mf != nil {
		if n.distributed {
			t.emit(Event{Type: "MapRunFailed", Error: mf.name, Cause: mf.cause})
		} else {
			t.emit(Event{Type: "MapStateFailed", Error: mf.name, Cause: mf.cause})
		}
		return nil, mf
	}
	return r.results, nil
}

// iteration runs iteration i on its own thread (a child execution in a Distributed Map) and
// returns its output or failure and the thread's last event id.
func (n *mapNode) iteration(ctx context.Context, t *thread, f *frame, startPrev int64, i int, input any) (any, *failure, int64) {
	st := f.st
	child := &thread{x: t.x, prev: startPrev, vars: &varScope{parent: t.vars}, depth: t.depth + 1, child: t.child}
	if n.distributed {
		child.child = t.newChildExecution(st, f.enteredID, i, input)
		out, bf := child.runGraph(ctx, n.processor, "", input, nil)
		return out, bf, child.prev
	}
	child.emit(Event{Type: "MapIterationStarted", Name: st.name, Index: i})
	out, bf := child.runGraph(ctx, n.processor, "", input, nil)
	switch {
	case bf == errAborted:
		child.emit(Event{Type: "MapIterationAborted", Name: st.name, Index: i})
	case bf != nil:
		child.emit(Event{Type: "MapIterationFailed", Name: st.name, Index: i})
	default:
		child.emit(Event{Type: "MapIterationSucceeded", Name: st.name, Index: i})
	}
	return out, bf, child.prev
}

// mapRun gathers the iterations' results and failures of one Map run; its methods are safe
// for the concurrent iterations.
type mapRun struct {
	n         *mapNode
	limits    mapLimits
	total     int
	cancel    context.CancelFunc
	mu        sync.Mutex
	results   []any
	succeeded []bool // by iteration: kept for a redrive when the Map fails
	last      int64
	nFailed   int
	firstFail *failure
	exceeded  bool
}

// record notes iteration i's output or failure; a failure past the tolerance cancels the
// other iterations.
func (r *mapRun) record(i int, out any, bf *failure, prev int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev > r.last {
		r.last = prev
	}
	switch bf {
	case nil:
		r.results[i], r.succeeded[i] = out, true
		return
	case errAborted:
		return
	}
	r.nFailed++
	r.results[i] = map[string]any{"Error": bf.name, "Cause": bf.cause}
	if r.firstFail == nil {
		r.firstFail = bf
	}
	if !r.tolerates() {
		r.cancel()
		return
	}
	if r.over() && !r.exceeded {
		r.exceeded = true
		r.cancel()
	}
}

// tolerates reports whether the Map tolerates any failures.
func (r *mapRun) tolerates() bool { return r.n.hasToleratedCount || r.n.hasToleratedPercent }

// over reports whether the failures so far pass the tolerated count or percentage (both,
// when both are set).
func (r *mapRun) over() bool {
	byCount := r.n.hasToleratedCount && r.nFailed > r.limits.tolCount
	byPercent := r.n.hasToleratedPercent && float64(r.nFailed)*100/float64(r.total) > r.limits.tolPercent
	if r.n.hasToleratedCount && r.n.hasToleratedPercent {
		return byCount && byPercent
	}
	return byCount || byPercent
}

// failure is the Map's failure once every iteration has ended, or nil.
func (r *mapRun) failure() *failure {
	switch {
	case r.firstFail != nil && !r.tolerates():
		return r.firstFail
	case r.exceeded:
		return &failure{name: ErrExceedToleratedFailure, cause: "The specified tolerated failure threshold was exceeded"}
	}
	return nil
}

// batch groups inputs as ItemBatcher says: {"Items": [...]} plus BatchInput fields.
func (t *thread) batch(f *frame, b *itemBatcher, inputs []any, eff, raw any) ([]any, *failure) {
	maxItems, fl := f.mapInt(b.maxItems, b.maxItemsPath, b.maxItemsExpr, eff, raw, "MaxItemsPerBatch")
	if fl != nil {
		return nil, fl
	}
	maxBytes, fl := f.mapInt(b.maxBytes, b.maxBytesPath, b.maxBytesExpr, eff, raw, "MaxInputBytesPerBatch")
	if fl != nil {
		return nil, fl
	}
	var batchInput map[string]any
	if b.batchInput != nil {
		sc := f.scope(eff)
		if f.st.jsonata {
			sc = f.jsScope(raw)
		}
		v, err := b.batchInput.eval(sc)
		if err != nil {
			return nil, asFailure(err)
		}
		batchInput, _ = v.(map[string]any)
	}
	var out []any
	var cur []any
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		m := map[string]any{"Items": cur}
		if batchInput != nil {
			m["BatchInput"] = batchInput
		}
		out = append(out, m)
		cur, size = nil, 0
	}
	for _, it := range inputs {
		n := len(jsonText(it)) + 1
		if len(cur) > 0 && (maxItems > 0 && len(cur) >= maxItems || maxBytes > 0 && size+n > maxBytes) {
			flush()
		}
		cur = append(cur, it)
		size += n
	}
	flush()
	return out, nil
}

// readItems asks the ItemReader's resource for the items.
func (t *thread) readItems(ctx context.Context, f *frame, eff, raw any) ([]any, *failure) {
	st, n := f.st, mapOf(f.st)
	res, _ := n.itemReader["Resource"].(string)
	var params any = map[string]any{}
	if n.itemReaderParams != nil {
		sc := f.scope(eff)
		if st.jsonata {
			sc = f.jsScope(raw)
		}
		v, err := n.itemReaderParams.eval(sc)
		if err != nil {
			return nil, asFailure(err)
		}
		params = v
	}
	key, pattern := ResourceKey(res)
	req := &TaskRequest{Resource: res, Key: key, Pattern: pattern, Parameters: map[string]any{
		"Parameters": params, "ReaderConfig": n.itemReader["ReaderConfig"],
	}, Context: f.contextObject(), ExecutionARN: t.x.arn, StateMachineARN: t.x.smARN, StateName: st.name, Clock: t.x.e.clock, Engine: t.x.e}
	v, err := t.x.e.opts.Resources.invoke(ctx, req)
	if err != nil {
		fl := asFailure(err)
		return nil, &failure{name: ErrItemReaderFailed, cause: fl.cause}
	}
	a, ok := v.([]any)
	if !ok {
		return nil, &failure{name: ErrItemReaderFailed, cause: "the item reader did not return a JSON array"}
	}
	return a, nil
}

// writeResults hands the results to the ResultWriter's resource and returns its answer.
func (t *thread) writeResults(ctx context.Context, f *frame, results []any, eff, raw any) (any, *failure) {
	st, n := f.st, mapOf(f.st)
	res, _ := n.resultWriter["Resource"].(string)
	var params any = map[string]any{}
	if n.resultWriterParams != nil {
		sc := f.scope(eff)
		if st.jsonata {
			sc = f.jsScope(raw)
		}
		v, err := n.resultWriterParams.eval(sc)
		if err != nil {
			return nil, asFailure(err)
		}
		params = v
	}
	key, pattern := ResourceKey(res)
	req := &TaskRequest{Resource: res, Key: key, Pattern: pattern, Parameters: map[string]any{
		"Parameters": params, "Results": results, "WriterConfig": n.resultWriter["WriterConfig"],
	}, Context: f.contextObject(), ExecutionARN: t.x.arn, StateMachineARN: t.x.smARN, StateName: st.name, Clock: t.x.e.clock, Engine: t.x.e}
	v, err := t.x.e.opts.Resources.invoke(ctx, req)
	if err != nil {
		fl := asFailure(err)
		return nil, &failure{name: ErrResultWriterFailed, cause: fl.cause}
	}
	return v, nil
}
