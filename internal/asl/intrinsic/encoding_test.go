package intrinsic

import (
	"strings"
	"testing"
)

func TestBase64(t *testing.T) {
	long := strings.Repeat("a", MaxBase64Input)
	runEvalTable(t, []evalTest{
		{"the documentation's encode example", `States.Base64Encode($.input)`, `{"input":"Data to encode"}`, `"RGF0YSB0byBlbmNvZGU="`},
		{"the documentation's decode example", `States.Base64Decode($.base64)`, `{"base64":"RGF0YSB0byBlbmNvZGU="}`, `"Data to encode"`},
		{"non-ASCII text is encoded as UTF-8", `States.Base64Encode('é')`, ``, `"w6k="`},
		{"an empty string encodes to an empty string", `States.Base64Encode('')`, ``, `""`},
		{"missing padding is tolerated when decoding", `States.Base64Decode('w6k')`, ``, `"é"`},
		{"encoding round-trips", `States.Base64Decode(States.Base64Encode('a{b}c'))`, ``, `"a{b}c"`},
		{"10000 characters may be encoded", `States.ArrayLength(States.StringSplit(States.Base64Encode($.s), '+'))`, `{"s":"` + long + `"}`, `1`},
		{"10001 characters may not be encoded", `States.Base64Encode($.s)`, `{"s":"` + long + `a"}`, `error: 10001 characters; at most 10000`},
		{"more than 10000 characters may not be decoded", `States.Base64Decode($.s)`, `{"s":"` + long + `AAAA"}`, `error: 10004 characters`},
		{"invalid base64 fails", `States.Base64Decode('!!!!')`, ``, `error: not valid base64`},
		{"a number is not encoded", `States.Base64Encode(1)`, ``, `error: must be a string, got number`},
		{"a number is not decoded", `States.Base64Decode(1)`, ``, `error: must be a string, got number`},
	})
}
