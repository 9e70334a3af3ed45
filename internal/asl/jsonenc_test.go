package asl

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	cases := map[string]string{
		"integers stay integers":           `[0,1,-7,123456789012,1e20]`,
		"fractions and exponents":          `[0.5,-1.25,1e-7,1.5e300,123.456]`,
		"strings are escaped but not HTML": `["a\"b\\c\n\t\u0001<&>","\u2028é"]`,
		"objects have sorted keys":         `{"b":1,"a":{"z":null,"y":[true,false]}}`,
		"empty containers stay empty":      `[{},[],""]`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			v, err := decodeJSON([]byte(doc))
			require.NoError(t, err)
			got, err := marshalJSON(v)
			require.NoError(t, err)
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(v))
			assert.Equal(t, string(bytes.TrimSpace(want.Bytes())), string(got))
		})
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,-3e2,"x\n",true,null]}`, `"\ud83d\ude00"`, `[1,]`, `01`, `{"a":1}x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want any
		wantErr := json.Unmarshal(b, &want)
		got, err := decodeJSON(b)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("decodeJSON(%q) error %v, encoding/json error %v", b, err, wantErr)
		}
		if err == nil {
			assert.Equal(t, want, got)
		}
	})
}

func TestJSONSizeOverMatchesTheEncodedLength(t *testing.T) {
	big := make([]any, 0, 3000)
	for i := 0; i < 3000; i++ {
		big = append(big, map[string]any{"key": "a value of some length", "n": float64(i)})
	}
	cases := []struct {
		name  string
		v     any
		limit int
	}{
		{"a small object is under a large limit", map[string]any{"a": 1.0}, 100},
		{"a small object is over a tiny limit", map[string]any{"abc": "defghij"}, 5},
		{"a large array is measured exactly near the limit", big, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := marshalJSON(c.v)
			require.NoError(t, err)
			limit := c.limit
			if limit == 0 {
				limit = len(b)
			}
			assert.Equal(t, len(b) > limit, jsonSizeOver(c.v, limit))
			assert.True(t, jsonSizeOver(c.v, len(b)-1))
		})
	}
}
