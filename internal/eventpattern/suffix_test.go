package eventpattern

import "testing"

func TestSuffix(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"a suffix matches a string ending with it", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.png"}`, true},
		{"a suffix does not match a string ending otherwise", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.jpg"}`, false},
		{"a suffix is case sensitive", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.PNG"}`, false},
		{"a suffix does not match a shorter string", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"png"}`, false},
		{"a suffix does not match a number", `{"n":[{"suffix":"3"}]}`, `{"n":123}`, false},
		{"a suffix ignoring case matches upper case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"A.PNG"}}`, true},
		{"a suffix ignoring case still needs the suffix", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"a.pnh"}}`, false},
		{"a suffix ignoring case folds multi-byte letters", `{"s":[{"suffix":{"equals-ignore-case":"ΣΑ"}}]}`, `{"s":"θάλασσα"}`, true},
		{"a suffix ignoring case treats final sigma as sigma", `{"s":[{"suffix":{"equals-ignore-case":"Σ"}}]}`, `{"s":"λόγος"}`, true},
		{"a suffix ignoring case does not match a different letter", `{"s":[{"suffix":{"equals-ignore-case":"ΣΑ"}}]}`, `{"s":"μουσο"}`, false},
	})
}

func TestSuffixErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"a suffix that is null is rejected", `{"s":[{"suffix":null}]}`, "s[0]", "suffix takes a string"},
		{"a suffix object with two keys is rejected", `{"s":[{"suffix":{"equals-ignore-case":"a","x":1}}]}`, "s[0]", "equals-ignore-case"},
	})
}
