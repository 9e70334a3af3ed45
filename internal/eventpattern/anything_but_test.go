package eventpattern

import "testing"

func TestAnythingBut(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"anything-but a string matches another string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{"state":"running"}}`, true},
		{"anything-but a string does not match that string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{"state":"initializing"}}`, false},
		{"anything-but does not match a missing field", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{}}`, false},
		{"anything-but a string matches a number", `{"s":[{"anything-but":"1"}]}`, `{"s":1}`, true},
		{"anything-but a string matches null", `{"s":[{"anything-but":"x"}]}`, `{"s":null}`, true},
		{"anything-but a number matches another number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, `{"detail":{"x-limit":456}}`, true},
		{"anything-but a number does not match an equal number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, `{"detail":{"x-limit":1.23e2}}`, false},
		{"anything-but a list of strings rejects each of them", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"overloaded"}}`, false},
		{"anything-but a list of strings matches a string outside it", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"running"}}`, true},
		{"anything-but a list of numbers rejects each of them", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":200}}`, false},
		{"anything-but a list of numbers matches a number outside it", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":250}}`, true},
		{"anything-but matches an event array with one other element", `{"s":[{"anything-but":"a"}]}`, `{"s":["a","b"]}`, true},
		{"anything-but does not match an event array of only excluded values", `{"s":[{"anything-but":["a","b"]}]}`, `{"s":["a","b","a"]}`, false},
		{"anything-but prefix matches a string without the prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"running"}}`, true},
		{"anything-but prefix rejects a string with the prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"initializing"}}`, false},
		{"anything-but suffix matches a string without the suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.png"}}`, true},
		{"anything-but suffix rejects a string with the suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.txt"}}`, false},
		{"anything-but prefix takes a list", `{"r":[{"anything-but":{"prefix":["us-","eu-"]}}]}`, `{"r":"eu-west-1"}`, false},
		{"anything-but prefix list matches a string with none of the prefixes", `{"r":[{"anything-but":{"prefix":["us-","eu-"]}}]}`, `{"r":"ap-south-1"}`, true},
		{"anything-but suffix takes a list", `{"f":[{"anything-but":{"suffix":[".txt",".md"]}}]}`, `{"f":"a.md"}`, false},
		{"anything-but prefix matches a number, which has no prefix", `{"r":[{"anything-but":{"prefix":"1"}}]}`, `{"r":12}`, true},
		{"anything-but ignoring case rejects any casing", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"Stopped"}}]}}`, `{"detail":{"state":"STOPPED"}}`, false},
		{"anything-but ignoring case matches other strings", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"Stopped"}}]}}`, `{"detail":{"state":"running"}}`, true},
		{"anything-but ignoring case takes a list", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}}`, `{"detail":{"state":"overloaded"}}`, false},
		{"anything-but wildcard rejects a matching string", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/lib/x"}`, false},
		{"anything-but wildcard matches a string that does not fit", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/bin/x"}`, true},
		{"anything-but wildcard takes a list", `{"FilePath":[{"anything-but":{"wildcard":["*/lib/*","*/bin/*"]}}]}`, `{"FilePath":"/usr/bin/x"}`, false},
		{"anything-but sits with other alternatives", `{"s":["a",{"anything-but":["a","b"]}]}`, `{"s":"a"}`, true},
	})
}

func TestAnythingButErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"a list mixing strings and numbers is rejected", `{"s":[{"anything-but":["a",1]}]}`, "s[0]", "only strings or only numbers"},
		{"a list mixing numbers and strings is rejected", `{"s":[{"anything-but":[1,"a"]}]}`, "s[0]", "only strings or only numbers"},
		{"an empty list is rejected", `{"s":[{"anything-but":[]}]}`, "s[0]", "must not be empty"},
		{"a list holding null is rejected", `{"s":[{"anything-but":[null]}]}`, "s[0]", "only strings or only numbers"},
		{"a boolean operand is rejected", `{"s":[{"anything-but":true}]}`, "s[0]", "anything-but takes"},
		{"an object with two operators is rejected", `{"s":[{"anything-but":{"prefix":"a","suffix":"b"}}]}`, "s[0]", "exactly one"},
		{"anything-but numeric is rejected", `{"s":[{"anything-but":{"numeric":[">",1]}}]}`, "s[0]", "does not combine"},
		{"anything-but prefix of a number is rejected", `{"s":[{"anything-but":{"prefix":1}}]}`, "s[0]", "takes a string"},
		{"anything-but suffix list holding the empty string is rejected", `{"s":[{"anything-but":{"suffix":[".a",""]}}]}`, "s[0]", "must not be empty"},
		{"anything-but prefix of an empty list is rejected", `{"s":[{"anything-but":{"prefix":[]}}]}`, "s[0]", "must not be empty"},
		{"anything-but prefix of the empty string is rejected", `{"s":[{"anything-but":{"prefix":""}}]}`, "s[0]", "must not be empty"},
		{"anything-but wildcard with two stars in a row is rejected", `{"s":[{"anything-but":{"wildcard":"a**"}}]}`, "s[0]", "consecutive"},
		{"anything-but equals-ignore-case of a number list is rejected", `{"s":[{"anything-but":{"equals-ignore-case":[1]}}]}`, "s[0]", "only strings"},
	})
}
