package eventpattern

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMatcher(t *testing.T) {
	rules := map[string]string{
		"approval":  `{"source":["aws.sagemaker"],"detail-type":["SageMaker Model Package State Change"],"detail":{"ModelApprovalStatus":["Approved","Rejected"]}}`,
		"any-sm":    `{"source":[{"prefix":"aws.sage"}]}`,
		"drift":     `{"source":["aws.cloudwatch"],"detail":{"state":{"value":["ALARM"]}}}`,
		"no-region": `{"region":[{"exists":false}]}`,
		"either":    `{"$or":[{"source":["aws.sagemaker"]},{"detail-type":["SageMaker Model Package State Change"]}]}`,
	}
	m := NewMatcher()
	for name, p := range rules {
		require.NoError(t, m.Add(name, []byte(p)))
	}
	require.Equal(t, 5, m.Len())
	cases := []struct {
		name  string
		event string
		want  []string
	}{
		{"an approval event matches its rules in name order", `{"region":"r","source":"aws.sagemaker","detail-type":"SageMaker Model Package State Change","detail":{"ModelApprovalStatus":"Approved"}}`, []string{"any-sm", "approval", "either"}},
		{"a rule matching through two $or branches is named once", `{"region":"r","source":"aws.sagemaker","detail-type":"SageMaker Model Package State Change","detail":{}}`, []string{"any-sm", "either"}},
		{"an alarm event matches the drift rule", `{"region":"r","source":"aws.cloudwatch","detail":{"state":{"value":"ALARM"}}}`, []string{"drift"}},
		{"an event without region matches the exists-false rule", `{"source":"aws.s3"}`, []string{"no-region"}},
		{"an event nothing matches gives nil", `{"region":"r","source":"aws.s3","detail":{}}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := m.Match([]byte(tc.event))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestMatcherChanges(t *testing.T) {
	event := []byte(`{"source":"a","detail":{"n":5}}`)
	cases := []struct {
		name   string
		change func(t *testing.T, m *Matcher)
		want   []string
		length int
	}{
		{"adding under an existing name replaces the rule", func(t *testing.T, m *Matcher) {
			require.NoError(t, m.Add("r1", []byte(`{"source":["b"]}`)))
		}, []string{"r2"}, 2},
		{"deleting a rule stops it matching", func(t *testing.T, m *Matcher) {
			assert.True(t, m.Delete("r1"))
		}, []string{"r2"}, 1},
		{"deleting an unknown rule changes nothing", func(t *testing.T, m *Matcher) {
			assert.False(t, m.Delete("nope"))
		}, []string{"r1", "r2"}, 2},
		{"an invalid pattern is rejected and changes nothing", func(t *testing.T, m *Matcher) {
			err := m.Add("r1", []byte(`{"source":"a"}`))
			var pe *PatternError
			require.True(t, errors.As(err, &pe), "got %v", err)
			assert.Contains(t, err.Error(), "add rule r1")
			require.Error(t, m.Add("r3", []byte(`{"source":[{"nope":1}]}`)))
		}, []string{"r1", "r2"}, 2},
		{"an empty rule name is rejected and changes nothing", func(t *testing.T, m *Matcher) {
			require.ErrorContains(t, m.Add("", []byte(`{"source":["a"]}`)), "rule name is empty")
		}, []string{"r1", "r2"}, 2},
		{"a new rule is seen by the next match", func(t *testing.T, m *Matcher) {
			require.NoError(t, m.Add("r0", []byte(`{"detail":{"n":[{"numeric":[">",1]}]}}`)))
		}, []string{"r0", "r1", "r2"}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMatcher()
			require.NoError(t, m.Add("r1", []byte(`{"source":["a"]}`)))
			require.NoError(t, m.Add("r2", []byte(`{"detail":{"n":[5]}}`)))
			tc.change(t, m)
			got, err := m.Match(event)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.length, m.Len())
		})
	}
}

func TestEmptyMatcherMatchesNothing(t *testing.T) {
	m := NewMatcher()
	got, err := m.Match([]byte(`{"source":"a"}`))
	require.NoError(t, err)
	assert.Nil(t, got)
	_, err = m.Match([]byte(`{`))
	assert.Error(t, err, "an empty matcher still rejects invalid events")
}

// TestMatcherAgreesWithPatterns builds random rules and events from a small vocabulary, with
// a fixed seed, and checks the indexed Matcher against every Pattern evaluated alone: the
// index may only skip rules that cannot match.
func TestMatcherAgreesWithPatterns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fields := []string{"source", "detail-type", "detail.a", "detail.b", "detail.c.d"}
	words := []string{"x", "y", "xy", "Y", ""}
	leaf := func() string {
		switch rng.IntN(10) {
		case 0:
			return fmt.Sprintf(`{"prefix":%q}`, words[rng.IntN(len(words))])
		case 1:
			return fmt.Sprintf(`{"anything-but":%q}`, words[rng.IntN(len(words))])
		case 2:
			return fmt.Sprintf(`{"numeric":[">",%d]}`, rng.IntN(3))
		case 3:
			return fmt.Sprintf(`{"exists":%t}`, rng.IntN(2) == 0)
		case 4:
			return fmt.Sprintf("%d", rng.IntN(3))
		case 5:
			return "null"
		default:
			return fmt.Sprintf("%q", words[rng.IntN(len(words))])
		}
	}
	nest := func(path, inner string) string {
		out := inner
		for i := len(path) - 1; i >= 0; i-- {
			if path[i] == '.' {
				out = fmt.Sprintf(`{%q:%s}`, path[i+1:], out)
				path = path[:i]
			}
		}
		return fmt.Sprintf(`{%q:%s}`, path, out)
	}
	randomPattern := func() string {
		f := fields[rng.IntN(len(fields))]
		alts := leaf()
		for range rng.IntN(2) {
			alts += "," + leaf()
		}
		p := nest(f, "["+alts+"]")
		if rng.IntN(3) == 0 {
			g := fields[rng.IntN(len(fields))]
			if g != f && g[:3] != f[:3] {
				p = p[:len(p)-1] + "," + nest(g, "["+leaf()+"]")[1:]
			}
		}
		return p
	}
	randomValue := func() string {
		switch rng.IntN(6) {
		case 0:
			return fmt.Sprintf("%d", rng.IntN(3))
		case 1:
			return "null"
		case 2:
			return fmt.Sprintf("[%q,%d]", words[rng.IntN(len(words))], rng.IntN(3))
		default:
			return fmt.Sprintf("%q", words[rng.IntN(len(words))])
		}
	}
	m := NewMatcher()
	patterns := map[string]*Pattern{}
	for i := range 300 {
		src := randomPattern()
		p, err := Compile([]byte(src))
		require.NoError(t, err, src)
		name := fmt.Sprintf("r%03d", i)
		patterns[name] = p
		require.NoError(t, m.Add(name, []byte(src)))
	}
	for range 500 {
		event := fmt.Sprintf(`{"source":%s,"detail-type":%s,"detail":{"a":%s,"b":%s,"c":{"d":%s}}}`,
			randomValue(), randomValue(), randomValue(), randomValue(), randomValue())
		if rng.IntN(4) == 0 {
			event = fmt.Sprintf(`{"source":%s}`, randomValue())
		}
		var want []string
		for i := range 300 {
			name := fmt.Sprintf("r%03d", i)
			ok, err := patterns[name].Match([]byte(event))
			require.NoError(t, err)
			if ok {
				want = append(want, name)
			}
		}
		got, err := m.Match([]byte(event))
		require.NoError(t, err)
		require.Equal(t, want, got, "event %s", event)
	}
}

// TestMatcherConcurrentAddAndMatch runs matches while rules are added and deleted; run it with
// -race. Every match must see a consistent rule set: the fixed rule always matches.
func TestMatcherConcurrentAddAndMatch(t *testing.T) {
	m := NewMatcher()
	require.NoError(t, m.Add("fixed", []byte(`{"source":["a"]}`)))
	event := []byte(`{"source":"a","detail":{"n":3}}`)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			name := fmt.Sprintf("r%d", i%20)
			if err := m.Add(name, []byte(fmt.Sprintf(`{"detail":{"n":[{"numeric":[">",%d]}]}}`, i%5))); err != nil {
				t.Error(err)
				return
			}
			if i%3 == 0 {
				m.Delete(name)
			}
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 300 {
				got, err := m.Match(event)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 || got[0] != "fixed" {
					t.Errorf("match lost the fixed rule: %v", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
