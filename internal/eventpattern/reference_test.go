package eventpattern

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file holds a second, deliberately naive matcher: it walks the decoded pattern and the
// decoded event together, with no flattening, no index and no element bookkeeping (an array
// of objects matches a sub-pattern when one element matches all of it). Random patterns and
// events, from a fixed seed, must get the same answer from it and from Matcher and Pattern.

func refDecode(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return v
}

// refObject reports whether pattern object p matches the event value v; present is false when
// the event has nothing at p's place.
func refObject(p map[string]any, v any, present bool) bool {
	if present {
		switch ev := v.(type) {
		case []any:
			if len(ev) == 0 {
				return refObject(p, nil, false)
			}
			for _, el := range ev {
				if refObject(p, el, true) {
					return true
				}
			}
			return false
		case map[string]any:
		default:
			return refObject(p, nil, false)
		}
	}
	ev, _ := v.(map[string]any)
	for k, pv := range p {
		if k == "$or" {
			ok := false
			for _, b := range pv.([]any) {
				if refObject(b.(map[string]any), v, present) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
			continue
		}
		field, has := ev[k]
		switch pv := pv.(type) {
		case map[string]any:
			if !refObject(pv, field, has) {
				return false
			}
		case []any:
			if !refLeaf(pv, refLeaves(field, has)) {
				return false
			}
		}
	}
	return true
}

// refLeaves lists the leaf values of an event value: itself when scalar, the scalars of an
// array at any depth, nothing for objects.
func refLeaves(v any, present bool) []any {
	if !present {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		return nil
	case []any:
		var out []any
		for _, el := range x {
			out = append(out, refLeaves(el, true)...)
		}
		return out
	default:
		return []any{v}
	}
}

func refLeaf(alts []any, values []any) bool {
	if len(values) == 0 {
		for _, a := range alts {
			if m, ok := a.(map[string]any); ok && m["exists"] == false {
				return true
			}
		}
		return false
	}
	for _, v := range values {
		for _, a := range alts {
			if refAlt(a, v) {
				return true
			}
		}
	}
	return false
}

// refNumber is a number's exact value when numeric matching may use it.
func refNumber(v any) (*big.Rat, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return nil, false
	}
	scaled := new(big.Rat).Mul(r, big.NewRat(1_000_000, 1))
	limit := big.NewRat(5_000_000_000, 1)
	if !scaled.IsInt() || r.Cmp(limit) > 0 || r.Cmp(new(big.Rat).Neg(limit)) < 0 {
		return nil, false
	}
	return r, true
}

func refNumEqual(a, b any) bool {
	ra, okA := refNumber(a)
	rb, okB := refNumber(b)
	if okA && okB {
		return ra.Cmp(rb) == 0
	}
	na, isA := a.(json.Number)
	nb, isB := b.(json.Number)
	return isA && isB && !okA && !okB && na == nb
}

func refAlt(a, v any) bool {
	s, isString := v.(string)
	switch x := a.(type) {
	case string:
		return isString && s == x
	case json.Number:
		return refNumEqual(x, v)
	case bool:
		b, ok := v.(bool)
		return ok && b == x
	case nil:
		return v == nil
	}
	op := a.(map[string]any)
	for name, arg := range op {
		switch name {
		case "prefix", "suffix":
			p, _ := arg.(string)
			fold := false
			if m, ok := arg.(map[string]any); ok {
				p, fold = m["equals-ignore-case"].(string), true
			}
			if !isString || len(s) < len(p) {
				return false
			}
			part := s[:len(p)]
			if name == "suffix" {
				part = s[len(s)-len(p):]
			}
			if fold {
				return strings.EqualFold(part, p)
			}
			return part == p
		case "equals-ignore-case":
			return isString && strings.EqualFold(s, arg.(string))
		case "exists":
			return arg == true
		case "wildcard":
			return isString && refWildcard(arg.(string)).MatchString(s)
		case "numeric":
			r, ok := refNumber(v)
			if !ok {
				return false
			}
			terms := arg.([]any)
			for i := 0; i < len(terms); i += 2 {
				bound, _ := refNumber(terms[i+1])
				c := r.Cmp(bound)
				switch terms[i] {
				case "=":
					if c != 0 {
						return false
					}
				case ">":
					if c <= 0 {
						return false
					}
				case ">=":
					if c < 0 {
						return false
					}
				case "<":
					if c >= 0 {
						return false
					}
				case "<=":
					if c > 0 {
						return false
					}
				}
			}
			return true
		case "anything-but":
			switch y := arg.(type) {
			case []any:
				for _, el := range y {
					if refAlt(el, v) {
						return false
					}
				}
				return true
			case map[string]any:
				p := y["prefix"].(string)
				return !isString || !strings.HasPrefix(s, p)
			default:
				return !refAlt(y, v)
			}
		}
	}
	panic(fmt.Sprintf("reference matcher: unknown operator %v", op))
}

func refWildcard(w string) *regexp.Regexp {
	parts := strings.Split(w, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^(?s)" + strings.Join(parts, ".*") + "$")
}

// refGen builds random patterns and events over a small vocabulary, so that matches happen.
type refGen struct{ rng *rand.Rand }

func (g refGen) pick(options ...string) string { return options[g.rng.IntN(len(options))] }

func (g refGen) scalar() string {
	return g.pick(`"x"`, `"xy"`, `"Xy"`, `""`, `"a.b"`, `0`, `1`, `1.5`, `300`, `3e2`, `-2`, `null`, `true`, `false`)
}

func (g refGen) alternative(allowAbsent bool) string {
	switch g.rng.IntN(12) {
	case 0:
		return g.pick(`{"prefix":"x"}`, `{"prefix":""}`, `{"prefix":{"equals-ignore-case":"X"}}`)
	case 1:
		return g.pick(`{"suffix":"y"}`, `{"suffix":{"equals-ignore-case":"Y"}}`)
	case 2:
		return g.pick(`{"equals-ignore-case":"xy"}`, `{"wildcard":"x*"}`, `{"wildcard":"*y"}`, `{"wildcard":"*"}`)
	case 3:
		return g.pick(`{"anything-but":"x"}`, `{"anything-but":["x","xy"]}`, `{"anything-but":[1,300]}`, `{"anything-but":{"prefix":"x"}}`, `{"anything-but":1.5}`)
	case 4:
		return g.pick(`{"numeric":[">",0]}`, `{"numeric":[">=",1,"<",300]}`, `{"numeric":["=",3e2]}`, `{"numeric":["<=",-2]}`)
	case 5:
		if allowAbsent {
			return g.pick(`{"exists":false}`, `{"exists":true}`)
		}
		return `{"exists":true}`
	default:
		return g.scalar()
	}
}

func (g refGen) leaf(allowAbsent bool) string {
	alts := []string{g.alternative(allowAbsent)}
	for range g.rng.IntN(3) {
		alts = append(alts, g.alternative(allowAbsent))
	}
	return "[" + strings.Join(alts, ",") + "]"
}

// object builds a pattern object; inItems is set below the array of objects, where
// exists:false is left out (kiln judges it on the whole field, EventBridge per element).
func (g refGen) object(depth int, inItems bool) string {
	fields := []string{}
	names := []string{"a", "b", "c"}
	if depth == 0 {
		names = []string{"source", "detail", "items"}
	}
	for _, name := range names {
		if g.rng.IntN(2) == 0 {
			continue
		}
		items := inItems || name == "items"
		if depth < 2 && g.rng.IntN(3) == 0 {
			fields = append(fields, fmt.Sprintf("%q:%s", name, g.object(depth+1, items)))
		} else {
			fields = append(fields, fmt.Sprintf("%q:%s", name, g.leaf(!items)))
		}
	}
	if depth < 2 && g.rng.IntN(5) == 0 {
		fields = append(fields, fmt.Sprintf(`"$or":[%s,%s]`, g.object(depth+1, inItems), g.object(depth+1, inItems)))
	}
	if len(fields) == 0 {
		fields = append(fields, fmt.Sprintf("%q:%s", names[0], g.leaf(!inItems && names[0] != "items")))
	}
	return "{" + strings.Join(fields, ",") + "}"
}

func (g refGen) value(depth int) string {
	switch r := g.rng.IntN(10); {
	case depth < 3 && r == 0:
		return "[" + g.value(depth+1) + "," + g.value(depth+1) + "]"
	case depth < 3 && r <= 2:
		var fields []string
		for _, name := range []string{"a", "b", "c"} {
			if g.rng.IntN(3) > 0 {
				fields = append(fields, fmt.Sprintf("%q:%s", name, g.value(depth+1)))
			}
		}
		return "{" + strings.Join(fields, ",") + "}"
	case r == 3:
		return "[]"
	default:
		return g.scalar()
	}
}

func (g refGen) event() string {
	var fields []string
	for _, name := range []string{"source", "detail", "items"} {
		if g.rng.IntN(5) == 0 {
			continue
		}
		v := g.value(0)
		if name == "items" && g.rng.IntN(2) == 0 {
			v = "[" + g.value(1) + "," + g.value(1) + "," + g.value(1) + "]"
		}
		fields = append(fields, fmt.Sprintf("%q:%s", name, v))
	}
	return "{" + strings.Join(fields, ",") + "}"
}

func TestMatcherAgreesWithTheReferenceMatcher(t *testing.T) {
	g := refGen{rng: rand.New(rand.NewPCG(7, 11))}
	const rules, events = 200, 1500
	m := NewMatcher()
	patterns := make([]map[string]any, rules)
	sources := make([]string, rules)
	for i := range rules {
		sources[i] = g.object(0, false)
		patterns[i] = refDecode(t, sources[i]).(map[string]any)
		require.NoError(t, m.Add(fmt.Sprintf("r%03d", i), []byte(sources[i])), sources[i])
	}
	matched := 0
	for range events {
		event := g.event()
		decoded := refDecode(t, event)
		var want []string
		for i, p := range patterns {
			if refObject(p, decoded, true) {
				want = append(want, fmt.Sprintf("r%03d", i))
			}
		}
		got, err := m.Match([]byte(event))
		require.NoError(t, err)
		if !assertSameNames(t, want, got, event, sources) {
			return
		}
		matched += len(got)
	}
	require.Greater(t, matched, events, "the vocabulary must produce plenty of matches")
}

func assertSameNames(t *testing.T, want, got []string, event string, sources []string) bool {
	t.Helper()
	if strings.Join(want, ",") == strings.Join(got, ",") {
		return true
	}
	var diff bytes.Buffer
	inWant := map[string]bool{}
	for _, w := range want {
		inWant[w] = true
	}
	inGot := map[string]bool{}
	for _, n := range got {
		inGot[n] = true
		if !inWant[n] {
			fmt.Fprintf(&diff, "  only kiln matched %s %s\n", n, sources[atoi(n[1:])])
		}
	}
	for _, w := range want {
		if !inGot[w] {
			fmt.Fprintf(&diff, "  only the reference matched %s %s\n", w, sources[atoi(w[1:])])
		}
	}
	t.Errorf("event %s:\n%s", event, diff.String())
	return false
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
