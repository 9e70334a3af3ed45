package eventpattern

import "testing"

func TestPrefix(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"a prefix matches a string starting with it", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-02T18:43:48Z"}`, true},
		{"a prefix matches the string equal to it", `{"time":[{"prefix":"2017"}]}`, `{"time":"2017"}`, true},
		{"a prefix does not match a string starting otherwise", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-03T00:00:00Z"}`, false},
		{"a prefix does not match a shorter string", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017"}`, false},
		{"a prefix is case sensitive", `{"r":[{"prefix":"us-"}]}`, `{"r":"US-east-1"}`, false},
		{"a prefix does not match a number", `{"n":[{"prefix":"12"}]}`, `{"n":123}`, false},
		{"the empty prefix matches any string", `{"s":[{"prefix":""}]}`, `{"s":"anything"}`, true},
		{"the empty prefix does not match null", `{"s":[{"prefix":""}]}`, `{"s":null}`, false},
		{"a prefix ignoring case matches another casing", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"eventbridge"}}`, true},
		{"a prefix ignoring case matches upper case", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"EVENTBRIDGE"}}`, true},
		{"a prefix ignoring case still needs the prefix", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"Events"}}`, false},
		{"a prefix ignoring case folds non-ASCII letters", `{"s":[{"prefix":{"equals-ignore-case":"ÉTÉ"}}]}`, `{"s":"été 2026"}`, true},
		{"a prefix may sit next to exact values", `{"s":["x",{"prefix":"ab"}]}`, `{"s":"abc"}`, true},
	})
}

func TestPrefixErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"a prefix that is a number is rejected", `{"s":[{"prefix":12}]}`, "s[0]", "prefix takes a string"},
		{"a prefix object other than equals-ignore-case is rejected", `{"s":[{"prefix":{"suffix":"a"}}]}`, "s[0]", "equals-ignore-case"},
		{"a prefix ignoring case of a number is rejected", `{"s":[{"prefix":{"equals-ignore-case":1}}]}`, "s[0]", "takes a string"},
	})
}
