package asl

// catcher is one element of Catch.
type catcher struct {
	errorEquals []string
	next        string
	resultPath  *optPath
	assign      template
	output      template
}

// matchCatcher returns the first catcher matching the error name, or nil.
func matchCatcher(cs []*catcher, name string) *catcher {
	for _, c := range cs {
		for _, p := range c.errorEquals {
			if errorMatches(p, name) {
				return c
			}
		}
	}
	return nil
}

// catchers checks a Catch array.
func (c *checker) catchers(path string, v any, lang string) []*catcher {
	var out []*catcher
	c.handlers(path, v, func(p string, obj map[string]any, last bool) {
		ca := &catcher{}
		if lang == langJSONata {
			c.fields(p, obj, "ErrorEquals", "Next", "Output", "Assign", "Comment")
			if v, ok := obj["Output"]; ok {
				ca.output = c.jsonata(join(p, "Output"), v)
			}
		} else {
			c.fields(p, obj, "ErrorEquals", "Next", "ResultPath", "Assign", "Comment")
			ca.resultPath = c.optPathField(p, obj, "ResultPath", true)
		}
		if v, ok := obj["Assign"]; ok {
			ca.assign = c.assign(join(p, "Assign"), v, lang == langJSONata)
		}
		ca.errorEquals = c.errorEquals(p, obj)
		ca.next = c.reqString(p, obj, "Next")
		c.allLast(p, ca.errorEquals, last, "catcher")
		out = append(out, ca)
	})
	return out
}

// caught ends a state whose failure fl a catcher c took: the error output ({"Error",
// "Cause"}) goes through the catcher's Assign and ResultPath (JSONPath) or Output (JSONata),
// StateExited is written and the catcher's Next follows.
func (t *thread) caught(f *frame, c *catcher, raw any, fl *failure) (any, string, *failure) {
	errOut := map[string]any{"Error": fl.name, "Cause": fl.cause}
	t.x.order.record(errOut, errorOutputKeys)
	var o outcome
	if f.st.jsonata {
		o = f.catchJSONata(c, raw, errOut)
	} else {
		o = f.catchJSONPath(c, raw, errOut)
	}
	if o.fail != nil {
		return nil, "", o.fail
	}
	t.vars.assign(o.assigned)
	t.emitExited(f.st, o.out, o.assigned)
	return o.out, c.next, nil
}

// catchJSONata evaluates a JSONata catcher's Assign and Output with $states.errorOutput.
func (f *frame) catchJSONata(c *catcher, raw any, errOut map[string]any) outcome {
	sc := f.jsScope(raw, "errorOutput", errOut)
	assigned, cf := f.evalAssign(c.assign, sc)
	if cf != nil {
		return failed(cf)
	}
	if c.output == nil {
		return outcome{out: errOut, assigned: assigned}
	}
	v, err := c.output.eval(sc)
	if err != nil {
		return failed(asFailure(err))
	}
	return outcome{out: v, assigned: assigned}
}

// catchJSONPath evaluates a JSONPath catcher's Assign (on the error output) and ResultPath.
func (f *frame) catchJSONPath(c *catcher, raw any, errOut map[string]any) outcome {
	assigned, cf := f.evalAssign(c.assign, f.scope(errOut))
	if cf != nil {
		return failed(cf)
	}
	out, cf := resultPath(f, c.resultPath, raw, errOut)
	if cf != nil {
		return failed(cf)
	}
	return outcome{out: out, assigned: assigned}
}
