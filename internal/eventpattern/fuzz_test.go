package eventpattern

import (
	"encoding/json"
	"errors"
	"testing"
)

var fuzzPatterns = []string{
	`{"source":["aws.ec2"],"detail":{"state":["running",{"prefix":"stop"}]}}`,
	`{"detail":{"n":[{"numeric":[">",0,"<=",5]},{"anything-but":[1,2]}],"ip":[{"cidr":"10.0.0.0/8"}]}}`,
	`{"$or":[{"a":[{"wildcard":"x*y\\*"}]},{"b":[{"exists":false},null,true]}]}`,
	`{"a":{"b":[{"suffix":{"equals-ignore-case":".PNG"}}],"c":[{"equals-ignore-case":"É"}]}}`,
	`{"a":[{"anything-but":{"wildcard":["*a*","b*"]}}]}`,
}

var fuzzEvents = []string{
	`{"source":"aws.ec2","detail":{"state":"stopping"}}`,
	`{"detail":{"n":[0,1,3.5e0],"ip":"10.1.2.3"}}`,
	`{"a":"xzzy*","b":null}`,
	`{"a":[{"b":"A.png","c":"é"},{"b":"x","c":"y"}]}`,
	`{"a":"\u0041\ud83d\ude00"}`,
	`{"a":[[[]]],"b":{}}`,
}

// FuzzCompile feeds arbitrary bytes to Compile: it must never panic, accept only valid JSON,
// and give a *PatternError for everything it rejects.
func FuzzCompile(f *testing.F) {
	for _, p := range fuzzPatterns {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, pattern []byte) {
		p, err := Compile(pattern)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%q) gave %T %v, want a *PatternError", pattern, err, err)
			}
			return
		}
		if !json.Valid(pattern) {
			t.Fatalf("Compile accepted invalid JSON %q", pattern)
		}
		for _, e := range fuzzEvents {
			if _, err := p.Match([]byte(e)); err != nil {
				t.Fatalf("Match(%s) on a valid event: %v", e, err)
			}
		}
	})
}

// FuzzMatch matches arbitrary events against arbitrary patterns. The matcher must never panic,
// must reject exactly the events that are not JSON objects, and Matcher.Match must agree with
// Pattern.Match.
func FuzzMatch(f *testing.F) {
	for _, p := range fuzzPatterns {
		for _, e := range fuzzEvents {
			f.Add([]byte(p), []byte(e))
		}
	}
	f.Fuzz(func(t *testing.T, pattern, event []byte) {
		p, err := Compile(pattern)
		if err != nil {
			return
		}
		ok, err := p.Match(event)
		var v any
		isObject := json.Unmarshal(event, &v) == nil
		if isObject {
			_, isObject = v.(map[string]any)
		}
		if (err == nil) != isObject {
			t.Fatalf("Match(%q): error %v, but event is a JSON object: %v", event, err, isObject)
		}
		m := NewMatcher()
		if err := m.Add("r", pattern); err != nil {
			t.Fatalf("Add rejected a pattern Compile accepted: %v", err)
		}
		names, merr := m.Match(event)
		if (merr == nil) != (err == nil) {
			t.Fatalf("Matcher error %v, Pattern error %v", merr, err)
		}
		if ok != (len(names) == 1) {
			t.Fatalf("Pattern.Match=%v, Matcher.Match=%v for pattern %s event %s", ok, names, pattern, event)
		}
	})
}
