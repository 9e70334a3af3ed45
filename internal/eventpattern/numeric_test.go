package eventpattern

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNumeric(t *testing.T) {
	const between = `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`
	runMatchCases(t, []matchCase{
		{"a two-sided range matches a value inside it", between, `{"detail":{"c-count":3}}`, true},
		{"a two-sided range includes a closed upper bound", between, `{"detail":{"c-count":5}}`, true},
		{"a two-sided range excludes an open lower bound", between, `{"detail":{"c-count":0}}`, false},
		{"a two-sided range excludes values above it", between, `{"detail":{"c-count":5.000001}}`, false},
		{"a two-sided range does not match a string of digits", between, `{"detail":{"c-count":"3"}}`, false},
		{"a two-sided range does not match a missing field", between, `{"detail":{}}`, false},
		{"greater than or equal includes its bound", `{"n":[{"numeric":[">=",10]}]}`, `{"n":10}`, true},
		{"greater than excludes its bound", `{"n":[{"numeric":[">",10]}]}`, `{"n":10}`, false},
		{"less than excludes its bound", `{"n":[{"numeric":["<",10]}]}`, `{"n":10}`, false},
		{"less than or equal includes its bound", `{"n":[{"numeric":["<=",10]}]}`, `{"n":10.0}`, true},
		{"less than matches negative numbers", `{"n":[{"numeric":["<",0]}]}`, `{"n":-4.5e3}`, true},
		{"equals matches the same value in another notation", `{"n":[{"numeric":["=",300]}]}`, `{"n":3.0e2}`, true},
		{"equals does not match another value", `{"n":[{"numeric":["=",300]}]}`, `{"n":300.5}`, false},
		{"a range works on fractions", `{"n":[{"numeric":[">=",0.5,"<",0.75]}]}`, `{"n":0.6}`, true},
		{"an event value with seven decimals is never compared", `{"n":[{"numeric":[">",0]}]}`, `{"n":0.1000001}`, false},
		{"an event value with six decimals is compared exactly", `{"n":[{"numeric":[">",0.1]}]}`, `{"n":0.100001}`, true},
		{"an event value beyond the numeric range never matches", `{"n":[{"numeric":[">",0]}]}`, `{"n":6e9}`, false},
		{"an event value at the limit of the range matches", `{"n":[{"numeric":[">=",4999999999]}]}`, `{"n":5e9}`, true},
		{"a number inside an array matches when one element is in range", `{"n":[{"numeric":[">",10]}]}`, `{"n":[1,2,30]}`, true},
		{"true is not a number", `{"n":[{"numeric":[">",0]}]}`, `{"n":true}`, false},
		{"two ranges on one field are alternatives", `{"n":[{"numeric":["<",0]},{"numeric":[">",100]}]}`, `{"n":150}`, true},
	})
}

func TestNumericErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"a numeric operand that is not an array is rejected", `{"n":[{"numeric":5}]}`, "n[0]", "numeric takes an array"},
		{"a numeric array of three elements is rejected", `{"n":[{"numeric":[">",1,"<"]}]}`, "n[0]", "not 3 elements"},
		{"an unknown numeric operator is rejected", `{"n":[{"numeric":["!=",1]}]}`, "n[0]", "unknown operator"},
		{"a numeric bound that is a string is rejected", `{"n":[{"numeric":[">","1"]}]}`, "n[0]", "must be a number"},
		{"a range with the upper bound first is rejected", `{"n":[{"numeric":["<",5,">",1]}]}`, "n[0]", "lower bound"},
		{"a range with two lower bounds is rejected", `{"n":[{"numeric":[">",1,">=",5]}]}`, "n[0]", "lower bound"},
		{"a range whose lower bound is not below the upper is rejected", `{"n":[{"numeric":[">",5,"<",5]}]}`, "n[0]", "less than the upper"},
		{"equals inside a range is rejected", `{"n":[{"numeric":["=",1,"<",5]}]}`, "n[0]", "cannot be part of a range"},
		{"a bound beyond five billion is rejected", `{"n":[{"numeric":[">",5000000001]}]}`, "n[0]", "outside the range"},
		{"a bound below minus five billion is rejected", `{"n":[{"numeric":["<",-5.1e9]}]}`, "n[0]", "outside the range"},
		{"a bound with seven decimals is rejected", `{"n":[{"numeric":[">",0.1234567]}]}`, "n[0]", "more than six digits"},
		{"an operator that is not a string is rejected", `{"n":[{"numeric":[1,1]}]}`, "n[0]", "must be an operator"},
	})
}

func TestScaleNumber(t *testing.T) {
	cases := []struct {
		name string
		text string
		want int64
		ok   bool
	}{
		{"an integer is scaled by a million", "42", 42_000_000, true},
		{"an exponent is applied", "3.0e2", 300_000_000, true},
		{"six decimals are kept exactly", "0.123456", 123_456, true},
		{"trailing zeros after six decimals do not count", "1.50000000", 1_500_000, true},
		{"a seventh decimal is too precise", "0.1234564", 0, false},
		{"a negative exponent may reach six decimals", "1e-6", 1, true},
		{"a negative exponent past six decimals is too precise", "1e-7", 0, false},
		{"an exponent may cancel decimals", "0.0000001e1", 1, true},
		{"a negative number stays negative", "-1.5", -1_500_000, true},
		{"minus zero is zero", "-0", 0, true},
		{"five billion is inside the range", "5e9", 5_000_000_000_000_000, true},
		{"minus five billion is inside the range", "-5000000000", -5_000_000_000_000_000, true},
		{"a millionth over five billion is outside", "5000000000.000001", 0, false},
		{"a huge exponent is outside", "1e400", 0, false},
		{"a tiny exponent is too precise", "1e-400", 0, false},
		{"an account number is outside", "123456789012", 0, false},
		{"fifty digits are outside", "12345678901234567890123456789012345678901234567890", 0, false},
		{"fifty decimals are too precise", "0.12345678901234567890123456789012345678901234567890", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := scaleNumber(tc.text)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
			got, ok = scaleNumberBytes([]byte(tc.text))
			assert.Equal(t, tc.ok, ok, "bytes path")
			assert.Equal(t, tc.want, got, "bytes path")
		})
	}
}
