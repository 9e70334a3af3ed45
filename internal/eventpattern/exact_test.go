package eventpattern

import "testing"

func TestExactValues(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"an exact string matches the same string", `{"source":["aws.ec2"]}`, `{"source":"aws.ec2"}`, true},
		{"an exact string does not match another string", `{"source":["aws.ec2"]}`, `{"source":"aws.ecs"}`, false},
		{"an exact string is case sensitive", `{"source":["aws.ec2"]}`, `{"source":"AWS.EC2"}`, false},
		{"any value of the pattern's array may match", `{"source":["aws.ec2","aws.fargate"]}`, `{"source":"aws.fargate"}`, true},
		{"a missing field does not match", `{"source":["aws.ec2"]}`, `{"detail-type":"x"}`, false},
		{"a string pattern does not match the number with the same digits", `{"n":["300"]}`, `{"n":300}`, false},
		{"a number pattern does not match the string with the same digits", `{"n":[300]}`, `{"n":"300"}`, false},
		{"a number matches the same number", `{"n":[300]}`, `{"n":300}`, true},
		{"a number matches the same value written with an exponent", `{"n":[300]}`, `{"n":3.0e2}`, true},
		{"a number matches the same value written with a fraction", `{"n":[3e2]}`, `{"n":300.000}`, true},
		{"a negative number matches itself", `{"n":[-1.5]}`, `{"n":-1.50}`, true},
		{"a number does not match a different number", `{"n":[300]}`, `{"n":301}`, false},
		{"numbers with more than six decimals are compared as text", `{"n":[0.1234561]}`, `{"n":0.1234561}`, true},
		{"numbers with more than six decimals do not match other notations", `{"n":[0.1234561]}`, `{"n":1.234561e-1}`, false},
		{"an account number matches its own digits", `{"account":[123456789012]}`, `{"account":123456789012}`, true},
		{"a number beyond the numeric range matches its own literal", `{"n":[1e12]}`, `{"n":1e12}`, true},
		{"a number beyond the numeric range is compared as text", `{"n":[1e12]}`, `{"n":1000000000000}`, false},
		{"true matches true", `{"b":[true]}`, `{"b":true}`, true},
		{"true does not match the string true", `{"b":[true]}`, `{"b":"true"}`, false},
		{"false matches false", `{"b":[false]}`, `{"b":false}`, true},
		{"false does not match true", `{"b":[false]}`, `{"b":true}`, false},
		{"null matches null", `{"detail":{"responseElements":[null]}}`, `{"detail":{"responseElements":null}}`, true},
		{"null does not match the empty string", `{"detail":{"v":[null]}}`, `{"detail":{"v":""}}`, false},
		{"null does not match a missing field", `{"detail":{"v":[null]}}`, `{"detail":{}}`, false},
		{"the empty string matches the empty string", `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":""}}`, true},
		{"the empty string does not match null", `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":null}}`, false},
		{"a nested field matches at the same depth", `{"detail":{"state":{"value":["ALARM"]}}}`, `{"detail":{"state":{"value":"ALARM"}}}`, true},
		{"a nested field does not match at another depth", `{"detail":{"state":{"value":["ALARM"]}}}`, `{"detail":{"value":"ALARM"}}`, false},
		{"a leaf pattern does not match an object in the event", `{"detail":["x"]}`, `{"detail":{"x":1}}`, false},
		{"escaped characters in event strings are decoded", `{"k":["a\"b/é"]}`, `{"k":"a\"b\/\u00e9"}`, true},
		{"escaped field names in events are decoded", `{"detail-type":["x"]}`, `{"detail\u002dtype":"x"}`, true},
		{"a surrogate pair in an event decodes to one character", `{"k":["😀"]}`, `{"k":"\ud83d\ude00"}`, true},
		{"fields the pattern does not name are ignored", `{"source":["a"]}`, `{"source":"a","detail":{"x":[1,2,{"y":null}]},"z":true}`, true},
		{"every field of the pattern must match", `{"source":["a"],"detail-type":["b"]}`, `{"source":"a","detail-type":"c"}`, false},
		{"all fields matching makes the pattern match", `{"source":["a"],"detail-type":["b"]}`, `{"source":"a","detail-type":"b"}`, true},
	})
}

func TestDottedFieldNames(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"a dotted pattern name matches nested event fields", `{"detail.state":["x"]}`, `{"detail":{"state":"x"}}`, true},
		{"a nested pattern matches a dotted event name", `{"detail":{"state":["x"]}}`, `{"detail.state":"x"}`, true},
		{"a dotted event name is followed through several levels", `{"a":{"b":{"c":["x"]}}}`, `{"a.b":{"c":"x"}}`, true},
		{"a dotted event name that leads nowhere is skipped", `{"a":{"b":["x"]}}`, `{"a.c":"x","a":{"b":"y"}}`, false},
		{"a dotted name does not match a different nesting", `{"detail.state":["x"]}`, `{"detail":{"state.value":"x"}}`, false},
	})
}
