package eventpattern

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// indexOf reports where a snapshot filed each rule's single conjunction: "exact:PATH",
// "present:PATH" or "always".
func indexOf(t *testing.T, patterns ...string) []string {
	t.Helper()
	var rules []*rule
	var names []string
	for i, p := range patterns {
		r, err := compileRule([]byte(p))
		require.NoError(t, err)
		require.Len(t, r.conjs, 1)
		rules = append(rules, r)
		names = append(names, string(rune('a'+i)))
	}
	s := buildSnapshot(names, rules)
	pathName := map[int32]string{}
	for _, c := range s.conjs {
		for _, bt := range c.tests {
			pathName[bt.path] = joinSegs(bt.t.segs)
		}
	}
	where := make([]string, len(s.conjs))
	for p, ix := range s.index {
		for _, ids := range ix.strs {
			for _, id := range ids {
				where[id] = "exact:" + pathName[int32(p)]
			}
		}
		for _, ids := range ix.fewIDs {
			for _, id := range ids {
				where[id] = "exact:" + pathName[int32(p)]
			}
		}
		for _, ids := range ix.nums {
			for _, id := range ids {
				where[id] = "exact:" + pathName[int32(p)]
			}
		}
		for _, ids := range ix.texts {
			for _, id := range ids {
				where[id] = "exact:" + pathName[int32(p)]
			}
		}
		for _, ids := range ix.lits {
			for _, id := range ids {
				where[id] = "exact:" + pathName[int32(p)]
			}
		}
		for _, id := range ix.present {
			where[id] = "present:" + pathName[int32(p)]
		}
	}
	for _, id := range s.always {
		where[id] = "always"
	}
	return where
}

func joinSegs(segs []string) string {
	out := ""
	for i, s := range segs {
		if i > 0 {
			out += "."
		}
		out += s
	}
	return out
}

func TestIndexChoosesTheMostSelectiveField(t *testing.T) {
	cases := []struct {
		name     string
		patterns []string
		want     []string
	}{
		{"a rule is filed under a value no other rule shares",
			[]string{`{"source":["aws.sagemaker"],"detail":{"group":["g1"]}}`, `{"source":["aws.sagemaker"],"detail":{"group":["g2"]}}`},
			[]string{"exact:detail.group", "exact:detail.group"}},
		{"a shared value is avoided even when it comes first",
			[]string{`{"source":["s"],"detail-type":["t1"]}`, `{"source":["s"],"detail-type":["t2"]}`, `{"source":["s"],"detail-type":["t3"]}`},
			[]string{"exact:detail-type", "exact:detail-type", "exact:detail-type"}},
		{"numbers, null and booleans can key a rule",
			[]string{`{"n":[5],"s":[{"prefix":"a"}]}`, `{"n":[null]}`, `{"b":[true]}`, `{"big":[1e20]}`},
			[]string{"exact:n", "exact:n", "exact:b", "exact:big"}},
		{"a rule without exact values is filed under a field it needs",
			[]string{`{"s":[{"prefix":"a"}],"t":[{"exists":false}]}`},
			[]string{"present:s"}},
		{"a field that may be absent cannot key a rule",
			[]string{`{"s":["a",{"exists":false}],"t":[{"numeric":[">",1]}]}`},
			[]string{"present:t"}},
		{"a rule whose fields may all be absent is checked for every event",
			[]string{`{"s":[{"exists":false}]}`},
			[]string{"always"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, indexOf(t, tc.patterns...))
		})
	}
}

func TestSealKeepsFewStringsInAList(t *testing.T) {
	cases := []struct {
		name    string
		strings []string
		listed  bool
	}{
		{"one string is listed", []string{"aws.s3"}, true},
		{"four strings are listed", []string{"a", "bb", "cc", "ddd"}, true},
		{"five strings stay in the map", []string{"a", "bb", "cc", "ddd", "e"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ix pathIndex
			for i, s := range tc.strings {
				ix.add(countKey{k: kindString, s: s}, int32(i))
				ix.add(countKey{k: kindString, s: s}, int32(i+10))
			}
			ix.seal()
			assert.Equal(t, tc.listed, ix.strs == nil)
			assert.Equal(t, tc.listed, len(ix.few) == len(tc.strings))
			for i, s := range tc.strings {
				v := value{kind: kindString, str: []byte(s)}
				assert.Equal(t, []int32{int32(i), int32(i + 10)}, ix.lookup(&v), "lookup %q", s)
			}
			for _, s := range []string{"", "zz", "a\x00", "dd"} {
				v := value{kind: kindString, str: []byte(s)}
				assert.Nil(t, ix.lookup(&v), "lookup %q", s)
			}
		})
	}
}
