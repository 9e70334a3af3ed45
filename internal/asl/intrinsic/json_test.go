package intrinsic

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStringToJSON(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example parses an escaped object", `States.StringToJson($.escapedJsonString)`, `{"escapedJsonString":"{\"foo\": \"bar\"}"}`, `{"foo":"bar"}`},
		{"an array is parsed", `States.StringToJson('[1, "a", null]')`, ``, `[1,"a",null]`},
		{"a bare number is parsed", `States.StringToJson('42')`, ``, `42`},
		{"surrounding white space is allowed", `States.StringToJson(' true ')`, ``, `true`},
		{"invalid JSON fails", `States.StringToJson('{foo}')`, ``, `error: not valid JSON`},
		{"an empty string is null, as recorded on AWS", `States.StringToJson('')`, ``, `null`},
		{"a blank string is null, as recorded on AWS", `States.StringToJson($.s)`, `{"s":" \t"}`, `null`},
		{"data after the value fails", `States.StringToJson('1 2')`, ``, `error: after the JSON value`},
		{"a non-string fails", `States.StringToJson($.o)`, `{"o":{"a":1}}`, `error: must be a string, got object`},
	})
}

func TestJSONToString(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example serialises an object compactly", `States.JsonToString($.unescapedJson)`, `{"unescapedJson":{"foo":"bar"}}`, `"{\"foo\":\"bar\"}"`},
		{"object keys come out sorted", `States.JsonToString($.o)`, `{"o":{"b":1,"a":[true,null]}}`, `"{\"a\":[true,null],\"b\":1}"`},
		{"integers have no decimal point", `States.JsonToString($.a)`, `{"a":[1,2.5,-3]}`, `"[1,2.5,-3]"`},
		{"HTML characters are not escaped", `States.JsonToString($.s)`, `{"s":"<a&b>"}`, `"\"<a&b>\""`},
		{"control characters use short or upper-case escapes", `States.JsonToString($.s)`, `{"s":"a\n\t\u0001"}`, `"\"a\\n\\t\\u0001\""`},
		{"a string is quoted", `States.JsonToString('x')`, ``, `"\"x\""`},
		{"null serialises as null", `States.JsonToString($.n)`, `{"n":null}`, `"null"`},
	})
}

func TestJSONMerge(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example replaces nested objects whole",
			`States.JsonMerge($.json1, $.json2, false)`,
			`{"json1":{"a":{"a1":1,"a2":2},"b":2},"json2":{"a":{"a3":1,"a4":2},"c":3}}`,
			`{"a":{"a3":1,"a4":2},"b":2,"c":3}`},
		{"an empty second object changes nothing", `States.JsonMerge($.x, $.y, false)`, `{"x":{"k":1},"y":{}}`, `{"k":1}`},
		{"deep merging is refused", `States.JsonMerge($.x, $.y, true)`, `{"x":{},"y":{}}`, `error: only the shallow merging mode is supported`},
		{"a non-boolean mode is refused", `States.JsonMerge($.x, $.y, 'false')`, `{"x":{},"y":{}}`, `error: must be a boolean, got string`},
		{"an array as the first argument is refused", `States.JsonMerge($.x, $.y, false)`, `{"x":[],"y":{}}`, `error: argument 1 must be a JSON object, got array`},
		{"a string as the second argument is refused", `States.JsonMerge($.x, $.y, false)`, `{"x":{},"y":"s"}`, `error: argument 2 must be a JSON object, got string`},
	})
}

func TestJSONMergeLeavesItsInputsAlone(t *testing.T) {
	d := parseDoc(t, `{"x":{"k":1},"y":{"k":2,"j":3}}`)
	_, err := MustParse(`States.JsonMerge($.x, $.y, false)`).Eval(d.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(t, d.input); got != `{"x":{"k":1},"y":{"j":3,"k":2}}` {
		t.Fatalf("inputs changed: %s", got)
	}
}

func TestJSONToStringAndFormatUseTheSuppliedKeyOrder(t *testing.T) {
	d := parseDoc(t, `{"o":{"b":1,"a":{"d":2,"c":3}}}`)
	docOrder := map[string][]string{"b,a": {"b", "a"}, "d,c": {"d", "c"}}
	keys := func(m map[string]any) []string {
		if _, ok := m["b"]; ok {
			return docOrder["b,a"]
		}
		return docOrder["d,c"]
	}
	got, err := MustParse(`States.JsonToString($.o)`).EvalWith(d.lookup, Sources{Keys: keys})
	require.NoError(t, err)
	require.Equal(t, `{"b":1,"a":{"d":2,"c":3}}`, got)
	got, err = MustParse(`States.Format('{}', $.o)`).EvalWith(d.lookup, Sources{Keys: keys})
	require.NoError(t, err)
	require.Equal(t, `{b=1, a={d=2, c=3}}`, got)
}
