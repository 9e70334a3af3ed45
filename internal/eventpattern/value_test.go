package eventpattern

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScaleNumber(t *testing.T) {
	cases := []struct {
		name string
		text string
		want int64
		ok   bool
	}{
		{"an integer is scaled by a million", "42", 42_000_000, true},
		{"an exponent is applied", "3.0e2", 300_000_000, true},
		{"a fraction keeps six decimals", "0.1234564", 123_456, true},
		{"the seventh decimal rounds", "0.1234565", 123_457, true},
		{"a negative number stays negative", "-1.5", -1_500_000, true},
		{"five billion is inside the range", "5e9", 5_000_000_000_000_000, true},
		{"minus five billion is inside the range", "-5000000000", -5_000_000_000_000_000, true},
		{"just over five billion is outside", "5000000000.5", 0, false},
		{"a huge exponent is outside", "1e400", 0, false},
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

func TestDecodeString(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		want string
	}{
		{"plain text is unchanged", `abc`, "abc"},
		{"short escapes are decoded", `a\"b\\c\/d\b\f\n\r\t`, "a\"b\\c/d\b\f\n\r\t"},
		{"a unicode escape is decoded", `\u00e9t\u00C9`, "étÉ"},
		{"a surrogate pair becomes one character", `\ud83d\ude00`, "😀"},
		{"a lone high surrogate becomes the replacement character", `\ud83dx`, "\uFFFDx"},
		{"a lone low surrogate becomes the replacement character", `\ude00`, "\uFFFD"},
		{"a high surrogate before a non-surrogate escape keeps both", `\ud83d\u0041`, "\uFFFDA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, string(decodeString([]byte(tc.raw))))
		})
	}
}

func TestEqualFoldRune(t *testing.T) {
	cases := []struct {
		name string
		a, b rune
		want bool
	}{
		{"ASCII letters fold", 'a', 'A', true},
		{"ASCII digits do not fold to letters", '1', 'A', false},
		{"punctuation only equals itself", '[', '{', false},
		{"Latin letters with accents fold", 'é', 'É', true},
		{"the Kelvin sign folds to k", 'K', 'k', true},
		{"final sigma folds to capital sigma", 'ς', 'Σ', true},
		{"different letters do not fold", 'é', 'e', false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, equalFoldRune(tc.a, tc.b))
		})
	}
}
