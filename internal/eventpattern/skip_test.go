package eventpattern

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSkipValue(t *testing.T) {
	cases := []struct {
		name   string
		doc    string
		end    int // -1: the whole document
		reason string
	}{
		{"a string is skipped to its closing quote", `"abc" tail`, 5, ""},
		{"a long string is skipped word by word", `"` + strings.Repeat("abcdefgh", 9) + `",`, 74, ""},
		{"a quote in the second word of a block ends the string", `"abcdefghij"` + strings.Repeat(" ", 16), 12, ""},
		{"a quote in the first word of a block ends the string", `"abc"` + strings.Repeat(" ", 16), 5, ""},
		{"an escape in the second word of a block is followed", `"abcdefghij\"k"` + strings.Repeat(" ", 16), 15, ""},
		{"a control character in the second word of a block is an error", "\"abcdefghij\x01k\"" + strings.Repeat(" ", 16), 11, "control character"},
		{"escapes inside a string are skipped", `"a\"b\\c\u00e9\/"`, -1, ""},
		{"a number is skipped", `-12.5e+3]`, 8, ""},
		{"zero is a number", `0,`, 1, ""},
		{"literals are skipped", `true`, -1, ""},
		{"nested containers are skipped", `{"a":[1,{"b":[[],{}]},"x"],"c":null}`, -1, ""},
		{"whitespace between tokens is skipped", " { \"a\" :\n[ 1 ,\t2 ] }\r\n", 20, ""},
		{"an unterminated string is an error", `"abc`, 4, "end of input in a string"},
		{"a raw newline in a string is an error", "\"ab\ncd\"", 3, "control character"},
		{"an unknown escape is an error", `"a\x"`, 2, "invalid escape"},
		{"a leading zero is not followed by digits", `01`, 1, ""},
		{"a leading plus is an error", `+1`, 0, "expected a value"},
		{"a missing value after a colon is an error", `{"a":}`, 5, "expected a value"},
		{"a missing colon is an error", `{"a" 1}`, 5, "expected ':'"},
		{"a trailing comma in an object is an error", `{"a":1,}`, 7, "expected a field name"},
		{"a closing bracket for an object is an error", `{"a":1]`, 6, "expected ',' or '}'"},
		{"a closing brace for an array is an error", `[1}`, 2, "expected ',' or ']'"},
		{"an unclosed array is an error", `[1,2`, 4, "end of input in an array"},
		{"an unclosed object is an error", `{"a":1`, 6, "end of input in an object"},
		{"a misspelt literal is an error", `nul`, 0, "expected null"},
		{"deep nesting within the limit is skipped", strings.Repeat("[", 500) + strings.Repeat("]", 500), -1, ""},
		{"nesting past the limit is an error", strings.Repeat("[", maxEventDepth+1) + strings.Repeat("]", maxEventDepth+1), maxEventDepth, "nested too deeply"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			end, _, reason := skipValue([]byte(tc.doc), 0, 0, nil)
			if tc.end < 0 {
				tc.end = len(tc.doc)
			}
			assert.Equal(t, tc.reason == "", reason == "", "reason %q", reason)
			if tc.reason != "" {
				assert.Contains(t, reason, tc.reason)
			}
			assert.Equal(t, tc.end, end)
		})
	}
}

// TestSkipValueAgreesWithEncodingJSON checks the skipper against encoding/json on documents
// that are a single value.
func TestSkipValueAgreesWithEncodingJSON(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `""`, `"\ud83d\ude00"`, `1e5`, `-0.0`, `{"a":{"b":[true,false,null]}}`,
		`[1,]`, `{"a"}`, `"\u12G4"`, `1.e1`, `-`, `[-]`, `{"a":1}}`, `tru`, `[` + strings.Repeat(`"x",`, 30) + `"y"]`,
	}
	for _, d := range docs {
		end, _, reason := skipValue([]byte(d), 0, 0, nil)
		ok := reason == "" && skipWS([]byte(d), end) == len(d)
		assert.Equal(t, json.Valid([]byte(d)), ok, "document %s: end %d reason %q", d, end, reason)
	}
}

func TestSkipWS(t *testing.T) {
	cases := []struct {
		name  string
		input string
		from  int
		want  int
	}{
		{"a token at the start is returned at once", `{"a":1}`, 0, 0},
		{"a newline and indentation are skipped", "\n    \"a\"", 0, 5},
		{"a run of spaces longer than a word is skipped", strings.Repeat(" ", 19) + "x" + strings.Repeat(" ", 8), 0, 19},
		{"a run of exactly one word is skipped", strings.Repeat(" ", 8) + "]", 0, 8},
		{"spaces near the end are skipped byte by byte", "x   ", 1, 4},
		{"a run of spaces reaching the end gives the length", strings.Repeat(" ", 16), 0, 16},
		{"tabs and carriage returns between spaces are skipped", "  \t  \r\n        :", 0, 15},
		{"a control byte that is not whitespace stops the skip", "   \x0b        ", 0, 3},
		{"a start at the end gives the end", "ab", 2, 2},
		{"a byte above 0x7f stops the skip", "         \xc3\xa9", 0, 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, skipWS([]byte(tc.input), tc.from))
		})
	}
}
