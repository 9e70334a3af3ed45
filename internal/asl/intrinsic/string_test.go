package intrinsic

import "testing"

func TestStringSplit(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example splits on a comma", `States.StringSplit($.inputString, $.splitter)`, `{"inputString":"1,2,3,4,5","splitter":","}`, `["1","2","3","4","5"]`},
		{"every delimiter character splits", `States.StringSplit($.inputString, $.splitter)`, `{"inputString":"This.is+a,test=string","splitter":".+,="}`, `["This","is","a","test","string"]`},
		{"empty pieces are dropped", `States.StringSplit(',a,,b,', ',')`, ``, `["a","b"]`},
		{"a string of delimiters gives nothing", `States.StringSplit(',,,', ',')`, ``, `[]`},
		{"an empty string gives nothing", `States.StringSplit('', ',')`, ``, `[]`},
		{"no delimiter present gives the whole string", `States.StringSplit('abc', ',')`, ``, `["abc"]`},
		{"an empty delimiter set gives the whole string", `States.StringSplit('a b', '')`, ``, `["a b"]`},
		{"multi-byte delimiters work", `States.StringSplit('aébéc', 'é')`, ``, `["a","b","c"]`},
		{"a number fails", `States.StringSplit(1, ',')`, ``, `error: argument 1 must be a string, got number`},
		{"a non-string delimiter fails", `States.StringSplit('a', 1)`, ``, `error: delimiters) must be a string, got number`},
	})
}
