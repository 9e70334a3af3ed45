package eventpattern

import (
	"strings"
	"testing"
)

func TestOr(t *testing.T) {
	const either = `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",301.8]}]}]}}`
	runMatchCases(t, []matchCase{
		{"$or matches when its first branch holds", either, `{"detail":{"c-count":3}}`, true},
		{"$or matches when a later branch holds", either, `{"detail":{"x-limit":301.8}}`, true},
		{"$or does not match when no branch holds", either, `{"detail":{"c-count":9,"d-count":20}}`, false},
		{"$or at the top level matches either field", `{"$or":[{"source":["a"]},{"detail-type":["b"]}]}`, `{"source":"x","detail-type":"b"}`, true},
		{"$or at the top level still needs one field", `{"$or":[{"source":["a"]},{"detail-type":["b"]}]}`, `{"source":"x"}`, false},
		{"fields beside $or must hold too", `{"source":["aws.ec2"],"$or":[{"a":["1"]},{"b":["2"]}]}`, `{"source":"aws.s3","a":"1"}`, false},
		{"fields beside $or and one branch make a match", `{"source":["aws.ec2"],"$or":[{"a":["1"]},{"b":["2"]}]}`, `{"source":"aws.ec2","b":"2"}`, true},
		{"a branch may test nested objects", `{"$or":[{"detail":{"s":["x"]}},{"source":["y"]}]}`, `{"detail":{"s":"x"}}`, true},
		{"a branch may test several fields that must all hold", `{"$or":[{"a":["1"],"b":["2"]},{"c":["3"]}]}`, `{"a":"1","b":"9"}`, false},
		{"nested $or branches are alternatives too", `{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}`, `{"c":"3"}`, true},
		{"two $or in different objects must both hold", `{"$or":[{"a":["1"]},{"b":["2"]}],"detail":{"$or":[{"c":["3"]},{"d":["4"]}]}}`, `{"a":"1","detail":{"c":"5"}}`, false},
		{"two $or in different objects both holding make a match", `{"$or":[{"a":["1"]},{"b":["2"]}],"detail":{"$or":[{"c":["3"]},{"d":["4"]}]}}`, `{"b":"2","detail":{"d":"4"}}`, true},
		{"a branch with exists false matches a missing field", `{"$or":[{"a":[{"exists":false}]},{"b":["2"]}]}`, `{"c":"1"}`, true},
	})
}

func TestOrErrors(t *testing.T) {
	var branches []string
	for i := range 1001 {
		branches = append(branches, `{"f`+strings.Repeat("x", i%7)+`":["`+strings.Repeat("v", i)+`"]}`)
	}
	tooMany := `{"$or":[` + strings.Join(branches, ",") + `]}`
	var pairs []string
	for i := range 4 {
		pairs = append(pairs, `"k`+string(rune('a'+i))+`":{"$or":[{"a":["1"]},{"b":["2"]},{"c":["3"]},{"d":["4"]},{"e":["5"]},{"f":["6"]}]}`)
	}
	product := `{` + strings.Join(pairs, ",") + `}`
	runErrorCases(t, []errorCase{
		{"$or of one branch is rejected", `{"$or":[{"a":["1"]}]}`, "$or", "at least two"},
		{"$or of strings is rejected", `{"$or":["a","b"]}`, "$or[0]", "pattern objects"},
		{"$or that is an object is rejected", `{"$or":{"a":["1"]}}`, "$or", "must be an array of pattern objects"},
		{"$or with an empty branch is rejected", `{"$or":[{"a":["1"]},{}]}`, "$or[1]", "must have fields"},
		{"an error inside a branch names the branch", `{"detail":{"$or":[{"a":["1"]},{"b":"2"}]}}`, "detail.$or[1].b", "must be an array"},
		{"$or with more than a thousand branches is too complex", tooMany, "$or", "too complex"},
		{"$or combinations multiplying past a thousand are too complex", product, "kd", "too complex"},
	})
}
