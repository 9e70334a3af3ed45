package eventbus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Predefined input transformer variables.
const (
	varRuleARN       = "aws.events.rule-arn"
	varRuleName      = "aws.events.rule-name"
	varIngestionTime = "aws.events.event.ingestion-time"
	varEvent         = "aws.events.event"
	varEventJSON     = "aws.events.event.json"
)

// step is one step of a JSONPath: a member name, an array index, or a wildcard.
type step struct {
	name  string
	index int // -1 when the step is a name or wildcard
	wild  bool
}

// parsePath parses the JSONPath subset EventBridge evaluates: $ followed by .name (letters,
// digits and - _ / and other characters except . [ ] ' and spaces), ['name'], [index], .* or [*].
func parsePath(p string) ([]step, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, errors.New("not a JSONPath of the form $.a.b[0]: it must begin with $")
	}
	var steps []step
	rest := p[1:]
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, ".*"):
			steps = append(steps, step{index: -1, wild: true})
			rest = rest[2:]
		case rest[0] == '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			name := rest[1 : 1+end]
			if name == "" || strings.ContainsAny(name, "]' \t") {
				return nil, fmt.Errorf("not a JSONPath of the form $.a.b[0]: bad name %q", name)
			}
			steps = append(steps, step{name: name, index: -1})
			rest = rest[1+end:]
		case strings.HasPrefix(rest, "['"):
			end := strings.Index(rest[2:], "']")
			if end < 0 {
				return nil, errors.New("not a JSONPath of the form $.a.b[0]: unclosed ['")
			}
			steps = append(steps, step{name: rest[2 : 2+end], index: -1})
			rest = rest[2+end+2:]
		case strings.HasPrefix(rest, "[*]"):
			steps = append(steps, step{index: -1, wild: true})
			rest = rest[3:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, errors.New("not a JSONPath of the form $.a.b[0]: unclosed [")
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("not a JSONPath of the form $.a.b[0]: bad index %q", rest[1:end])
			}
			steps = append(steps, step{index: n})
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("not a JSONPath of the form $.a.b[0]: unexpected %q", rest)
		}
	}
	return steps, nil
}

func checkInputPath(p string) error {
	_, err := parsePath(p)
	return err
}

var varNameRE = regexp.MustCompile(`^[A-Za-z0-9_\-.]+$`)

func (t *InputTransformer) check() error {
	if t.InputTemplate == "" {
		return errors.New("an InputTemplate is required")
	}
	if len(t.InputPathsMap) > 100 {
		return fmt.Errorf("the InputPathsMap has %d variables, at most 100", len(t.InputPathsMap))
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
			return fmt.Errorf("variable %q: use only letters, digits, dashes, underscores and dots", n)
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
		return transform(t.InputTransformer, d.ev, d.rule, d.ruleARN)
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
	steps, err := parsePath(path)
	if err != nil {
		return nil, false, err
	}
	cur := []any{doc}
	wild := false
	for _, st := range steps {
		var next []any
		for _, v := range cur {
			switch {
			case st.wild:
				wild = true
				switch x := v.(type) {
				case []any:
					next = append(next, x...)
				case map[string]any:
					keys := make([]string, 0, len(x))
					for k := range x {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					for _, k := range keys {
						next = append(next, x[k])
					}
				}
			case st.index >= 0:
				if a, ok := v.([]any); ok && st.index < len(a) {
					next = append(next, a[st.index])
				}
			default:
				if m, ok := v.(map[string]any); ok {
					if c, ok := m[st.name]; ok {
						next = append(next, c)
					}
				}
			}
		}
		cur = next
	}
	if wild {
		if cur == nil {
			cur = []any{}
		}
		return cur, true, nil
	}
	if len(cur) == 0 {
		return nil, false, nil
	}
	return cur[0], true, nil
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
		out := make([]byte, 0, len(v))
		for i := 0; i < len(v); i++ {
			switch v[i] {
			case '\\':
				out = append(out, v[i])
				if i+1 < len(v) {
					i++
					out = append(out, v[i])
				}
			case '"':
			default:
				out = append(out, v[i])
			}
		}
		return out
	}
	return v
}
