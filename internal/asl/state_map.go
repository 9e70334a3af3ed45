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

func (t *thread) mapState(ctx context.Context, f *frame, raw any) (any, string, map[string]any, *failure) {
	st := f.st
	x := t.x
	// The effective input: InputPath (JSONPath) then the items.
	eff := raw
	var fl *failure
	if !st.jsonata {
		if eff, fl = f.inputPath(raw); fl != nil {
			return nil, "", nil, fl
		}
	}
	var items []any
	switch {
	case st.itemReader != nil:
		v, rf := t.readItems(ctx, f, eff, raw)
		if rf != nil {
			return nil, "", nil, rf
		}
		items = v
	case st.jsonata:
		v := raw
		if st.items != nil {
			r, err := st.items.eval(f.jsScope(raw))
			if err != nil {
				return nil, "", nil, asFailure(err)
			}
			v = r
		}
		a, ok := v.([]any)
		if !ok {
			return nil, "", nil, &failure{name: ErrQueryEvaluationError, cause: f.prefix() + "The Items field must evaluate to a JSON array, but was " + jsonText(v)}
		}
		items = a
	default:
		v := eff
		if st.itemsPath != nil {
			r, err := f.resolve(st.itemsPath, eff)
			if err != nil {
				return nil, "", nil, f.runtime(fmt.Sprintf("Invalid path '%s' : No results for path: %s", st.itemsPath.src, st.itemsPath.bracketString()))
			}
			v = r
		}
		a, ok := v.([]any)
		if !ok {
			src := "$"
			if st.itemsPath != nil {
				src = st.itemsPath.src
			}
			return nil, "", nil, f.runtime(fmt.Sprintf("Invalid path '%s': The ItemsPath field must reference a JSON array, but was '%s'", src, jsonText(v)))
		}
		items = a
	}
	maxConc, fl := f.mapInt(st.maxConcurrency, st.maxConcurrencyPath, st.maxConcurrencyExpr, eff, raw, "MaxConcurrency")
	if fl != nil {
		return nil, "", nil, fl
	}
	tolCount, fl := f.mapInt(st.toleratedCount, st.toleratedCountPath, st.toleratedCountExpr, eff, raw, "ToleratedFailureCount")
	if fl != nil {
		return nil, "", nil, fl
	}
	tolPercent := st.toleratedPercent
	if st.toleratedPercentPath != nil || st.toleratedPercentExpr != nil {
		var v any
		if st.toleratedPercentPath != nil {
			v, _ = f.resolve(st.toleratedPercentPath, eff)
		} else {
			r, err := st.toleratedPercentExpr.eval(f.jsScope(raw))
			if err != nil {
				return nil, "", nil, asFailure(err)
			}
			v = r
		}
		n, ok := v.(float64)
		if !ok || n < 0 || n > 100 {
			return nil, "", nil, f.runtime("The ToleratedFailurePercentage must be a number between 0 and 100, but was " + jsonText(v))
		}
		tolPercent = n
	}

	// ItemSelector, then ItemBatcher.
	inputs := items
	if st.itemSelector != nil {
		inputs = make([]any, len(items))
		for i, it := range items {
			sf := *f
			sf.inMapItem, sf.mapIndex, sf.mapValue = true, i, it
			var sc *scope
			if st.jsonata {
				sc = sf.jsScope(raw)
			} else {
				sc = sf.scope(eff)
			}
			v, err := st.itemSelector.eval(sc)
			if err != nil {
				return nil, "", nil, asFailure(err)
			}
			inputs[i] = v
		}
	}
	if st.itemBatcher != nil {
		b, bf := t.batch(f, st.itemBatcher, inputs, eff, raw)
		if bf != nil {
			return nil, "", nil, bf
		}
		inputs = b
	}

	if st.distributed {
		t.emit(Event{Type: "MapRunStarted"})
	} else {
		t.emit(Event{Type: "MapStateStarted", Length: len(inputs)})
	}
	results := make([]any, len(inputs))
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	failed := 0
	var firstFail *failure
	tolerate := st.hasToleratedCount || st.hasToleratedPercent
	exceeded := false
	startPrev := t.prev
	var lastMu sync.Mutex
	last := t.prev
	workers := maxConc
	if workers == 0 {
		workers = inlineMapConcurrency
	}
	succeeded := make([]bool, len(inputs))
	t.fanOut(len(inputs), workers, func(i int) {
		if out, ok := t.doneOf(i); ok {
			results[i], succeeded[i] = out, true
			return
		}
		if mctx.Err() != nil {
			return
		}
		child := &thread{x: x, prev: startPrev, vars: &varScope{parent: t.vars}, depth: t.depth + 1, child: t.child}
		if st.distributed {
			child.child = t.newChildExecution(st, f.enteredID, i, inputs[i])
		}
		if !st.distributed {
			child.emit(Event{Type: "MapIterationStarted", Name: st.name, Index: i})
		}
		out, bf := child.runGraph(mctx, st.processor, "", inputs[i], nil)
		if !st.distributed {
			switch {
			case bf == errAborted:
				child.emit(Event{Type: "MapIterationAborted", Name: st.name, Index: i})
			case bf != nil:
				child.emit(Event{Type: "MapIterationFailed", Name: st.name, Index: i})
			default:
				child.emit(Event{Type: "MapIterationSucceeded", Name: st.name, Index: i})
			}
		}
		lastMu.Lock()
		if child.prev > last {
			last = child.prev
		}
		lastMu.Unlock()
		if bf == nil {
			results[i], succeeded[i] = out, true
			return
		}
		if bf == errAborted {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		failed++
		results[i] = map[string]any{"Error": bf.name, "Cause": bf.cause}
		if firstFail == nil {
			firstFail = bf
		}
		if !tolerate {
			cancel()
			return
		}
		over := st.hasToleratedCount && failed > tolCount
		if st.hasToleratedPercent && float64(failed)*100/float64(len(inputs)) > tolPercent {
			over = true
		}
		if st.hasToleratedCount && st.hasToleratedPercent {
			over = failed > tolCount && float64(failed)*100/float64(len(inputs)) > tolPercent
		}
		if over && !exceeded {
			exceeded = true
			cancel()
		}
	})
	t.prev = last
	if ctx.Err() != nil || (firstFail != nil && !tolerate) || exceeded {
		t.keepDone(f, raw, results, func(i int) bool { return succeeded[i] })
	}
	if ctx.Err() != nil {
		return nil, "", nil, errAborted
	}
	var mf *failure
	switch {
	case firstFail != nil && !tolerate:
		mf = firstFail
	case exceeded:
		mf = &failure{name: ErrExceedToleratedFailure, cause: "The specified tolerated failure threshold was exceeded"}
	}
	if mf != nil {
		if st.distributed {
			t.emit(Event{Type: "MapRunFailed", Error: mf.name, Cause: mf.cause})
		} else {
			t.emit(Event{Type: "MapStateFailed", Error: mf.name, Cause: mf.cause})
		}
		return nil, "", nil, mf
	}
	var result any = results
	if st.resultWriter != nil {
		v, wf := t.writeResults(ctx, f, results, eff, raw)
		if wf != nil {
			t.emit(Event{Type: "MapStateFailed", Error: wf.name, Cause: wf.cause})
			return nil, "", nil, wf
		}
		result = v
	}
	if st.distributed {
		t.emit(Event{Type: "MapRunSucceeded"})
	} else {
		t.emit(Event{Type: "MapStateSucceeded"})
	}
	if st.jsonata {
		out, assigned, fl := t.finishJSONata(f, raw, result, "result", result)
		return out, st.next, assigned, fl
	}
	out, assigned, fl := t.finishJSONPath(f, raw, result, true)
	return out, st.next, assigned, fl
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
	st := f.st
	res, _ := st.itemReader["Resource"].(string)
	var params any = map[string]any{}
	if st.itemReaderParams != nil {
		sc := f.scope(eff)
		if st.jsonata {
			sc = f.jsScope(raw)
		}
		v, err := st.itemReaderParams.eval(sc)
		if err != nil {
			return nil, asFailure(err)
		}
		params = v
	}
	key, pattern := ResourceKey(res)
	req := &TaskRequest{Resource: res, Key: key, Pattern: pattern, Parameters: map[string]any{
		"Parameters": params, "ReaderConfig": st.itemReader["ReaderConfig"],
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
	st := f.st
	res, _ := st.resultWriter["Resource"].(string)
	var params any = map[string]any{}
	if st.resultWriterParams != nil {
		sc := f.scope(eff)
		if st.jsonata {
			sc = f.jsScope(raw)
		}
		v, err := st.resultWriterParams.eval(sc)
		if err != nil {
			return nil, asFailure(err)
		}
		params = v
	}
	key, pattern := ResourceKey(res)
	req := &TaskRequest{Resource: res, Key: key, Pattern: pattern, Parameters: map[string]any{
		"Parameters": params, "Results": results, "WriterConfig": st.resultWriter["WriterConfig"],
	}, Context: f.contextObject(), ExecutionARN: t.x.arn, StateMachineARN: t.x.smARN, StateName: st.name, Clock: t.x.e.clock, Engine: t.x.e}
	v, err := t.x.e.opts.Resources.invoke(ctx, req)
	if err != nil {
		fl := asFailure(err)
		return nil, &failure{name: ErrResultWriterFailed, cause: fl.cause}
	}
	return v, nil
}
