package asl

import (
	"context"
	"fmt"
	"time"
)

// waitNode is a Wait state: it waits a number of seconds or until a timestamp, fixed or taken
// from the input (SecondsPath, TimestampPath) or from JSONata expressions, on the engine's
// clock.
type waitNode struct {
	seconds       *float64
	timestamp     string
	secondsPath   *jsonPath
	timestampPath *jsonPath
	secondsExpr   template
	timestampExpr template
}

// check checks the kind's fields.
func (n *waitNode) check(c *checker, path string, st *state, obj map[string]any, lang string) {
	c.wait(path, st, n, obj)
}

func (*waitNode) kind() string { return "Wait" }

var waitKind = stateKind{
	jsonPathFields: fieldList(transitionKeys, []string{"Seconds", "Timestamp", "Assign", "InputPath", "OutputPath", "SecondsPath", "TimestampPath"}),
	jsonataFields:  fieldList(transitionKeys, []string{"Seconds", "Timestamp", "Assign", "Output"}),
	newNode:        func() node { return &waitNode{} },
}

// wait checks a Wait state's one way of saying how long to wait.
func (c *checker) wait(path string, st *state, n *waitNode, obj map[string]any) {
	count := 0
	if v, ok := obj["Seconds"]; ok {
		count++
		if _, isStr := v.(string); isStr && st.jsonata {
			n.secondsExpr = c.jsonata(join(path, "Seconds"), v)
		} else {
			f := float64(c.posInt(path, obj, "Seconds", 0, 99999999))
			n.seconds = &f
		}
	}
	if v, ok := obj["Timestamp"]; ok {
		count++
		s, _ := v.(string)
		if _, isExpr := jsonataTemplate(s); isExpr && st.jsonata {
			n.timestampExpr = c.jsonata(join(path, "Timestamp"), v)
		} else if _, err := parseTimestamp(s); err != nil {
			c.add(join(path, "Timestamp"), "must be an RFC 3339 timestamp")
		} else {
			n.timestamp = s
		}
	}
	if _, ok := obj["SecondsPath"]; ok {
		count++
		n.secondsPath = c.refPath(path, obj, "SecondsPath")
	}
	if _, ok := obj["TimestampPath"]; ok {
		count++
		n.timestampPath = c.refPath(path, obj, "TimestampPath")
	}
	if count != 1 {
		c.add(path, "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath")
	}
}

// run waits on the engine's clock until the time the state names, then passes its input on.
func (n *waitNode) run(ctx context.Context, t *thread, f *frame, raw any, attempts []int, resume *Checkpoint) outcome {
	st := f.st
	now := t.x.e.clock.Now()
	var until time.Time
	eff := raw
	var fl *failure
	if !st.jsonata {
		if eff, fl = f.inputPath(raw); fl != nil {
			return failed(fl)
		}
	}
	switch {
	case n.seconds != nil:
		until = now.Add(time.Duration(*n.seconds) * time.Second)
	case n.timestamp != "":
		until, _ = parseTimestamp(n.timestamp)
	case n.secondsPath != nil:
		v, err := f.resolve(n.secondsPath, eff)
		if err != nil {
			return failed(f.runtime("The SecondsPath parameter does not reference an input value: " + n.secondsPath.src))
		}
		secs, ok := v.(float64)
		switch {
		case !ok || secs != float64(int64(secs)):
			return failed(f.runtime(fmt.Sprintf("The SecondsPath parameter cannot be parsed as a long value: %s == %s", n.secondsPath.src, rawText(v))))
		case secs < 0:
			return failed(f.runtime(fmt.Sprintf("The SecondsPath parameter references a negative value: %s == %s", n.secondsPath.src, rawText(v))))
		}
		until = now.Add(time.Duration(secs) * time.Second)
	case n.timestampPath != nil:
		v, err := f.resolve(n.timestampPath, eff)
		if err != nil {
			return failed(f.runtime("The TimestampPath parameter does not reference an input value: " + n.timestampPath.src))
		}
		s, _ := v.(string)
		ts, perr := parseTimestamp(s)
		if perr != nil {
			return failed(f.runtime(fmt.Sprintf("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", n.timestampPath.src, rawText(v))))
		}
		until = ts
	case n.secondsExpr != nil:
		v, err := n.secondsExpr.eval(f.jsScope(raw))
		if err != nil {
			return failed(asFailure(err))
		}
		n, ok := v.(float64)
		if !ok || n < 0 || n != float64(int64(n)) {
			return failed(&failure{name: ErrQueryEvaluationError, cause: f.prefix() + "The Seconds field must evaluate to a non-negative integer, but was " + jsonText(v)})
		}
		until = now.Add(time.Duration(n) * time.Second)
	case n.timestampExpr != nil:
		v, err := n.timestampExpr.eval(f.jsScope(raw))
		if err != nil {
			return failed(asFailure(err))
		}
		s, _ := v.(string)
		ts, perr := parseTimestamp(s)
		if perr != nil {
			return failed(&failure{name: ErrQueryEvaluationError, cause: f.prefix() + "The Timestamp field must evaluate to an ISO-8601 timestamp, but was " + jsonText(v)})
		}
		until = ts
	}
	if err := t.x.e.clock.Sleep(ctx, until); err != nil {
		return failed(errAborted)
	}
	if st.jsonata {
		return t.finishJSONata(f, raw, raw)
	}
	assigned, fl := f.evalAssign(st.assign, f.scope(eff))
	if fl != nil {
		return failed(fl)
	}
	out, fl := f.outputPath(eff)
	return outcome{out: out, next: st.next, assigned: assigned, fail: fl}
}
