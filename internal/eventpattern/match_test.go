package eventpattern

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMatcherFindsRulesThroughEveryKindOfKey holds many rules keyed in different ways and
// checks that each event finds exactly the rules that match it.
func TestMatcherFindsRulesThroughEveryKindOfKey(t *testing.T) {
	rules := map[string]string{
		"num":        `{"n":[300]}`,
		"num-list":   `{"n":[1,2,3]}`,
		"big":        `{"n":[123456789012]}`,
		"null":       `{"v":[null]}`,
		"true":       `{"b":[true]}`,
		"false":      `{"b":[false]}`,
		"str":        `{"s":["x"]}`,
		"str-nested": `{"d":{"e":{"f":["x"]}}}`,
		"presence":   `{"s":[{"prefix":"x"}]}`,
		"absent":     `{"missing":[{"exists":false}]}`,
		"either":     `{"$or":[{"s":["y"]},{"n":[{"numeric":[">",1000]}]}]}`,
		"two-keys":   `{"s":["x"],"n":[300]}`,
	}
	m := NewMatcher()
	for name, p := range rules {
		require.NoError(t, m.Add(name, []byte(p)))
	}
	cases := []struct {
		name  string
		event string
		want  []string
	}{
		{"a number in another notation finds its rule", `{"n":3e2,"missing":1}`, []string{"num"}},
		{"a number in an array finds the list rule", `{"n":[7,2],"missing":1}`, []string{"num-list"}},
		{"an account number finds its rule by text and is too big for numeric", `{"n":123456789012,"missing":1}`, []string{"big"}},
		{"null finds the null rule", `{"v":null,"missing":1}`, []string{"null"}},
		{"true and false find their rules", `{"b":[true,false],"missing":1}`, []string{"false", "true"}},
		{"a string finds exact, prefix and combined rules", `{"s":"x","n":300,"missing":1}`, []string{"num", "presence", "str", "two-keys"}},
		{"a string with a longer value finds only the prefix rule", `{"s":"xy","missing":1}`, []string{"presence"}},
		{"a deep string finds the nested rule", `{"d":{"e":{"f":"x"}},"missing":1}`, []string{"str-nested"}},
		{"a branch of $or finds the rule", `{"s":"y","missing":1}`, []string{"either"}},
		{"the other branch of $or finds the rule", `{"n":5000,"missing":1}`, []string{"either"}},
		{"an event without the tested field finds only the absence rule", `{"z":1}`, []string{"absent"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := m.Match([]byte(tc.event))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestMatchReusesItsScratchSafely(t *testing.T) {
	m := NewMatcher()
	require.NoError(t, m.Add("a", []byte(`{"x":{"y":["1"],"z":["2"]}}`)))
	events := []struct {
		event string
		want  []string
	}{
		{`{"x":[{"y":"1","z":"2"}]}`, []string{"a"}},
		{`{"x":[{"y":"1"},{"z":"2"}]}`, nil},
		{`{"x":{"y":"1","z":"2"}}`, []string{"a"}},
		{`{"x":{"y":"1"}}`, nil},
	}
	for round := range 3 {
		for _, e := range events {
			got, err := m.Match([]byte(e.event))
			require.NoError(t, err)
			assert.Equal(t, e.want, got, "round %d event %s", round, e.event)
		}
	}
}

func TestMatcherResultIsTheCallersToKeep(t *testing.T) {
	m := NewMatcher()
	require.NoError(t, m.Add("a", []byte(`{"s":["x"]}`)))
	require.NoError(t, m.Add("b", []byte(`{"s":[{"prefix":"x"}]}`)))
	first, err := m.Match([]byte(`{"s":"x"}`))
	require.NoError(t, err)
	first[0] = "changed"
	second, err := m.Match([]byte(`{"s":"x"}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, second)
}

func TestGenerationMarksSurviveWrapping(t *testing.T) {
	m := NewMatcher()
	require.NoError(t, m.Add("a", []byte(`{"s":["x"]}`)))
	s := m.state.snap.Load()
	st := s.pool.Get().(*eventState)
	st.gen = ^uint32(0) - 1
	for range 4 {
		hits, err := s.match(st, []byte(`{"s":"x"}`))
		require.NoError(t, err)
		assert.Equal(t, []int32{0}, hits)
	}
}
