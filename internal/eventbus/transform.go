package eventbus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/ohler55/ojg/jp"
)

// Predefined input transformer variables.
const (
	varRuleARN       = "aws.events.rule-arn"
	varRuleName      = "aws.events.rule-name"
	varIngestionTime = "aws.events.event.ingestion-time"
	varEvent         = "aws.events.event"
	varEventJSON     = "aws.events.event.json"
)

// pathRE is the JSONPath subset EventBridge evaluates: $ then .name (letters, digits,
// - _ /), [index] or * steps.
var pathRE = regexp.MustCompile(`^\$(\.[A-Za-z0-9_\-/*]+|\[[0-9]+\]|\[\*\]|\['[^']+'\])*$`)

func checkInputPath(p string) error {
	if !pathRE.MatchString(p) {
		return fmt.Errorf("not a JSONPath of the form $.a.b[0]")
	}
	if _, err := jp.ParseString(p); err != nil {
		return fmt.Errorf("parse JSONPath: %w", err)
	}
	return nil
}

var varNameRE = regexp.MustCompile(`^[A-Za-z0-9_\-.]+$`)

func (t *InputTransformer) check() error {
	if t.InputTemplate == "" {
		return fmt.Errorf("InputTemplate is required")
	}
	if len(t.InputPathsMap) > 100 {
		return fmt.Errorf("InputPathsMap has %d variables, at most 100", len(t.InputPathsMap))
	}
	names := make([]string, 0, len(t.InputPathsMap))
	for n := range t.InputPathsMap {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.HasPrefix(n, "aws.events.") {
			return fmt.Errorf("variable %s: names beginning with aws.events. are reserved", n)
		}
		if !varNameRE.MatchString(n) {
			return fmt.Errorf("variable %q: use letters, digits and - _ .", n)
		}
		if err := checkInputPath(t.InputPathsMap[n]); err != nil {
			return fmt.Errorf("variable %s: path %q: %w", n, t.InputPathsMap[n], err)
		}
	}
	return nil
}

// targetInput returns what d's target receives.
func (s *Service) targetInput(d *delivery) ([]byte, error) {
	t := d.target
	switch {
	case t.Input != "":
		return []byte(t.Input), nil
	case t.InputPath != "":
		doc, err := decode(d.ev.raw)
		if err != nil {
			return nil, err
		}
		v, ok, err := evalPath(t.InputPath, doc)
		if err != nil {
			return nil, err
		}
		if !ok {
			return []byte("null"), nil
		}
		return json.Marshal(v)
	case t.InputTransformer != nil:
		return transform(t.InputTransformer, d.ev, d.rule.Name, d.ruleARN)
	}
	return d.ev.raw, nil
}

func decode(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	return v, nil
}

// evalPath evaluates a JSONPath on doc. A path with a wildcard gives the array of what it
// selects; a path that selects nothing reports false.
func evalPath(path string, doc any) (any, bool, error) {
	x, err := jp.ParseString(path)
	if err != nil {
		return nil, false, fmt.Errorf("parse JSONPath %s: %w", path, err)
	}
	got := x.Get(doc)
	if strings.Contains(path, "*") {
		if got == nil {
			got = []any{}
		}
		return got, true, nil
	}
	if len(got) == 0 {
		return nil, false, nil
	}
	return got[0], true, nil
}

// transform fills t's template for ev. Inside a JSON string literal of the template a
// variable gives its text (a string without its quotes, an object or array with its inner
// quotes removed, as EventBridge does); elsewhere it gives its JSON value. A variable whose
// path selects nothing is not defined: it gives null outside strings and nothing inside.
// <aws.events.event> and <aws.events.event.json> may only stand where a JSON value does.
func transform(t *InputTransformer, ev *event, ruleName, ruleARN string) ([]byte, error) {
	doc, err := decode(ev.raw)
	if err != nil {
		return nil, err
	}
	vars := map[string][]byte{} // JSON values
	for name, p := range t.InputPathsMap {
		v, ok, err := evalPath(p, doc)
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", name, err)
		}
		if !ok {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", name, err)
		}
		vars[name] = b
	}
	quote := func(s string) []byte { b, _ := json.Marshal(s); return b }
	vars[varRuleName] = quote(ruleName)
	vars[varRuleARN] = quote(ruleARN)
	vars[varIngestionTime] = quote(ingestionTime(ev.ingestion))
	vars[varEventJSON] = ev.raw
	if m, ok := doc.(map[string]any); ok {
		noDetail := make(map[string]any, len(m))
		for k, v := range m {
			if k != "detail" {
				noDetail[k] = v
			}
		}
		b, err := json.Marshal(noDetail)
		if err != nil {
			return nil, fmt.Errorf("encode event: %w", err)
		}
		vars[varEvent] = b
	}

	tpl := t.InputTemplate
	var out bytes.Buffer
	inString := false
	for i := 0; i < len(tpl); i++ {
		c := tpl[i]
		switch {
		case c == '\\' && inString && i+1 < len(tpl):
			out.WriteByte(c)
			out.WriteByte(tpl[i+1])
			i++
			continue
		case c == '"':
			inString = !inString
		case c == '<':
			end := strings.IndexByte(tpl[i+1:], '>')
			if end < 0 {
				break
			}
			name := tpl[i+1 : i+1+end]
			if !varNameRE.MatchString(name) {
				break
			}
			val, defined := vars[name]
			_, declared := t.InputPathsMap[name]
			if !defined && !declared {
				break // not a variable: keep the text as written
			}
			if (name == varEvent || name == varEventJSON) && inString {
				return nil, fmt.Errorf("<%s> may only be used as a JSON value, not inside a string", name)
			}
			switch {
			case !defined && inString:
			case !defined:
				out.WriteString("null")
			case inString:
				out.Write(stringText(val))
			default:
				out.Write(val)
			}
			i += end + 1
			continue
		}
		out.WriteByte(c)
	}
	return out.Bytes(), nil
}

// stringText returns a JSON value's text for use inside a JSON string: a string's escaped
// contents without the quotes; an object's or array's JSON without its inner quotes; a number,
// boolean or null as written.
func stringText(v []byte) []byte {
	if len(v) > 0 && v[0] == '"' {
		return v[1 : len(v)-1]
	}
	if len(v) > 0 && (v[0] == '{' || v[0] == '[') {
		return bytes.ReplaceAll(v, []byte(`"`), nil)
	}
	return v
}
