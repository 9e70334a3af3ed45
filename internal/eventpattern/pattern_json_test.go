package eventpattern

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePatternJSONKeepsOrderAndTypes(t *testing.T) {
	v, err := parsePatternJSON([]byte(`{"z":[1.50,"s",true,false,null],"a":{"m":{}}}`))
	require.NoError(t, err)
	obj, ok := v.(*object)
	require.True(t, ok)
	assert.Equal(t, []string{"z", "a"}, obj.keys, "keys stay in document order")
	arr, ok := obj.vals[0].([]any)
	require.True(t, ok)
	assert.Equal(t, []any{json.Number("1.50"), "s", true, false, nil}, arr, "numbers keep their literal text")
	inner, ok := obj.vals[1].(*object)
	require.True(t, ok)
	assert.Equal(t, []string{"m"}, inner.keys)
}

func TestParsePatternJSONErrors(t *testing.T) {
	cases := []struct {
		name   string
		doc    string
		path   string
		reason string
	}{
		{"an empty document is rejected", ``, "", "unexpected end of input"},
		{"a truncated object names its last field", `{"a":{"b":[1,`, "a.b[1]", "not valid JSON"},
		{"an error after a duplicate key names its path", `{"a":{"b":[1],"b":[2,}}`, "a.b[1]", "not valid JSON"},
		{"trailing data is rejected", `{"a":[1]}]`, "", "after the pattern"},
		{"a stray closing bracket is rejected", `]`, "", "not valid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parsePatternJSON([]byte(tc.doc))
			require.Error(t, err)
			pe, ok := err.(*PatternError)
			require.True(t, ok, "got %T %v", err, err)
			assert.Equal(t, tc.path, pe.Path)
			assert.Contains(t, pe.Reason, tc.reason)
		})
	}
}

func TestDescribe(t *testing.T) {
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"an object is an object", &object{}, "an object"},
		{"a slice is an array", []any{}, "an array"},
		{"a string is a string", "x", "a string"},
		{"a number names its value", json.Number("2.5"), "the number 2.5"},
		{"true is true", true, "true"},
		{"false is false", false, "false"},
		{"nil is null", nil, "null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, describe(tc.v))
		})
	}
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"a pattern error with a path names it", &PatternError{Path: "detail.x", Reason: "bad"}, "event pattern is not valid: at detail.x: bad"},
		{"a pattern error without a path omits it", &PatternError{Reason: "bad"}, "event pattern is not valid: bad"},
		{"an event error names the byte offset", &EventError{Offset: 7, Reason: "bad"}, "event is not valid JSON at byte 7: bad"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}

// TestMatcherStringsOfOperators pins how compiled operators print, which error messages and
// debugging rely on.
func TestMatcherStringsOfOperators(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		want    []string
	}{
		{"exact values print as JSON", `{"a":["x",1.5,true,false,null]}`, []string{`"x"`, `1.5`, `true`, `false`, `null`}},
		{"prefix and suffix print with their case mode", `{"a":[{"prefix":"p"},{"suffix":{"equals-ignore-case":"S"}}]}`,
			[]string{`{"prefix":"p"}`, `{"suffix":{"equals-ignore-case":"S"}}`}},
		{"a prefix ignoring case prints its mode", `{"a":[{"prefix":{"equals-ignore-case":"P"}},{"suffix":"s"}]}`,
			[]string{`{"prefix":{"equals-ignore-case":"P"}}`, `{"suffix":"s"}`}},
		{"numeric prints its comparisons", `{"a":[{"numeric":[">",0,"<=",5]}]}`, []string{`{"numeric":[">",0,"<=",5]}`}},
		{"anything-but prints its list", `{"a":[{"anything-but":["x","y"]}]}`, []string{`{"anything-but":["x","y"]}`}},
		{"the other operators print their operand", `{"a":[{"wildcard":"a*"},{"cidr":"10.0.0.0/8"},{"exists":true},{"equals-ignore-case":"E"}]}`,
			[]string{`{"wildcard":"a*"}`, `{"cidr":"10.0.0.0/8"}`, `{"exists":true}`, `{"equals-ignore-case":"E"}`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := compileRule([]byte(tc.pattern))
			require.NoError(t, err)
			var got []string
			for _, a := range r.conjs[0].tests[0].alts {
				got = append(got, a.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
