package jsonata

import (
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/blues/jsonata-go/jlib"
	"github.com/blues/jsonata-go/jtypes"
)

// contextFunction is a function that, called with no arguments, works on the context value
// (as "a.$string()" does). jsonata-go (kiln's fork) hands the context over through
// BindContext just before the call, which returns a copy, so the shared value is never written.
type contextFunction struct {
	function
	context reflect.Value
}

// BindContext returns a copy of f whose argument-less call works on v.
func (f *contextFunction) BindContext(v reflect.Value) jtypes.Callable {
	c := *f
	c.context = v
	return &c
}

// Call runs the function, passing the context when there are no arguments.
func (f *contextFunction) Call(args []reflect.Value) (reflect.Value, error) {
	if len(args) == 0 {
		args = []reflect.Value{f.context}
	}
	return f.call(args)
}

// stringFunc implements $string(value[, prettify]) as jsonata-js 2.x does, which jsonata-go
// does not: numbers keep 15 significant digits ($string(0.1+0.2) is "0.3"), JSON text has no
// HTML escaping, and prettify indents by two spaces. A string is returned as is and a function
// gives "".
func stringFunc(args []reflect.Value) (reflect.Value, error) {
	if err := surplus("string", args, 2); err != nil {
		return undefined, err
	}
	if len(args) == 0 || !args[0].IsValid() {
		return undefined, nil
	}
	if jtypes.IsCallable(args[0]) {
		return reflect.ValueOf(""), nil
	}
	v, _, err := arg(args, 0)
	if err != nil {
		return undefined, err
	}
	if s, ok := v.(string); ok {
		return reflect.ValueOf(s), nil
	}
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return undefined, &codedError{"D3001", "Attempting to invoke string function on Infinity or NaN"}
	}
	indent := ""
	if p, ok, _ := arg(args, 1); ok {
		b, isBool := p.(bool)
		if !isBool {
			return undefined, signatureError("string", 2)
		}
		if b {
			indent = "  "
		}
	}
	var sb strings.Builder
	writeJS(&sb, v, indent, "")
	return reflect.ValueOf(sb.String()), nil
}

// writeJS writes v as JavaScript's JSON.stringify would, numbers rounded to 15 significant
// digits as jsonata-js does; object keys are sorted since Go maps keep no order.
func writeJS(sb *strings.Builder, v any, indent, prefix string) {
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case bool:
		sb.WriteString(strconv.FormatBool(x))
	case float64:
		sb.WriteString(jsNumber(x))
	case string:
		writeJSString(sb, x)
	case []any:
		if len(x) == 0 {
			sb.WriteString("[]")
			return
		}
		sb.WriteByte('[')
		inner := prefix + indent
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(',')
			}
			if indent != "" {
				sb.WriteString("\n" + inner)
			}
			writeJS(sb, e, indent, inner)
		}
		if indent != "" {
			sb.WriteString("\n" + prefix)
		}
		sb.WriteByte(']')
	case map[string]any:
		if len(x) == 0 {
			sb.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sb.WriteByte('{')
		inner := prefix + indent
		for i, k := range keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			if indent != "" {
				sb.WriteString("\n" + inner)
			}
			writeJSString(sb, k)
			sb.WriteByte(':')
			if indent != "" {
				sb.WriteByte(' ')
			}
			writeJS(sb, x[k], indent, inner)
		}
		if indent != "" {
			sb.WriteString("\n" + prefix)
		}
		sb.WriteByte('}')
	}
}

// jsNumber renders f as JavaScript prints Number(f.toPrecision(15)).
func jsNumber(f float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err == nil {
		f = r
	}
	if f == 0 {
		return "0"
	}
	if a := math.Abs(f); a >= 1e21 || a < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64) // 1e+21, 1.5e-07
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[:1]
		digits := strings.TrimLeft(exp[1:], "0")
		return mant + "e" + sign + digits
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func writeJSString(sb *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			sb.WriteString(`\"`)
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\b':
			sb.WriteString(`\b`)
		case c == '\f':
			sb.WriteString(`\f`)
		case c < 0x20:
			sb.WriteString(`\u00`)
			sb.WriteByte(hex[c>>4])
			sb.WriteByte(hex[c&0xF])
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
}

// alwaysTrue is the test $single uses when it is given none.
var alwaysTrue = &function{name: "single_test", params: 1, call: func([]reflect.Value) (reflect.Value, error) {
	return reflect.ValueOf(true), nil
}}

// singleFunc implements $single(array[, test]) as JSONata 1.8 does: the one element that
// passes test (or the only element when test is missing), an error for none or several.
// jsonata-go requires the test.
func singleFunc(args []reflect.Value) (reflect.Value, error) {
	if err := surplus("single", args, 2); err != nil {
		return undefined, err
	}
	if len(args) == 0 || !args[0].IsValid() {
		return undefined, nil
	}
	var test jtypes.Callable = alwaysTrue
	if len(args) > 1 && args[1].IsValid() {
		fn, ok := jtypes.AsCallable(args[1])
		if !ok {
			return undefined, signatureError("single", 2)
		}
		test = fn
	}
	arr := args[0]
	if !jtypes.IsArray(arr) {
		arr = reflect.ValueOf([]any{arr.Interface()})
	}
	v, err := jlib.Single(arr, test)
	if err != nil {
		return undefined, err
	}
	return reflect.ValueOf(v), nil
}
