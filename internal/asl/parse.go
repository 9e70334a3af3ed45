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

var stateTypes = map[string]bool{"Pass": true, "Task": true, "Choice": true, "Wait": true, "Succeed": true, "Fail": true, "Parallel": true, "Map": true}

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
		check("Default", st.defaultNext)
		for i, ch := range st.choices {
			check(index("Choices", i)+".Next", ch.next)
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
			walk(st.defaultNext)
			for _, ch := range st.choices {
				walk(ch.next)
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
	if st.typ != "" && !stateTypes[st.typ] {
		c.add(join(path, "Type"), "%q is not a state type", st.typ)
		return nil
	}
	st.enteredType, st.exitedType = st.typ+"StateEntered", st.typ+"StateExited"
	lang := c.queryLanguage(path, obj, parentLang)
	st.jsonata = lang == langJSONata
	var allowed []string
	jp := !st.jsonata
	switch st.typ {
	case "Pass":
		allowed = fieldList(commonFields, transitionKeys, []string{"Assign"})
		if jp {
			allowed = append(allowed, "InputPath", "OutputPath", "Parameters", "ResultPath", "Result")
		} else {
			allowed = append(allowed, "Output")
		}
	case "Task":
		allowed = fieldList(commonFields, transitionKeys, []string{"Resource", "Retry", "Catch", "TimeoutSeconds", "HeartbeatSeconds", "Credentials", "Assign"})
		if jp {
			allowed = append(allowed, "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "TimeoutSecondsPath", "HeartbeatSecondsPath")
		} else {
			allowed = append(allowed, "Arguments", "Output")
		}
	case "Choice":
		allowed = fieldList(commonFields, []string{"Choices", "Default", "Assign"})
		if jp {
			allowed = append(allowed, jsonPathFlow...)
		} else {
			allowed = append(allowed, "Output")
		}
	case "Wait":
		allowed = fieldList(commonFields, transitionKeys, []string{"Seconds", "Timestamp", "Assign"})
		if jp {
			allowed = append(allowed, "InputPath", "OutputPath", "SecondsPath", "TimestampPath")
		} else {
			allowed = append(allowed, "Output")
		}
	case "Succeed":
		allowed = fieldList(commonFields)
		if jp {
			allowed = append(allowed, jsonPathFlow...)
		} else {
			allowed = append(allowed, "Output")
		}
	case "Fail":
		allowed = fieldList(commonFields, []string{"Error", "Cause"})
		if jp {
			allowed = append(allowed, "ErrorPath", "CausePath")
		}
	case "Parallel":
		allowed = fieldList(commonFields, transitionKeys, []string{"Branches", "Retry", "Catch", "Assign"})
		if jp {
			allowed = append(allowed, "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath")
		} else {
			allowed = append(allowed, "Arguments", "Output")
		}
	case "Map":
		allowed = fieldList(commonFields, transitionKeys, []string{"ItemProcessor", "Iterator", "ItemReader", "ItemBatcher", "ResultWriter", "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage", "Label", "Retry", "Catch", "Assign", "ItemSelector"})
		if jp {
			allowed = append(allowed, "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "ItemsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath")
		} else {
			allowed = append(allowed, "Items", "Output")
		}
	default:
		return nil
	}
	c.fields(path, obj, allowed...)

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

	switch st.typ {
	case "Task":
		c.task(path, st, obj)
	case "Choice":
		c.choice(path, st, obj)
	case "Wait":
		c.wait(path, st, obj)
	case "Fail":
		c.fail(path, st, obj)
	case "Parallel":
		c.parallel(path, st, obj, lang)
	case "Map":
		c.mapState(path, st, obj, lang)
	}
	return st
}

func (c *checker) task(path string, st *state, obj map[string]any) {
	st.resource = c.reqString(path, obj, "Resource")
	if st.resource != "" {
		st.resourceKey, st.pattern = ResourceKey(st.resource)
		if !strings.HasPrefix(st.resource, "arn:") && !strings.Contains(st.resource, "${") {
			c.add(join(path, "Resource"), "%q is not a valid ARN", st.resource)
		}
	}
	if st.jsonata {
		if v, ok := obj["TimeoutSeconds"]; ok {
			if _, isStr := v.(string); isStr {
				st.timeoutExpr = c.jsonata(join(path, "TimeoutSeconds"), v)
			} else {
				st.timeoutSeconds = c.posInt(path, obj, "TimeoutSeconds", 1, 99999999)
			}
		}
		if v, ok := obj["HeartbeatSeconds"]; ok {
			if _, isStr := v.(string); isStr {
				st.heartbeatExpr = c.jsonata(join(path, "HeartbeatSeconds"), v)
			} else {
				st.heartbeatSeconds = c.posInt(path, obj, "HeartbeatSeconds", 1, 99999999)
			}
		}
		if v, ok := obj["Credentials"]; ok {
			st.credentials = c.jsonata(join(path, "Credentials"), v)
		}
	} else {
		if _, ok := obj["TimeoutSeconds"]; ok {
			st.timeoutSeconds = c.posInt(path, obj, "TimeoutSeconds", 1, 99999999)
		}
		if _, ok := obj["HeartbeatSeconds"]; ok {
			st.heartbeatSeconds = c.posInt(path, obj, "HeartbeatSeconds", 1, 99999999)
		}
		st.timeoutPath = c.refPath(path, obj, "TimeoutSecondsPath")
		st.heartbeatPath = c.refPath(path, obj, "HeartbeatSecondsPath")
		if st.timeoutPath != nil && st.timeoutSeconds > 0 {
			c.add(path, "TimeoutSeconds and TimeoutSecondsPath may not both be set")
		}
		if st.heartbeatPath != nil && st.heartbeatSeconds > 0 {
			c.add(path, "HeartbeatSeconds and HeartbeatSecondsPath may not both be set")
		}
		if v, ok := obj["Credentials"]; ok {
			st.credentials = c.payload(join(path, "Credentials"), v)
		}
	}
	if st.timeoutSeconds > 0 && st.heartbeatSeconds > 0 && st.heartbeatSeconds >= st.timeoutSeconds {
		c.soft(join(path, "HeartbeatSeconds"), "must be smaller than TimeoutSeconds")
	}
}

func (c *checker) wait(path string, st *state, obj map[string]any) {
	n := 0
	if v, ok := obj["Seconds"]; ok {
		n++
		if _, isStr := v.(string); isStr && st.jsonata {
			st.secondsExpr = c.jsonata(join(path, "Seconds"), v)
		} else {
			f := float64(c.posInt(path, obj, "Seconds", 0, 99999999))
			st.seconds = &f
		}
	}
	if v, ok := obj["Timestamp"]; ok {
		n++
		s, _ := v.(string)
		if _, isExpr := jsonataTemplate(s); isExpr && st.jsonata {
			st.timestampExpr = c.jsonata(join(path, "Timestamp"), v)
		} else if _, err := parseTimestamp(s); err != nil {
			c.add(join(path, "Timestamp"), "must be an RFC 3339 timestamp")
		} else {
			st.timestamp = s
		}
	}
	if _, ok := obj["SecondsPath"]; ok {
		n++
		st.secondsPath = c.refPath(path, obj, "SecondsPath")
	}
	if _, ok := obj["TimestampPath"]; ok {
		n++
		st.timestampPath = c.refPath(path, obj, "TimestampPath")
	}
	if n != 1 {
		c.add(path, "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath")
	}
}

func (c *checker) fail(path string, st *state, obj map[string]any) {
	st.errorName, st.errorExpr, st.errorPath = c.failField(path, obj, "Error", st.jsonata)
	st.cause, st.causeExpr, st.causePath = c.failField(path, obj, "Cause", st.jsonata)
}

// failField reads the Fail state's Error or Cause (field): a string, a JSONata template in a
// JSONata state (expr), or a reference path or intrinsic in field+"Path" (ref); giving both
// field and field+"Path" is an error.
func (c *checker) failField(path string, obj map[string]any, field string, jsonata bool) (s string, expr, ref template) {
	if v, ok := obj[field]; ok {
		str, _ := v.(string)
		if _, isExpr := jsonataTemplate(str); isExpr && jsonata {
			expr = c.jsonata(join(path, field), v)
		} else {
			s = c.optString(path, obj, field)
		}
	}
	if _, ok := obj[field+"Path"]; ok {
		ref = c.failPath(path, obj, field+"Path")
		if _, both := obj[field]; both {
			c.add(path, "%s and %sPath may not both be set", field, field)
		}
	}
	return s, expr, ref
}

// failPath parses ErrorPath/CausePath: a reference path or an intrinsic function.
func (c *checker) failPath(path string, obj map[string]any, field string) template {
	s := c.optString(path, obj, field)
	if isIntrinsic(s) {
		return c.dollarValue(join(path, field), field, s)
	}
	p := c.refPath(path, obj, field)
	if p == nil {
		return nil
	}
	return &tmplPath{field: field, path: p}
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

func (c *checker) parallel(path string, st *state, obj map[string]any, lang string) {
	c.objects(path, obj, "Branches", func(p string, bo map[string]any) {
		c.fields(p, bo, "StartAt", "States", "Comment", "QueryLanguage")
		st.branches = append(st.branches, c.graph(p, bo, c.queryLanguage(p, bo, lang), true))
	})
}

func (c *checker) mapState(path string, st *state, obj map[string]any, lang string) {
	field := "ItemProcessor"
	pv, ok := obj["ItemProcessor"]
	if !ok {
		pv, ok = obj["Iterator"]
		field = "Iterator"
	} else if _, both := obj["Iterator"]; both {
		c.add(path, "ItemProcessor and Iterator may not both be set")
	}
	if !ok {
		c.add(join(path, "ItemProcessor"), "is required")
	} else if po, isObj := pv.(map[string]any); !isObj {
		c.add(join(path, field), "must be an object")
	} else {
		p := join(path, field)
		c.fields(p, po, "StartAt", "States", "Comment", "ProcessorConfig", "QueryLanguage")
		if cfg, ok := po["ProcessorConfig"].(map[string]any); ok {
			c.fields(join(p, "ProcessorConfig"), cfg, "Mode", "ExecutionType")
			switch cfg["Mode"] {
			case nil, "INLINE":
			case "DISTRIBUTED":
				st.distributed = true
				st.label, _ = obj["Label"].(string)
			default:
				c.add(join(p, "ProcessorConfig.Mode"), "must be \"INLINE\" or \"DISTRIBUTED\"")
			}
		}
		st.processor = c.graph(p, po, c.queryLanguage(p, po, lang), true)
		st.processor.distributed = st.distributed
	}
	if st.jsonata {
		if v, ok := obj["Items"]; ok {
			st.items = c.jsonata(join(path, "Items"), v)
		}
	} else {
		st.itemsPath = c.refPath(path, obj, "ItemsPath")
		if v, ok := obj["Parameters"]; ok {
			if _, both := obj["ItemSelector"]; both {
				c.add(path, "ItemSelector and Parameters may not both be set")
			}
			st.itemSelector = st.parameters
			st.parameters = nil
			_ = v
		}
	}
	if v, ok := obj["ItemSelector"]; ok {
		if st.jsonata {
			st.itemSelector = c.jsonata(join(path, "ItemSelector"), v)
		} else {
			st.itemSelector = c.payload(join(path, "ItemSelector"), v)
		}
	}
	c.intSetting(path, obj, "MaxConcurrency", 0, 99999999, st.jsonata, true,
		intTarget{&st.maxConcurrency, &st.maxConcurrencyPath, &st.maxConcurrencyExpr})
	st.hasToleratedCount = c.intSetting(path, obj, "ToleratedFailureCount", 0, 99999999, st.jsonata, true,
		intTarget{&st.toleratedCount, &st.toleratedCountPath, &st.toleratedCountExpr})
	if v, ok := obj["ToleratedFailurePercentage"]; ok {
		st.hasToleratedPercent = true
		if _, isStr := v.(string); isStr && st.jsonata {
			st.toleratedPercentExpr = c.jsonata(join(path, "ToleratedFailurePercentage"), v)
		} else if f, ok := c.number(path, obj, "ToleratedFailurePercentage"); ok {
			if f < 0 || f > 100 {
				c.soft(join(path, "ToleratedFailurePercentage"), "must be between 0 and 100")
			}
			st.toleratedPercent = f
		}
	}
	if _, ok := obj["ToleratedFailurePercentagePath"]; ok {
		st.hasToleratedPercent = true
		st.toleratedPercentPath = c.refPath(path, obj, "ToleratedFailurePercentagePath")
	}
	if v, ok := obj["ItemBatcher"]; ok {
		p := join(path, "ItemBatcher")
		bo, isObj := v.(map[string]any)
		if !isObj {
			c.add(p, "must be an object")
		} else {
			b := &itemBatcher{}
			c.fields(p, bo, "MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", "BatchInput")
			// As with the Map state's own settings, a limit and its Path may not both be given.
			b.hasMaxItems = c.intSetting(p, bo, "MaxItemsPerBatch", 1, 99999999, st.jsonata, true,
				intTarget{&b.maxItems, &b.maxItemsPath, &b.maxItemsExpr})
			b.hasMaxInputSize = c.intSetting(p, bo, "MaxInputBytesPerBatch", 1, 262144, st.jsonata, true,
				intTarget{&b.maxBytes, &b.maxBytesPath, &b.maxBytesExpr})
			if bi, ok := bo["BatchInput"]; ok {
				if st.jsonata {
					b.batchInput = c.jsonata(join(p, "BatchInput"), bi)
				} else {
					b.batchInput = c.payload(join(p, "BatchInput"), bi)
				}
			}
			if !b.hasMaxItems && !b.hasMaxInputSize {
				c.add(p, "needs MaxItemsPerBatch or MaxInputBytesPerBatch")
			}
			st.itemBatcher = b
		}
	}
	readerWriter := func(field string, dst *map[string]any, params *template) {
		v, ok := obj[field]
		if !ok {
			return
		}
		p := join(path, field)
		ro, isObj := v.(map[string]any)
		if !isObj {
			c.add(p, "must be an object")
			return
		}
		if _, ok := ro["Resource"].(string); !ok {
			c.add(join(p, "Resource"), "is required")
		}
		*dst = ro
		if pv, ok := ro["Parameters"]; ok {
			*params = c.payload(join(p, "Parameters"), pv)
		} else if av, ok := ro["Arguments"]; ok {
			*params = c.jsonata(join(p, "Arguments"), av)
		}
	}
	readerWriter("ItemReader", &st.itemReader, &st.itemReaderParams)
	readerWriter("ResultWriter", &st.resultWriter, &st.resultWriterParams)
}

// parseTimestamp parses an ASL timestamp: RFC 3339 with an upper-case T and a zone.
func parseTimestamp(s string) (time.Time, error) {
	if strings.ContainsAny(s, "tz") {
		return time.Time{}, fmt.Errorf("timestamp %q must use upper-case T and Z", s)
	}
	return time.Parse(time.RFC3339Nano, s)
}
