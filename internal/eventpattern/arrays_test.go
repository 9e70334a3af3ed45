package eventpattern

import "testing"

func TestArrays(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"a pattern value matches one element of an event array", `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`,
			`{"resources":["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup","arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`, true},
		{"no common element means no match", `{"resources":["a","b"]}`, `{"resources":["c","d"]}`, false},
		{"an empty event array matches no value", `{"resources":["a"]}`, `{"resources":[]}`, false},
		{"nested event arrays are flattened", `{"r":["x"]}`, `{"r":[["a"],["b",["x"]]]}`, true},
		{"fields of objects in an array are matched", `{"detail":{"items":{"name":["b"]}}}`, `{"detail":{"items":[{"name":"a"},{"name":"b"}]}}`, true},
		{"two fields must match in the same array element", `{"a":{"b":["1"],"c":["2"]}}`, `{"a":[{"b":"1","c":"3"},{"b":"3","c":"2"}]}`, false},
		{"two fields matching in one element make a match", `{"a":{"b":["1"],"c":["2"]}}`, `{"a":[{"b":"1","c":"3"},{"b":"1","c":"2"}]}`, true},
		{"a field outside the array combines with any element", `{"source":["s"],"a":{"b":["1"]}}`, `{"source":"s","a":[{"b":"0"},{"b":"1"}]}`, true},
		{"elements of different arrays combine freely", `{"x":{"b":["1"]},"y":{"c":["2"]}}`, `{"x":[{"b":"1"}],"y":[{"c":"0"},{"c":"2"}]}`, true},
		{"a scalar array inside an element must be in that element", `{"a":{"tags":["t"],"n":["k"]}}`, `{"a":[{"tags":["t"],"n":"j"},{"tags":["u"],"n":"k"}]}`, false},
		{"a scalar array inside the matching element matches", `{"a":{"tags":["t"],"n":["k"]}}`, `{"a":[{"tags":["u"],"n":"j"},{"tags":["v","t"],"n":"k"}]}`, true},
		{"nested arrays of objects agree at every level", `{"a":{"b":{"c":["1"],"d":["2"]}}}`, `{"a":[{"b":[{"c":"1"},{"d":"2"}]}]}`, false},
		{"nested arrays of objects match inside one innermost element", `{"a":{"b":{"c":["1"],"d":["2"]}}}`, `{"a":[{"b":[{"c":"0"}]},{"b":[{"c":"1","d":"2"}]}]}`, true},
		{"a backtracking search finds the consistent element", `{"a":{"b":[{"prefix":"x"}],"c":["2"]}}`, `{"a":[{"b":"x1","c":"0"},{"b":"x2","c":"0"},{"b":"x3","c":"2"}]}`, true},
	})
}

func TestArraysWithOperators(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"numeric and exact fields must hold in one element", `{"items":{"qty":[{"numeric":[">",5]}],"sku":["a"]}}`,
			`{"items":[{"qty":9,"sku":"b"},{"qty":1,"sku":"a"}]}`, false},
		{"numeric and exact fields holding in one element match", `{"items":{"qty":[{"numeric":[">",5]}],"sku":["a"]}}`,
			`{"items":[{"qty":9,"sku":"b"},{"qty":7,"sku":"a"}]}`, true},
		{"anything-but is judged element by element with its sibling", `{"items":{"state":[{"anything-but":"ok"}],"id":["2"]}}`,
			`{"items":[{"state":"bad","id":"1"},{"state":"ok","id":"2"}]}`, false},
		{"exists true pairs with a sibling in the same element", `{"items":{"err":[{"exists":true}],"id":["1"]}}`,
			`{"items":[{"err":null,"id":"1"}]}`, true},
		{"a $or branch is judged within one element too", `{"items":{"$or":[{"a":["1"],"b":["2"]},{"c":["3"]}]}}`,
			`{"items":[{"a":"1"},{"b":"2"}]}`, false},
		{"a $or branch holding in one element matches", `{"items":{"$or":[{"a":["1"],"b":["2"]},{"c":["3"]}]}}`,
			`{"items":[{"a":"1"},{"a":"1","b":"2"}]}`, true},
		{"values of one field in one element may come from a nested scalar array", `{"items":{"tags":["x"],"id":["1"]}}`,
			`{"items":[{"tags":[["y"],["x"]],"id":"1"}]}`, true},
		{"CIDR and prefix fields must hold in one element", `{"hosts":{"ip":[{"cidr":"10.0.0.0/8"}],"name":[{"prefix":"web"}]}}`,
			`{"hosts":[{"ip":"10.1.1.1","name":"db1"},{"ip":"192.168.0.1","name":"web1"}]}`, false},
	})
}
