package asl

import (
	"context"
	"fmt"
	"strings"
)

// choiceRule is a Choice rule or one of its nested conditions.
type choiceRule struct {
	variable  *jsonPath
	op        string
	value     any
	valuePath *jsonPath
	and, or   []*choiceRule
	not       *choiceRule
	condition template
	next      string
	assign    template
	output    template
}

var comparisons = map[string]string{
	"StringEquals": "string", "StringLessThan": "string", "StringGreaterThan": "string",
	"StringLessThanEquals": "string", "StringGreaterThanEquals": "string", "StringMatches": "string",
	"NumericEquals": "number", "NumericLessThan": "number", "NumericGreaterThan": "number",
	"NumericLessThanEquals": "number", "NumericGreaterThanEquals": "number",
	"BooleanEquals":   "bool",
	"TimestampEquals": "timestamp", "TimestampLessThan": "timestamp", "TimestampGreaterThan": "timestamp",
	"TimestampLessThanEquals": "timestamp", "TimestampGreaterThanEquals": "timestamp",
	"IsNull": "bool", "IsPresent": "bool", "IsNumeric": "bool", "IsString": "bool", "IsBoolean": "bool", "IsTimestamp": "bool",
}

// choiceNode is a Choice state: its rules, tried in order, and the Default taken when none
// matches.
type choiceNode struct {
	choices     []*choiceRule
	defaultNext string
}

// check checks the kind's fields.
func (n *choiceNode) check(c *checker, path string, st *state, obj map[string]any, lang string) {
	c.choice(path, st, n, obj)
}

func (*choiceNode) kind() string { return "Choice" }

var choiceKind = stateKind{
	jsonPathFields: fieldList([]string{"Choices", "Default", "Assign"}, jsonPathFlow),
	jsonataFields:  []string{"Choices", "Default", "Assign", "Output"},
	newNode:        func() node { return &choiceNode{} },
}

// choiceOf returns st's Choice node, or nil for another kind.
func choiceOf(st *state) *choiceNode {
	n, _ := st.node.(*choiceNode)
	return n
}

// targets returns the states a Choice may go to: its Default and each rule's Next.
func (n *choiceNode) targets() []string {
	if n == nil {
		return nil
	}
	out := []string{n.defaultNext}
	for _, r := range n.choices {
		out = append(out, r.next)
	}
	return out
}

// choice checks a Choice state's Default and Choices.
func (c *checker) choice(path string, st *state, n *choiceNode, obj map[string]any) {
	n.defaultNext = c.optString(path, obj, "Default")
	c.objects(path, obj, "Choices", func(p string, ro map[string]any) {
		if r := c.rule(p, ro, st.jsonata, true); r != nil {
			n.choices = append(n.choices, r)
		}
	})
}

// rule parses a Choice rule; top rules carry Next (and Assign/Output), nested ones do not.
func (c *checker) rule(path string, obj map[string]any, isJSONata, top bool) *choiceRule {
	r := &choiceRule{}
	if top {
		r.next = c.reqString(path, obj, "Next")
		if v, ok := obj["Assign"]; ok {
			r.assign = c.assign(join(path, "Assign"), v, isJSONata)
		}
	} else if _, ok := obj["Next"]; ok {
		c.add(join(path, "Next"), "a nested choice rule may not have Next")
	}
	if isJSONata {
		c.conditionRule(path, obj, r, top)
		return r
	}
	ops := 0
	for k := range obj {
		if c.ruleField(path, obj, k, r, top) {
			ops++
		}
	}
	if ops != 1 {
		c.add(path, "a choice rule needs exactly one comparison operator, And, Or or Not")
	}
	c.ruleVariable(path, obj, r)
	return r
}

// conditionRule checks a JSONata rule: its Condition and, on a top rule, its Output.
func (c *checker) conditionRule(path string, obj map[string]any, r *choiceRule, top bool) {
	allowed := []string{"Condition", "Comment"}
	if top {
		allowed = append(allowed, "Next", "Assign", "Output")
	}
	c.fields(path, obj, allowed...)
	cv, ok := obj["Condition"]
	if !ok {
		c.add(join(path, "Condition"), "is required")
		return
	}
	switch cv.(type) {
	case bool, string:
	default:
		c.add(join(path, "Condition"), "must be a JSONata expression or a boolean")
	}
	r.condition = c.jsonata(join(path, "Condition"), cv)
	if v, ok := obj["Output"]; ok && top {
		r.output = c.jsonata(join(path, "Output"), v)
	}
}

// ruleField checks field k of a JSONPath rule into r and reports whether it is an operator
// (And, Or, Not or a comparison).
func (c *checker) ruleField(path string, obj map[string]any, k string, r *choiceRule, top bool) bool {
	switch k {
	case "Next", "Comment", "Variable", "Assign":
		if k == "Assign" && !top {
			c.add(join(path, k), "a nested choice rule may not have Assign")
		}
		return false
	case "And", "Or":
		c.ruleList(join(path, k), obj[k], k, r)
		return true
	case "Not":
		ro, ok := obj[k].(map[string]any)
		if !ok {
			c.add(join(path, k), "must be a rule object")
			return true
		}
		r.not = c.rule(join(path, k), ro, false, false)
		r.op = k
		return true
	}
	return c.comparison(path, k, obj[k], r)
}

// ruleList checks the rules of an And or Or (op) at path.
func (c *checker) ruleList(path string, v any, op string, r *choiceRule) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		c.add(path, "must be a non-empty array of rules")
		return
	}
	for i, e := range arr {
		ro, ok := e.(map[string]any)
		if !ok {
			c.add(index(path, i), "must be an object")
			continue
		}
		sub := c.rule(index(path, i), ro, false, false)
		if op == "And" {
			r.and = append(r.and, sub)
		} else {
			r.or = append(r.or, sub)
		}
	}
	r.op = op
}

// comparison checks a comparison operator k (like NumericEquals or StringEqualsPath) with its
// value val, reporting whether k is an operator at all.
func (c *checker) comparison(path, k string, val any, r *choiceRule) bool {
	base := strings.TrimSuffix(k, "Path")
	kind, known := comparisons[k]
	isPath := false
	if !known {
		if kk, ok := comparisons[base]; ok && base != "StringMatches" && !strings.HasPrefix(base, "Is") {
			kind, known, isPath = kk, true, true
		}
	}
	if !known {
		c.add(join(path, k), "%q is not a choice rule operator", k)
		return false
	}
	r.op = base
	if isPath {
		s, ok := val.(string)
		p, err := parsePath(s, true)
		if !ok || err != nil {
			c.add(join(path, k), "must be a reference path")
			return true
		}
		r.valuePath = p
		return true
	}
	c.comparisonValue(join(path, k), kind, val)
	r.value = val
	return true
}

// comparisonValue checks that val is of the kind a comparison takes.
func (c *checker) comparisonValue(path, kind string, val any) {
	switch kind {
	case "string":
		if _, ok := val.(string); !ok {
			c.add(path, "must be a string")
		}
	case "number":
		if _, ok := val.(float64); !ok {
			c.add(path, "must be a number")
		}
	case "bool":
		if _, ok := val.(bool); !ok {
			c.add(path, "must be a boolean")
		}
	case "timestamp":
		s, _ := val.(string)
		if _, err := parseTimestamp(s); err != nil {
			c.add(path, "must be an RFC 3339 timestamp")
		}
	}
}

// ruleVariable checks the Variable a comparison needs and And, Or and Not refuse.
func (c *checker) ruleVariable(path string, obj map[string]any, r *choiceRule) {
	if r.op != "And" && r.op != "Or" && r.op != "Not" && r.op != "" {
		if _, ok := obj["Variable"]; !ok {
			c.add(join(path, "Variable"), "is required")
			return
		}
		s, _ := obj["Variable"].(string)
		p, err := parsePath(s, false)
		if err != nil {
			c.add(join(path, "Variable"), "%q is not a valid path: %v", s, err)
		}
		r.variable = p
	} else if _, ok := obj["Variable"]; ok && r.op != "" {
		c.add(join(path, "Variable"), "And, Or and Not rules may not have a Variable")
	}
}

// eval reports whether the rule matches the effective input.
func (r *choiceRule) eval(f *frame, input any) (bool, *failure) {
	switch r.op {
	case "And":
		for _, s := range r.and {
			ok, fl := s.eval(f, input)
			if fl != nil || !ok {
				return false, fl
			}
		}
		return true, nil
	case "Or":
		for _, s := range r.or {
			ok, fl := s.eval(f, input)
			if fl != nil || ok {
				return ok, fl
			}
		}
		return false, nil
	case "Not":
		ok, fl := r.not.eval(f, input)
		return !ok, fl
	}
	v, err := f.resolve(r.variable, input)
	if r.op == "IsPresent" {
		return (err == nil) == r.value.(bool), nil
	}
	if err != nil {
		return false, f.runtime(fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.variable.src))
	}
	want := r.value
	if r.valuePath != nil {
		w, err := f.resolve(r.valuePath, input)
		if err != nil {
			return false, f.runtime(fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.valuePath.src))
		}
		want = w
	}
	return compare(r.op, v, want), nil
}

func compare(op string, v, want any) bool {
	switch op {
	case "IsNull":
		return (v == nil) == want.(bool)
	case "IsNumeric":
		_, ok := v.(float64)
		return ok == want.(bool)
	case "IsString":
		_, ok := v.(string)
		return ok == want.(bool)
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == want.(bool)
	case "IsTimestamp":
		s, ok := v.(string)
		if ok {
			_, err := parseTimestamp(s)
			ok = err == nil
		}
		return ok == want.(bool)
	case "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := want.(bool)
		return ok1 && ok2 && a == b
	case "StringMatches":
		a, ok1 := v.(string)
		b, ok2 := want.(string)
		return ok1 && ok2 && stringMatches(a, b)
	}
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := v.(string)
		b, ok2 := want.(string)
		if !ok1 || !ok2 {
			return false
		}
		return order(op[len("String"):], strings.Compare(a, b))
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := v.(float64)
		b, ok2 := want.(float64)
		if !ok1 || !ok2 {
			return false
		}
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return order(op[len("Numeric"):], c)
	case strings.HasPrefix(op, "Timestamp"):
		as, ok1 := v.(string)
		bs, ok2 := want.(string)
		if !ok1 || !ok2 {
			return false
		}
		a, err1 := parseTimestamp(as)
		b, err2 := parseTimestamp(bs)
		if err1 != nil || err2 != nil {
			return false
		}
		return order(op[len("Timestamp"):], a.Compare(b))
	}
	return false
}

func order(rel string, c int) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "GreaterThan":
		return c > 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

// stringMatches matches s against a StringMatches pattern: '*' matches any run of
// characters, "\*" a literal asterisk and "\\" a literal backslash.
func stringMatches(s, pattern string) bool {
	type tok struct {
		lit  rune
		star bool
	}
	var toks []tok
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) && (rs[i+1] == '*' || rs[i+1] == '\\') {
			toks = append(toks, tok{lit: rs[i+1]})
			i++
			continue
		}
		if rs[i] == '*' {
			toks = append(toks, tok{star: true})
			continue
		}
		toks = append(toks, tok{lit: rs[i]})
	}
	str := []rune(s)
	// Classic wildcard matching with backtracking on the last star.
	si, ti, starT, starS := 0, 0, -1, 0
	for si < len(str) {
		switch {
		case ti < len(toks) && !toks[ti].star && toks[ti].lit == str[si]:
			si++
			ti++
		case ti < len(toks) && toks[ti].star:
			starT, starS = ti, si
			ti++
		case starT >= 0:
			starS++
			si = starS
			ti = starT + 1
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].star {
		ti++
	}
	return ti == len(toks)
}

// run takes the first rule that matches, else the Default; with neither it fails with
// States.NoChoiceMatched.
func (n *choiceNode) run(ctx context.Context, t *thread, f *frame, raw any, attempts []int, resume *Checkpoint) outcome {
	st := f.st
	if st.jsonata {
		sc := f.jsScope(raw)
		for _, r := range n.choices {
			v, err := r.condition.eval(sc)
			if err != nil {
				return failed(asFailure(err))
			}
			b, ok := v.(bool)
			if !ok {
				return failed(&failure{name: ErrQueryEvaluationError, cause: f.prefix() + "The Condition field must evaluate to a boolean, but was " + jsonText(v)})
			}
			if !b {
				continue
			}
			assigned, fl := f.evalAssign(r.assign, sc)
			if fl != nil {
				return failed(fl)
			}
			out := raw
			if r.output != nil {
				o, err := r.output.eval(sc)
				if err != nil {
					return failed(asFailure(err))
				}
				out = o
			}
			return outcome{out: out, next: r.next, assigned: assigned}
		}
		if n.defaultNext == "" {
			return failed(&failure{name: ErrNoChoiceMatched, cause: f.prefix() + "No Matches!"})
		}
		o := t.finishJSONata(f, raw, raw)
		o.next = n.defaultNext
		return o
	}
	eff, fl := f.inputPath(raw)
	if fl != nil {
		return failed(fl)
	}
	next := ""
	var assignT template
	for _, r := range n.choices {
		ok, fl := r.eval(f, eff)
		if fl != nil {
			return failed(fl)
		}
		if ok {
			next, assignT = r.next, r.assign
			break
		}
	}
	if next == "" {
		if n.defaultNext == "" {
			return failed(&failure{name: ErrNoChoiceMatched, cause: f.prefix() + "No Matches!"})
		}
		next, assignT = n.defaultNext, st.assign
	}
	assigned, fl := f.evalAssign(assignT, f.scope(eff))
	if fl != nil {
		return failed(fl)
	}
	out, fl := f.outputPath(eff)
	return outcome{out: out, next: next, assigned: assigned, fail: fl}
}
