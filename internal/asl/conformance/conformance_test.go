package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const echo = `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`

// run runs lines through Run and returns the output lines decoded.
func run(t *testing.T, opts Options, lines ...string) []map[string]any {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, opts))
	var got []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "line %q", l)
		got = append(got, m)
	}
	return got
}

func TestRunKeepsInputOrderAcrossWorkersAndDefinitions(t *testing.T) {
	var lines []string
	for i := 0; i < 1000; i++ {
		// Three distinct definitions interleaved, so the cache and each worker's last
		// definition both change often.
		def := fmt.Sprintf(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":%d,"ResultPath":"$.r","End":true}}}`, i%3)
		lines = append(lines, fmt.Sprintf(`{"id":%d,"definition":%s,"input":{"i":%d}}`, i, def, i))
	}
	got := run(t, Options{Workers: 4}, lines...)
	require.Len(t, got, 1000)
	for i, g := range got {
		require.Equal(t, float64(i), g["id"])
		require.Equal(t, map[string]any{"i": float64(i), "r": float64(i % 3)}, g["output"])
	}
}

func TestRunStopsACaseAtTheGuardAndCarriesOn(t *testing.T) {
	loop := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A"}}}`
	got := run(t, Options{CaseTimeout: 200 * time.Millisecond, Workers: 1},
		`{"id":"loop","definition":`+loop+`}`,
		`{"id":"next","definition":`+echo+`,"input":{"k":1}}`)
	require.Len(t, got, 2)
	assert.Equal(t, map[string]any{"id": "loop", "status": "ABORTED", "output": nil, "error": "States.Aborted", "cause": "the case ran longer than the wall-clock limit"}, got[0])
	assert.Equal(t, map[string]any{"id": "next", "status": "SUCCEEDED", "output": map[string]any{"k": float64(1)}, "error": nil, "cause": nil}, got[1])
}

func TestRunAnswersEveryBadLineAndCarriesOn(t *testing.T) {
	got := run(t, Options{},
		`not json`,
		`[1,2]`,
		`{"id":"bad definition","definition":{"StartAt":"B","States":{}}}`,
		`{"id":"fail","definition":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E\b","Cause":"c\u2028"}}}}`,
		`{"id":"ok","definition":`+echo+`}`)
	require.Len(t, got, 5)
	assert.Equal(t, "States.InvalidCase", got[0]["error"])
	assert.Equal(t, "States.InvalidCase", got[1]["error"])
	assert.Equal(t, "States.InvalidDefinition", got[2]["error"])
	assert.Equal(t, "E\b", got[3]["error"])
	assert.Equal(t, "c\u2028", got[3]["cause"])
	assert.Equal(t, "SUCCEEDED", got[4]["status"])
}

func TestSplitCaseAgreesWithEncodingJSON(t *testing.T) {
	lines := []string{
		`{"id":"a","definition":{"x":[1,2.5e-3,true,false,null,"\u00e9\"\\"]},"input":"s"}`,
		`{ "input" : [ ] , "id" : { "n" : -0 } }`,
		`{}`,
		`{"other":{"deep":[[[]]]},"id":1}`,
		`{"id":"dup","id":"last"}`,
		`{"ID":"upper"}`,
		`{"id":"x"} trailing`,
		`{"id":01}`,
		`{"id":"\x01"}`,
		`{"id":1.}`,
		`{"id":"bad escape \q"}`,
		`{"id":tru}`,
		`{"id":"a",}`,
		`{"id":"a" "b":1}`,
		`{"i\u0064":"escaped key"}`,
	}
	for _, l := range lines {
		t.Run(l, func(t *testing.T) {
			var c Case
			jsonErr := json.Unmarshal([]byte(l), &c)
			id, def, in, ok := splitCase([]byte(l), nil)
			if !ok {
				return // the caller falls back to encoding/json
			}
			require.NoError(t, jsonErr, "the scanner took a line encoding/json refuses")
			assert.Equal(t, string(c.ID), string(id))
			assert.Equal(t, string(c.Definition), string(def))
			assert.Equal(t, string(c.Input), string(in))
		})
	}
}

func TestSplitCaseTakesAKnownDefinitionOnlyWhenItEndsThere(t *testing.T) {
	// A known definition that is a prefix of a longer value must not be taken.
	_, def, _, ok := splitCase([]byte(`{"definition":123,"id":1}`), []byte(`12`))
	if ok {
		assert.Equal(t, "123", string(def))
	}
	_, def, _, ok = splitCase([]byte(`{"definition":{"a":1},"id":1}`), []byte(`{"a":1}`))
	require.True(t, ok)
	assert.Equal(t, `{"a":1}`, string(def))
}
