package asl

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// checker gathers validation problems.
type checker struct {
	errs ValidationErrors
	// order is the definition's key order, when the machine keeps key order.
	order *keyOrder
	// lenient drops the problems soft reports (see ParseOptions.Lenient).
	lenient bool
	// statePath is the path of the state being parsed, for field names in messages.
	statePath string
}

// soft reports a problem AWS rejects but that does not stop the engine from running the
// machine (an unknown field, an unreachable state, a value out of range); lenient parsing
// drops it.
func (c *checker) soft(path, format string, args ...any) {
	if c.lenient {
		return
	}
	c.add(path, format, args...)
}

func (c *checker) add(path, format string, args ...any) {
	c.errs = append(c.errs, ValidationError{Path: path, Message: fmt.Sprintf(format, args...)})
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Parse parses and validates a state machine definition. On failure the error is a
// [ValidationErrors] with every problem found, sorted by path. The returned *Machine is
// immutable and safe for concurrent executions.
func Parse(definition []byte) (*Machine, error) {
	return ParseWith(definition, ParseOptions{})
}

// ParseOptions tune [ParseWith].
type ParseOptions struct {
	// Lenient accepts definitions with problems that do not prevent running them (unknown
	// fields, which are ignored; unreachable states; out-of-range numbers; misplaced
	// States.ALL). Use it to run definitions some other engine accepted; validation should not.
	Lenient bool
}

// ParseWith is [Parse] with options.
func ParseWith(definition []byte, opts ParseOptions) (*Machine, error) {
	var order *keyOrder
	if bytes.Contains(definition, []byte("States.JsonToString")) || bytes.Contains(definition, []byte("States.Format")) {
		order = newKeyOrder(nil, bytes.Count(definition, []byte("{")))
		order.numbers = bytes.Contains(definition, []byte("States.JsonToString"))
		defer func() { order.frozen = true }()
	}
	root, err := decodeJSONOrdered(definition, order)
	if err != nil {
		return nil, ValidationErrors{{Message: "the definition is not valid JSON: " + err.Error()}}
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, ValidationErrors{{Message: "the definition must be a JSON object"}}
	}
	c := &checker{lenient: opts.Lenient, order: order}
	m := &Machine{definition: definition, keyOrder: order}
	c.fields("", obj, "StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage")
	m.comment = c.optString("", obj, "Comment")
	if v, ok := obj["Version"]; ok {
		if s, ok := v.(string); !ok || s != "1.0" {
			c.add("Version", "the only supported version is \"1.0\"")
		}
	}
	if _, ok := obj["TimeoutSeconds"]; ok {
		m.timeoutSeconds = c.posInt("", obj, "TimeoutSeconds", 1, 99999999)
	}
	lang := c.queryLanguage("", obj, langJSONPath)
	m.top = c.graph("", obj, lang, false)
	if len(c.errs) > 0 {
		sort.SliceStable(c.errs, func(i, j int) bool {
			if c.errs[i].Path != c.errs[j].Path {
				return c.errs[i].Path < c.errs[j].Path
			}
			return c.errs[i].Message < c.errs[j].Message
		})
		return nil, c.errs
	}
	return m, nil
}

func (c *checker) queryLanguage(path string, obj map[string]any, def string) string {
	v, ok := obj["QueryLanguage"]
	if !ok {
		return def
	}
	s, _ := v.(string)
	switch s {
	case langJSONPath:
		if def == langJSONata && path != "" {
			c.add(join(path, "QueryLanguage"), "a state may not use JSONPath when the state machine uses JSONata")
		}
		return s
	case langJSONata:
		return s
	}
	c.add(join(path, "QueryLanguage"), "must be \"JSONPath\" or \"JSONata\"")
	return def
}

// fields reports every field of obj that is not allowed.
func (c *checker) fields(path string, obj map[string]any, allowed ...string) {
	for k := range obj {
		found := false
		for _, a := range allowed {
			if k == a {
				found = true
				break
			}
		}
		if !found {
			c.soft(join(path, k), "the field %q is not supported here", k)
		}
	}
}

func (c *checker) optString(path string, obj map[string]any, field string) string {
	v, ok := obj[field]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		c.add(join(path, field), "must be a string")
	}
	return s
}

func (c *checker) reqString(path string, obj map[string]any, field string) string {
	if _, ok := obj[field]; !ok {
		c.add(join(path, field), "is required")
		return ""
	}
	return c.optString(path, obj, field)
}

// posInt reads an integer field within [lo, hi].
func (c *checker) posInt(path string, obj map[string]any, field string, lo, hi int64) int64 {
	v := obj[field]
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) {
		c.add(join(path, field), "must be an integer")
		return 0
	}
	if int64(f) < lo || int64(f) > hi {
		c.soft(join(path, field), "must be between %d and %d", lo, hi)
	}
	return int64(f)
}

func (c *checker) number(path string, obj map[string]any, field string) (float64, bool) {
	v, ok := obj[field]
	if !ok {
		return 0, false
	}
	f, ok := v.(float64)
	if !ok {
		c.add(join(path, field), "must be a number")
		return 0, false
	}
	return f, true
}

// intTarget is where an integer setting of a Map state or its ItemBatcher lands: a number,
// a reference path (the field named with a "Path" suffix) or a JSONata expression.
type intTarget struct {
	n    *int
	path **jsonPath
	expr *template
}

// intSetting reads the integer setting field of obj (at path) into dst: a number within
// [lo, hi], a JSONata expression string when jsonata is set, or a reference path in
// field+"Path". It reports whether either field is present; with exclusive, giving both is an
// error.
func (c *checker) intSetting(path string, obj map[string]any, field string, lo, hi int64, jsonata, exclusive bool, dst intTarget) bool {
	v, hasValue := obj[field]
	if hasValue {
		if _, isStr := v.(string); isStr && jsonata {
			*dst.expr = c.jsonata(join(path, field), v)
		} else {
			*dst.n = int(c.posInt(path, obj, field, lo, hi))
		}
	}
	_, hasPath := obj[field+"Path"]
	if hasPath {
		*dst.path = c.refPath(path, obj, field+"Path")
		if exclusive && hasValue {
			c.add(path, "%s and %sPath may not both be set", field, field)
		}
	}
	return hasValue || hasPath
}

// refPath parses a reference path field.
func (c *checker) refPath(path string, obj map[string]any, field string) *jsonPath {
	s := c.optString(path, obj, field)
	if _, ok := obj[field]; !ok || s == "" && obj[field] == "" {
		if ok {
			c.add(join(path, field), "must be a reference path")
		}
		return nil
	}
	p, err := parsePath(s, true)
	if err != nil {
		c.add(join(path, field), "%q is not a valid reference path: %v", s, err)
		return nil
	}
	return p
}

// optPath parses InputPath/OutputPath (any path, or null) and ResultPath (reference, or null).
func (c *checker) optPathField(path string, obj map[string]any, field string, reference bool) *optPath {
	v, ok := obj[field]
	if !ok {
		return nil
	}
	if v == nil {
		return &optPath{null: true}
	}
	s, ok := v.(string)
	if !ok {
		c.add(join(path, field), "must be a path or null")
		return nil
	}
	p, err := parsePath(s, reference)
	if err != nil {
		c.add(join(path, field), "%q is not a valid path: %v", s, err)
		return nil
	}
	if p.root == rootContext && field == "ResultPath" {
		c.add(join(path, field), "ResultPath may not refer to the context object")
		return nil
	}
	if p.root == rootVariable && (field == "ResultPath" || field == "InputPath" || field == "OutputPath") {
		if field == "ResultPath" {
			c.add(join(path, field), "ResultPath may not refer to a variable")
			return nil
		}
	}
	return &optPath{path: p}
}

// graph parses a StartAt/States pair (the machine, a branch or a processor).
func (c *checker) graph(path string, obj map[string]any, lang string, nested bool) *graph {
	g := &graph{states: map[string]*state{}}
	g.startAt = c.reqString(path, obj, "StartAt")
	sv, ok := obj["States"]
	if !ok {
		c.add(join(path, "States"), "is required")
		return g
	}
	states, ok := sv.(map[string]any)
	if !ok {
		c.add(join(path, "States"), "must be an object")
		return g
	}
	if len(states) == 0 {
		c.add(join(path, "States"), "must hold at least one state")
	}
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, n)
	}
	sort.Strings(names)
	g.order = names
	for _, n := range names {
		sp := join(path, "States") + "." + n
		if len(n) > 80 {
			c.soft(sp, "a state name may be at most 80 characters long")
		}
		so, ok := states[n].(map[string]any)
		if !ok {
			c.add(sp, "must be an object")
			continue
		}
		if st := c.state(sp, n, so, lang); st != nil {
			g.states[n] = st
		}
	}
	if g.startAt != "" {
		if _, ok := states[g.startAt]; !ok {
			c.add(join(path, "StartAt"), "the state %q does not exist", g.startAt)
		}
	}
	// Transitions must name states of this graph; every state must be reachable.
	for _, n := range names {
		st := g.states[n]
		if st == nil {
			continue
		}
		sp := join(path, "States") + "." + n
		check := func(field, target string) {
			if target == "" {
				return
			}
			if _, ok := states[target]; !ok {
				c.add(join(sp, field), "the state %q does not exist", target)
			}
		}
		check("Next", st.next)
		if ch := choiceOf(st); ch != nil {
			check("Default", ch.defaultNext)
			for i, r := range ch.choices {
				check(index("Choices", i)+".Next", r.next)
			}
		}
		for i, ca := range st.catch {
			check(index("Catch", i)+".Next", ca.next)
		}
	}
	if g.startAt != "" && len(c.errs) == 0 {
		seen := map[string]bool{}
		var walk func(string)
		walk = func(n string) {
			if n == "" || seen[n] {
				return
			}
			seen[n] = true
			st := g.states[n]
			if st == nil {
				return
			}
			walk(st.next)
			for _, target := range choiceOf(st).targets() {
				walk(target)
			}
			for _, ca := range st.catch {
				walk(ca.next)
			}
		}
		walk(g.startAt)
		for _, n := range names {
			if !seen[n] {
				c.soft(join(path, "States")+"."+n, "the state is not reachable from StartAt")
			}
		}
	}
	_ = nested
	return g
}

var (
	commonFields   = []string{"Type", "Comment", "QueryLanguage"}
	jsonPathFlow   = []string{"InputPath", "OutputPath"}
	transitionKeys = []string{"Next", "End"}
)

func fieldList(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// state parses one state.
func (c *checker) state(path, name string, obj map[string]any, parentLang string) *state {
	saved := c.statePath
	c.statePath = path
	defer func() { c.statePath = saved }()
	st := &state{name: name}
	st.typ = c.reqString(path, obj, "Type")
	if _, known := stateKinds[st.typ]; st.typ != "" && !known {
		c.add(join(path, "Type"), "%q is not a state type", st.typ)
		return nil
	}
	st.enteredType, st.exitedType = st.typ+"StateEntered", st.typ+"StateExited"
	lang := c.queryLanguage(path, obj, parentLang)
	st.jsonata = lang == langJSONata
	jp := !st.jsonata
	kind := stateKinds[st.typ]
	if kind.newNode == nil {
		return nil
	}
	c.fields(path, obj, kind.allowed(st.jsonata)...)

	// Transitions.
	if st.typ != "Choice" && st.typ != "Succeed" && st.typ != "Fail" {
		_, hasNext := obj["Next"]
		endV, hasEnd := obj["End"]
		if hasNext {
			st.next = c.optString(path, obj, "Next")
		}
		if hasEnd {
			b, ok := endV.(bool)
			if !ok {
				c.add(join(path, "End"), "must be a boolean")
			}
			st.end = b
			if !b && !hasNext {
				c.add(join(path, "End"), "must be true when there is no Next")
			}
		}
		switch {
		case hasNext && hasEnd && st.end:
			c.add(path, "a state may not have both Next and End")
		case !hasNext && !hasEnd:
			c.add(path, "a state needs either Next or \"End\": true")
		}
	}

	// Data flow.
	if jp {
		st.inputPath = c.optPathField(path, obj, "InputPath", false)
		st.outputPath = c.optPathField(path, obj, "OutputPath", false)
		st.resultPath = c.optPathField(path, obj, "ResultPath", true)
		if v, ok := obj["Parameters"]; ok {
			st.parameters = c.payload(join(path, "Parameters"), v)
		}
		if v, ok := obj["ResultSelector"]; ok {
			st.resultSelector = c.payload(join(path, "ResultSelector"), v)
		}
		if v, ok := obj["Result"]; ok {
			st.result, st.hasResult = v, true
		}
	} else {
		if v, ok := obj["Arguments"]; ok {
			st.arguments = c.jsonata(join(path, "Arguments"), v)
		}
		if v, ok := obj["Output"]; ok {
			st.output = c.jsonata(join(path, "Output"), v)
		}
	}
	if v, ok := obj["Assign"]; ok {
		st.assign = c.assign(join(path, "Assign"), v, st.jsonata)
	}
	if v, ok := obj["Retry"]; ok {
		st.retry = c.retriers(join(path, "Retry"), v)
	}
	if v, ok := obj["Catch"]; ok {
		st.catch = c.catchers(join(path, "Catch"), v, lang)
	}

	st.node = kind.newNode()
	st.node.check(c, path, st, obj, lang)
	return st
}

// objects calls fn with the path and value of each element of the required, non-empty array
// obj[field] (a Parallel state's Branches, a Choice state's Choices), reporting a missing
// field, a value that is not a non-empty array and each element that is not an object.
func (c *checker) objects(path string, obj map[string]any, field string, fn func(p string, o map[string]any)) {
	v, ok := obj[field]
	if !ok {
		c.add(join(path, field), "is required")
		return
	}
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		c.add(join(path, field), "must be a non-empty array")
		return
	}
	for i, e := range arr {
		p := index(join(path, field), i)
		o, ok := e.(map[string]any)
		if !ok {
			c.add(p, "must be an object")
			continue
		}
		fn(p, o)
	}
}

// parseTimestamp parses an ASL timestamp: RFC 3339 with an upper-case T and a zone.
func parseTimestamp(s string) (time.Time, error) {
	if strings.ContainsAny(s, "tz") {
		return time.Time{}, fmt.Errorf("timestamp %q must use upper-case T and Z", s)
	}
	return time.Parse(time.RFC3339Nano, s)
}
