package eventpattern

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompileErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"a pattern that is not JSON is rejected", `{"source":`, "source", "not valid JSON"},
		{"a pattern with a bad token is rejected", `{"source":[x]}`, "source[0]", "not valid JSON"},
		{"a pattern that is an array is rejected", `[{"source":["a"]}]`, "", "must be a JSON object"},
		{"a pattern that is a string is rejected", `"source"`, "", "must be a JSON object"},
		{"an empty pattern is rejected", `{}`, "", "no fields"},
		{"data after the pattern is rejected", `{"a":["1"]} {}`, "", "after the pattern"},
		{"a leaf that is a string is rejected", `{"source":"aws.ec2"}`, "source", "must be an array of values or an object, not a string"},
		{"a leaf that is a number is rejected", `{"detail":{"n":5}}`, "detail.n", "not the number 5"},
		{"a leaf that is null is rejected", `{"detail":{"n":null}}`, "detail.n", "not null"},
		{"an empty value array is rejected", `{"source":[]}`, "source", "must not be empty"},
		{"an empty nested object is rejected", `{"detail":{}}`, "detail", "must have fields"},
		{"a nested array value is rejected", `{"source":[["a"]]}`, "source[0]", "not an array"},
		{"an unknown operator is rejected", `{"source":[{"contains":"ec2"}]}`, "source[0]", `unrecognized match type "contains"`},
		{"an operator object with two operators is rejected", `{"s":[{"prefix":"a","suffix":"b"}]}`, "s[0]", "one operator, not 2"},
		{"an empty operator object is rejected", `{"s":[{}]}`, "s[0]", "must hold one operator"},
		{"an error deep in the pattern names the whole path", `{"detail":{"state":{"value":[{"numeric":[">","x"]}]}}}`, "detail.state.value[0]", "must be a number"},
	})
}

func TestPatternErrorMessage(t *testing.T) {
	_, err := Compile([]byte(`{"detail":{"state":"x"}}`))
	require.Error(t, err)
	assert.Equal(t, `event pattern is not valid: at detail.state: a field's value must be an array of values or an object, not a string`, err.Error())
	_, err = Compile([]byte(`[]`))
	require.Error(t, err)
	assert.Equal(t, `event pattern is not valid: the pattern must be a JSON object, not an array`, err.Error())
}

func TestCompileDeepPatternIsRejected(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 200) + `["x"]` + strings.Repeat(`}`, 200)
	_, err := Compile([]byte(deep))
	var pe *PatternError
	require.True(t, errors.As(err, &pe), "got %v", err)
	assert.Contains(t, pe.Reason, "nested deeper")
}

func TestPatternStringIsItsSource(t *testing.T) {
	src := []byte(`{"source":["a"]}`)
	p, err := Compile(src)
	require.NoError(t, err)
	src[2] = 'X'
	assert.Equal(t, `{"source":["a"]}`, p.String())
}

func TestDuplicateKeys(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"the last of two equal keys is the one used", `{"source":["a"],"source":["b"]}`, `{"source":"b"}`, true},
		{"the first of two equal keys is ignored", `{"source":["a"],"source":["b"]}`, `{"source":"a"}`, false},
		{"a duplicate object key replaces the whole object", `{"detail":{"x":["1"]},"detail":{"y":["2"]}}`, `{"detail":{"y":"2"}}`, true},
	})
}
