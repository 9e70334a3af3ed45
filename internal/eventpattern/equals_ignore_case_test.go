package eventpattern

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEqualsIgnoreCase(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"equals-ignore-case matches another casing", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, `{"detail-type":"EC2 Instance State-change Notification"}`, true},
		{"equals-ignore-case matches the same casing", `{"s":[{"equals-ignore-case":"abc"}]}`, `{"s":"abc"}`, true},
		{"equals-ignore-case needs the whole string", `{"s":[{"equals-ignore-case":"abc"}]}`, `{"s":"abcd"}`, false},
		{"equals-ignore-case needs every character", `{"s":[{"equals-ignore-case":"abcd"}]}`, `{"s":"abc"}`, false},
		{"equals-ignore-case folds non-ASCII letters", `{"s":[{"equals-ignore-case":"STRASSE Ü"}]}`, `{"s":"strasse ü"}`, true},
		{"equals-ignore-case does not match a number", `{"s":[{"equals-ignore-case":"1"}]}`, `{"s":1}`, false},
		{"equals-ignore-case of the empty string matches only the empty string", `{"s":[{"equals-ignore-case":""}]}`, `{"s":"a"}`, false},
	})
}

func TestEqualsIgnoreCaseErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"equals-ignore-case of a list is rejected", `{"s":[{"equals-ignore-case":["a"]}]}`, "s[0]", "equals-ignore-case takes a string"},
	})
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

func TestFoldHelpers(t *testing.T) {
	cases := []struct {
		name   string
		s, p   string
		equal  bool
		prefix bool
		suffix bool
	}{
		{"identical strings agree everywhere", "abc", "abc", true, true, true},
		{"case differences are folded", "ABC", "abc", true, true, true},
		{"a shorter pattern is a prefix and a suffix", "abcab", "AB", false, true, true},
		{"a longer pattern is nothing", "ab", "abc", false, false, false},
		{"the empty pattern is a prefix and a suffix", "ab", "", false, true, true},
		{"multi-byte letters fold", "ÉCOLE", "école", true, true, true},
		{"invalid UTF-8 only equals itself", "a\xffb", "a\xffb", true, true, true},
		{"a different middle letter is not equal", "abc", "axc", false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.equal, equalFold([]byte(tc.s), tc.p), "equalFold")
			assert.Equal(t, tc.prefix, hasPrefixFold([]byte(tc.s), tc.p), "hasPrefixFold")
			assert.Equal(t, tc.suffix, hasSuffixFold([]byte(tc.s), tc.p), "hasSuffixFold")
		})
	}
}
