package eventpattern

import "testing"

func TestExists(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"exists true matches a present string", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"state":"x"}}`, true},
		{"exists true matches a present null", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"state":null}}`, true},
		{"exists true matches the empty string", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"state":""}}`, true},
		{"exists true does not match a missing field", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"other":1}}`, false},
		{"exists true does not match an object, which is not a leaf", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"state":{"value":"x"}}}`, false},
		{"exists true does not match an empty array", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"state":[]}}`, false},
		{"exists true matches a non-empty array", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"state":[1]}}`, true},
		{"exists false matches a missing field", `{"detail":{"state":[{"exists":false}]}}`, `{"detail":{"other":1}}`, true},
		{"exists false matches when the parent is missing too", `{"detail":{"state":[{"exists":false}]}}`, `{"source":"x"}`, true},
		{"exists false does not match a present value", `{"detail":{"state":[{"exists":false}]}}`, `{"detail":{"state":"x"}}`, false},
		{"exists false does not match a present null", `{"detail":{"state":[{"exists":false}]}}`, `{"detail":{"state":null}}`, false},
		{"exists false matches an object, which is not a leaf", `{"detail":{"state":[{"exists":false}]}}`, `{"detail":{"state":{"value":"x"}}}`, true},
		{"exists false matches an empty array", `{"detail":{"state":[{"exists":false}]}}`, `{"detail":{"state":[]}}`, true},
		{"exists false with another field requires that field", `{"source":["a"],"detail":{"state":[{"exists":false}]}}`, `{"source":"b"}`, false},
		{"exists false combined with a value matches either", `{"s":[{"exists":false},"x"]}`, `{"s":"x"}`, true},
		{"exists false combined with a value matches absence", `{"s":[{"exists":false},"x"]}`, `{}`, true},
		{"exists false combined with a value rejects another value", `{"s":[{"exists":false},"x"]}`, `{"s":"y"}`, false},
	})
}

func TestExistsErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"exists of a string is rejected", `{"s":[{"exists":"true"}]}`, "s[0]", "exists takes true or false"},
		{"exists of null is rejected", `{"s":[{"exists":null}]}`, "s[0]", "exists takes true or false"},
	})
}
