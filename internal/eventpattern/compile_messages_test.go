package eventpattern

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCompileErrorMessages pins the full text of the errors users see from
// `kiln events test-pattern` and Matcher.Add, one per kind of mistake.
func TestCompileErrorMessages(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		want    string
	}{
		{"a leaf given as a string", `{"source":"aws.ec2"}`,
			`event pattern is not valid: at source: a field's value must be an array of values or an object, not a string`},
		{"a leaf given as true", `{"detail":{"ok":true}}`,
			`event pattern is not valid: at detail.ok: a field's value must be an array of values or an object, not true`},
		{"an empty array of values", `{"detail":{"state":[]}}`,
			`event pattern is not valid: at detail.state: the array of values must not be empty`},
		{"an unknown operator", `{"source":[{"contains":"ec2"}]}`,
			`event pattern is not valid: at source[0]: unrecognized match type "contains"`},
		{"two operators in one object", `{"s":[{"prefix":"a","numeric":[">",1]}]}`,
			`event pattern is not valid: at s[0]: an operator object must hold one operator, not 2 (prefix, numeric)`},
		{"a numeric range upside down", `{"n":[{"numeric":[">",10,"<",5]}]}`,
			`event pattern is not valid: at n[0]: numeric: the lower bound must be less than the upper bound`},
		{"a numeric bound out of range", `{"n":[{"numeric":["<",6e9]}]}`,
			`event pattern is not valid: at n[0]: numeric: 6e9 is outside the range -5e9 to 5e9`},
		{"a numeric operator misspelt", `{"n":[{"numeric":["=>",1]}]}`,
			`event pattern is not valid: at n[0]: numeric: unknown operator "=>" (want =, <, <=, >, >=)`},
		{"a CIDR block without a length", `{"ip":[{"cidr":"10.0.0.0"}]}`,
			`event pattern is not valid: at ip[0]: cidr: "10.0.0.0" is not a CIDR block (address/prefix-length)`},
		{"a CIDR block with a bad address", `{"ip":[{"cidr":"10.0.0.256/24"}]}`,
			`event pattern is not valid: at ip[0]: cidr: "10.0.0.256/24" is not a valid IPv4 or IPv6 CIDR block`},
		{"a wildcard with two stars", `{"k":[{"wildcard":"a**"}]}`,
			`event pattern is not valid: at k[0]: wildcard "a**": consecutive wildcard characters at position 1`},
		{"an anything-but list of mixed types", `{"s":[{"anything-but":["a",1]}]}`,
			`event pattern is not valid: at s[0]: anything-but list must hold only strings or only numbers`},
		{"exists with a string", `{"s":[{"exists":"yes"}]}`,
			`event pattern is not valid: at s[0]: exists takes true or false, not a string`},
		{"$or with one branch", `{"detail":{"$or":[{"a":["1"]}]}}`,
			`event pattern is not valid: at detail.$or: $or must hold at least two pattern objects`},
		{"a mistake inside a $or branch", `{"$or":[{"a":["1"]},{"b":{"c":[{"numeric":[">"]}]}}]}`,
			`event pattern is not valid: at $or[1].b.c[0]: numeric takes one comparison [op, n] or a range [op, low, op, high], not 1 elements`},
		{"a pattern that is not an object", `["source"]`,
			`event pattern is not valid: the pattern must be a JSON object, not an array`},
		{"a pattern with no fields", `{}`,
			`event pattern is not valid: the pattern has no fields`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile([]byte(tc.pattern))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}
