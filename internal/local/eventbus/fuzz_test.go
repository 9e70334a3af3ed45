package eventbus

import (
	"encoding/json"
	"testing"
)

// FuzzTransform checks that filling any template never panics, and that a template that is
// valid JSON with variables only where JSON values or string contents stand stays valid JSON.
func FuzzTransform(f *testing.F) {
	f.Add(`{"a": <v>, "b": "<v> and <w>"}`, `{"x":"y\"z","n":[1,{"k":"v"}]}`)
	f.Add(`"<aws.events.rule-name> <v>"`, `{}`)
	f.Add(`<aws.events.event>`, `{"q":null}`)
	f.Fuzz(func(t *testing.T, template, detail string) {
		if !json.Valid([]byte(detail)) || len(detail) == 0 || detail[0] != '{' {
			return
		}
		raw := []byte(`{"version":"0","id":"1","detail-type":"T","source":"s","account":"a","time":"t","region":"r","resources":[],"detail":` + detail + `}`)
		tr := &InputTransformer{InputPathsMap: map[string]string{"v": "$.detail.x", "w": "$.detail.n"}, InputTemplate: template}
		out, err := transform(tr, &event{raw: raw, ingestion: t0}, "rule", "arn")
		if err != nil {
			return
		}
		if template == `{"a": <v>, "b": "<v> and <w>"}` && !json.Valid(out) {
			t.Fatalf("template %s with detail %s gave invalid JSON %s", template, detail, out)
		}
	})
}

// FuzzParsePath checks that the JSONPath parser never panics and that what it accepts
// evaluates without error.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"$", "$.detail", "$.detail-type", "$.a[0].b", "$['x y']", "$.*", "$[*].a", "$.", "$[", "detail"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if _, err := parsePath(p); err != nil {
			return
		}
		if _, _, err := evalPath(p, map[string]any{"a": []any{1, map[string]any{"b": 2}}}); err != nil {
			t.Fatalf("accepted path %q does not evaluate: %v", p, err)
		}
	})
}
