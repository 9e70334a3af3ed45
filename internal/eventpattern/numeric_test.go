package eventpattern

import (
	"math/big"
	"strconv"
	"strings"
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

// referenceScale computes what scaleDecimal must return with math/big.
func referenceScale(text string) (int64, numberClass) {
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		panic("not a number: " + text)
	}
	r.Mul(r, big.NewRat(numericScale, 1))
	limit := big.NewRat(numericLimit*numericScale, 1)
	if r.Cmp(limit) > 0 || r.Cmp(new(big.Rat).Neg(limit)) < 0 {
		if r.IsInt() {
			return 0, numberOutOfRange
		}
		// Both faults at once: either answer means "not usable".
		return 0, numberOutOfRange
	}
	if !r.IsInt() {
		return 0, numberTooPrecise
	}
	return r.Num().Int64(), numberOK
}

// FuzzScaleDecimal checks the decimal scaler against math/big on every valid JSON number.
func FuzzScaleDecimal(f *testing.F) {
	for _, s := range []string{"0", "-0.0", "1e-6", "5e9", "5000000000.000001", "0.1234567", "12e-7", "1E+3", "123456789012"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 60 {
			return
		}
		if end, reason := skipNumber([]byte(text+" "), 0); reason != "" || end != len(text) || text == "" {
			return
		}
		if i := strings.IndexAny(text, "eE"); i >= 0 {
			// math/big is slow on huge exponents; they are out of range or too precise anyway.
			e, err := strconv.ParseInt(strings.TrimPrefix(text[i+1:], "+"), 10, 64)
			if err != nil || e > 100 || e < -100 {
				return
			}
		}
		got, gotClass := scaleDecimal([]byte(text))
		want, wantClass := referenceScale(text)
		if (gotClass == numberOK) != (wantClass == numberOK) || got != want {
			t.Fatalf("scaleDecimal(%s) = %d, %d; want %d, %d", text, got, gotClass, want, wantClass)
		}
	})
}
