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
