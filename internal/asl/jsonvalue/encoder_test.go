package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	payload   = Encoder{}
	intrinsic = Encoder{Numbers: JavaNumbers, Strings: JacksonStrings}
)

// reversed orders an object's keys from last to first in sorted order.
func reversed(m map[string]any) []string {
	keys := slices.Sorted(maps.Keys(m))
	slices.Reverse(keys)
	return keys
}

func TestEncoderWritesEachDialect(t *testing.T) {
	type point struct{ X int }
	cases := []struct {
		name    string
		enc     Encoder
		v       any
		want    string
		wantErr string
	}{
		// Numbers.
		{"a payload integer is written without a fraction", payload, 5.0, "5", ""},
		{"an intrinsic integer is written without a fraction", intrinsic, 5.0, "5", ""},
		{"a payload integer of 1e20 is written in full", payload, 1e20, "100000000000000000000", ""},
		{"an intrinsic integer of 1e20 is written in full", intrinsic, 1e20, "100000000000000000000", ""},
		{"a payload 1e21 takes Go's exponent form", payload, 1e21, "1e+21", ""},
		{"an intrinsic 1e21 takes Java's exponent form", intrinsic, 1e21, "1.0E21", ""},
		{"a payload fraction is written plainly", payload, -1.25, "-1.25", ""},
		{"an intrinsic fraction is written plainly", intrinsic, -1.25, "-1.25", ""},
		{"a payload 1e-4 is written plainly", payload, 1e-4, "0.0001", ""},
		{"an intrinsic 1e-4 takes Java's exponent form", intrinsic, 1e-4, "1.0E-4", ""},
		{"a payload 1e-7 takes Go's exponent form without a leading zero", payload, 1e-7, "1e-7", ""},
		{"an intrinsic 1e-7 takes Java's exponent form", intrinsic, 1e-7, "1.0E-7", ""},
		{"a payload fraction above 1e7 is written plainly", payload, 12345678.5, "12345678.5", ""},
		{"an intrinsic fraction above 1e7 takes Java's exponent form", intrinsic, 12345678.5, "1.23456785E7", ""},
		{"a huge payload number keeps its mantissa", payload, 1.5e300, "1.5e+300", ""},
		{"a huge intrinsic number keeps its mantissa", intrinsic, 1.5e300, "1.5E300", ""},
		{"a payload negative zero is written 0", payload, math.Copysign(0, -1), "0", ""},
		{"an intrinsic negative zero stays -0", intrinsic, math.Copysign(0, -1), "-0", ""},
		{"a payload NaN is an encoding/json error", payload, math.NaN(), "", "json: unsupported value: NaN"},
		{"an intrinsic NaN is an error naming it as Java does", intrinsic, []any{math.NaN()}, "", "cannot serialise the non-finite number NaN as JSON"},
		{"a payload infinity is an encoding/json error", payload, map[string]any{"a": math.Inf(1)}, "", "json: unsupported value: +Inf"},
		{"an intrinsic infinity is an error naming it as Java does", intrinsic, math.Inf(1), "", "cannot serialise the non-finite number Infinity as JSON"},
		{"an intrinsic negative infinity is an error naming it as Java does", intrinsic, math.Inf(-1), "", "cannot serialise the non-finite number -Infinity as JSON"},
		// Strings.
		{"a payload quote and backslash are escaped", payload, `a"b\c`, `"a\"b\\c"`, ""},
		{"an intrinsic quote and backslash are escaped", intrinsic, `a"b\c`, `"a\"b\\c"`, ""},
		{"payload newline, return and tab have short escapes", payload, "\n\r\t", `"\n\r\t"`, ""},
		{"intrinsic newline, return and tab have short escapes", intrinsic, "\n\r\t", `"\n\r\t"`, ""},
		{"payload backspace and form feed are short escapes, as AWS writes them", payload, "\b\f", `"\b\f"`, ""},
		{"intrinsic backspace and form feed have short escapes", intrinsic, "\b\f", `"\b\f"`, ""},
		{"payload control characters are lower-case hex escapes", payload, "\x01\x1f", `"\u0001\u001f"`, ""},
		{"intrinsic control characters are upper-case hex escapes", intrinsic, "\x01\x1f", `"\u0001\u001F"`, ""},
		{"payload HTML characters and DEL are not escaped", payload, "<&>\x7f", "\"<&>\x7f\"", ""},
		{"intrinsic HTML characters and DEL are not escaped", intrinsic, "<&>\x7f", "\"<&>\x7f\"", ""},
		{"payload line and paragraph separators are escaped", payload, "a\u2028b\u2029", `"a\u2028b\u2029"`, ""},
		{"intrinsic line and paragraph separators are written as they are", intrinsic, "a\u2028b\u2029", "\"a\u2028b\u2029\"", ""},
		{"payload invalid UTF-8 becomes a replacement escape per byte", payload, "a\xff\xfeé", `"a\ufffd\ufffdé"`, ""},
		{"intrinsic invalid UTF-8 is written as it is", intrinsic, "a\xff\xfeé", "\"a\xff\xfeé\"", ""},
		// Key order.
		{"payload keys are sorted", payload, map[string]any{"b": 1.0, "a": map[string]any{"c": nil, "b": true}}, `{"a":{"b":true,"c":null},"b":1}`, ""},
		{"intrinsic keys are sorted when no order is given", intrinsic, map[string]any{"b": 1.0, "a": false}, `{"a":false,"b":1}`, ""},
		{"keys follow the order function at every depth", Encoder{Keys: reversed}, map[string]any{"a": map[string]any{"a": 1.0, "b": 2.0}, "c": []any{}}, `{"c":[],"a":{"b":2,"a":1}}`, ""},
		{"keys are escaped like strings", intrinsic, map[string]any{"\b": "x"}, `{"\b":"x"}`, ""},
		{"empty containers stay empty", payload, []any{map[string]any{}, []any{}, ""}, `[{},[],""]`, ""},
		// Values that are not plain JSON.
		{"a Go int goes through encoding/json by default", payload, []any{7, json.Number("1.50")}, `[7,1.50]`, ""},
		{"a struct goes through encoding/json by default", payload, point{X: 1}, `{"X":1}`, ""},
		{"a value encoding/json rejects is its error", payload, map[string]any{"a": make(chan int)}, "", "json: unsupported type: chan int"},
		{"Other writes the values that are not plain JSON", Encoder{Other: func(b []byte, v any) ([]byte, error) {
			return append(b, `"other"`...), nil
		}}, []any{7, true}, `["other",true]`, ""},
		{"an error of Other is returned", Encoder{Other: func([]byte, any) ([]byte, error) {
			return nil, errors.New("no ints")
		}}, map[string]any{"a": []any{1}}, "", "no ints"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.enc.Append([]byte("prefix:"), c.v)
			if c.wantErr != "" {
				require.EqualError(t, err, c.wantErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "prefix:"+c.want, string(got))
		})
	}
}

func TestNonFiniteErrorsKeepTheirTypes(t *testing.T) {
	_, err := Append(nil, math.Inf(-1))
	var unsupported *json.UnsupportedValueError
	require.ErrorAs(t, err, &unsupported)
	assert.Equal(t, "-Inf", unsupported.Str)
}

func TestFormatJavaNamesNumbersJSONCannotHold(t *testing.T) {
	cases := []struct {
		name string
		f    float64
		want string
	}{
		{"NaN is NaN", math.NaN(), "NaN"},
		{"positive infinity is Infinity", math.Inf(1), "Infinity"},
		{"negative infinity is -Infinity", math.Inf(-1), "-Infinity"},
		{"a small fraction takes the exponent form", -0.00015, "-1.5E-4"},
		{"a large integer takes the exponent form with a fraction", 1e22, "1.0E22"},
		{"an integer below 1e21 is written in full", 123456789012345678, "123456789012345680"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, FormatJava(c.f))
			assert.Equal(t, "x"+c.want, string(AppendJava([]byte("x"), c.f)))
		})
	}
}

func TestPayloadStringsMatchEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "a\"\\\n\r\t\x00\x1f\x7f", "<&>", "\u2028\u2029", "é😀", "\xff\xc3", "\xed\xa0\x80"} {
		assert.Equal(t, encodingJSON(t, s), string(AppendString(nil, s, GoStrings)), "string %q", s)
	}
}

// encodingJSON returns v as encoding/json writes it without HTML escaping.
func encodingJSON(t testing.TB, v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func FuzzPayloadMatchesEncodingJSON(f *testing.F) {
	f.Add("a\u2028<\x01\xff", 1.5e-7)
	f.Add("", 1e21)
	f.Add("é", 123456789012345.0)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		assert.Equal(t, encodingJSON(t, s), string(AppendString(nil, s, GoStrings)))
		if math.IsNaN(x) || math.IsInf(x, 0) {
			_, err := AppendNumber(nil, x, GoNumbers)
			require.Error(t, err)
			return
		}
		if x == 0 {
			x = 0 // -0 is written 0 on purpose; encoding/json writes -0.
		}
		got, err := AppendNumber(nil, x, GoNumbers)
		require.NoError(t, err)
		assert.Equal(t, encodingJSON(t, x), string(got))
	})
}

func FuzzJavaNumbersRoundTrip(f *testing.F) {
	for _, x := range []float64{0, -0.0001, 1.5e-7, 1e21, 12345678.5, 1.7976931348623157e308, 5e-324, 1e7, 0.001} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		s := FormatJava(x)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		back, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, "FormatJava(%v) = %q", x, s)
		assert.Equal(t, x, back, "FormatJava(%v) = %q", x, s)
		mant, exp, isExp := strings.Cut(s, "E")
		abs := math.Abs(x)
		if x == math.Trunc(x) && abs < 1e21 || abs >= 1e-3 && abs < 1e7 {
			assert.False(t, isExp, "FormatJava(%v) = %q has an exponent", x, s)
			return
		}
		require.True(t, isExp, "FormatJava(%v) = %q has no exponent", x, s)
		assert.Contains(t, mant, ".", "the mantissa of %q has no fraction", s)
		digits := strings.TrimPrefix(exp, "-")
		assert.NotEmpty(t, digits)
		assert.NotEqual(t, byte('0'), digits[0], "the exponent of %q has a leading zero", s)
		assert.NotContains(t, exp, "+")
	})
}

func TestAppendJavaDoubleWritesDoubleToString(t *testing.T) {
	cases := []struct {
		name string
		f    float64
		want string
	}{
		{"an integral double keeps a fraction", 1, "1.0"},
		{"a fraction is written as it is", 2.5, "2.5"},
		{"zero keeps its sign", math.Copysign(0, -1), "-0.0"},
		{"from 1e7 on the exponent form is used", 12345678, "1.2345678E7"},
		{"below 1e-3 the exponent form is used", 0.0001, "1.0E-4"},
		{"1e-3 itself is plain", 0.001, "0.001"},
		{"a non-finite number is named as Java names it", math.Inf(1), "Infinity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, "x"+c.want, string(AppendJavaDouble([]byte("x"), c.f)))
		})
	}
}

func TestEncoderAsksDoubleOnlyForJavaNumbers(t *testing.T) {
	always := func(any, string, int) bool { return true }
	v := map[string]any{"a": 1.0, "b": []any{2.0}}
	java := Encoder{Numbers: JavaNumbers, Double: always}
	b, err := java.Append(nil, v)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1.0,"b":[2.0]}`, string(b))
	goStyle := Encoder{Double: always}
	b, err = goStyle.Append(nil, v)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1,"b":[2]}`, string(b))
}
