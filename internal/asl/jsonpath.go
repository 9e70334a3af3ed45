package asl

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/ohler55/ojg/jp"
)

// pathRoot says what a path starts from.
type pathRoot uint8

const (
	rootInput    pathRoot = iota // $
	rootContext                  // $$
	rootVariable                 // $name
)

// step is one definite step of a path: a key or an index (negative counts from the end).
type step struct {
	key   string
	index int
	isIdx bool
}

// jsonPath is a compiled path. Definite paths (keys and indexes only) are walked natively;
// anything else (wildcards, slices, filters, recursive descent, unions) goes through ojg and
// yields a list, as Jayway JsonPath (which Step Functions uses) does for indefinite paths.
type jsonPath struct {
	src      string
	root     pathRoot
	variable string // for rootVariable
	steps    []step
	// indefinite is non-nil for paths that may select several values.
	indefinite jp.Expr
}

var errPathNotFound = errors.New("path not found")

// errIndexPastEnd is the miss of a path whose last step indexes past either end of an array.
// Jayway JsonPath over Jackson (what Step Functions runs) yields null there rather than no
// result, so a payload template's "k.$" reference gets null while other uses still miss.
var errIndexPastEnd = fmt.Errorf("%w: index out of range", errPathNotFound)

// parsePath compiles a path ("$", "$.a.b[0]", "$$.Execution.Id", "$var.x", "$.a[*].b").
// reference restricts it to a Reference Path: definite steps only.
func parsePath(src string, reference bool) (*jsonPath, error) {
	p := &jsonPath{src: src}
	if !strings.HasPrefix(src, "$") {
		return nil, errors.New("a path must begin with '$'")
	}
	rest := src[1:]
	switch {
	case strings.HasPrefix(rest, "$"):
		p.root = rootContext
		rest = rest[1:]
	case rest != "" && rest[0] != '.' && rest[0] != '[':
		p.root = rootVariable
		i := 0
		for i < len(rest) && (isIdentByte(rest[i])) {
			i++
		}
		if i == 0 {
			return nil, fmt.Errorf("invalid character %q after '$'", rest[0])
		}
		p.variable = rest[:i]
		rest = rest[i:]
	}
	steps, ok, err := parseDefinite(rest)
	if err != nil {
		return nil, err
	}
	if ok {
		p.steps = steps
		return p, nil
	}
	if reference {
		return nil, errors.New("a reference path may only select a single node (no wildcards, filters, slices or '..')")
	}
	x, err := jp.ParseString("$" + rest)
	if err != nil {
		return nil, fmt.Errorf("parse path: %w", err)
	}
	p.indefinite = x
	return p, nil
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// parseDefinite parses dot and bracket steps; ok is false when the path uses other syntax.
func parseDefinite(s string) ([]step, bool, error) {
	var steps []step
	for len(s) > 0 {
		switch s[0] {
		case '.':
			s = s[1:]
			if s == "" {
				return nil, false, errors.New("a path may not end with '.'")
			}
			if s[0] == '.' || s[0] == '*' || s[0] == '[' {
				return nil, false, nil
			}
			i := 0
			for i < len(s) && s[i] != '.' && s[i] != '[' {
				if s[i] == '*' || s[i] == '(' || s[i] == ' ' && false {
					return nil, false, nil
				}
				i++
			}
			if i == 0 {
				return nil, false, errors.New("empty key in path")
			}
			key := s[:i]
			if strings.HasSuffix(key, "()") {
				return nil, false, nil
			}
			steps = append(steps, step{key: key})
			s = s[i:]
		case '[':
			if len(s) > 1 && (s[1] == '\'' || s[1] == '"') {
				key, n, ok := quotedKey(s[1:])
				if ok && n+1 < len(s) && s[n+1] == ']' {
					steps = append(steps, step{key: key})
					s = s[n+2:]
					continue
				}
			}
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, false, errors.New("unclosed '[' in path")
			}
			inner := s[1:end]
			if len(inner) >= 2 && (inner[0] == '\'' && inner[len(inner)-1] == '\'' || inner[0] == '"' && inner[len(inner)-1] == '"') {
				key := inner[1 : len(inner)-1]
				if strings.ContainsAny(key, "'\"") {
					return nil, false, nil
				}
				steps = append(steps, step{key: key})
				s = s[end+1:]
				continue
			}
			n, convErr := strconv.Atoi(strings.TrimSpace(inner))
			if convErr != nil { // not an index: not a path this parser accepts
				return nil, false, nil //nolint:nilerr // "not a path" is an answer, not an error
			}
			steps = append(steps, step{index: n, isIdx: true})
			s = s[end+1:]
		default:
			return nil, false, fmt.Errorf("unexpected %q in path", s[0])
		}
	}
	return steps, true, nil
}

// quotedKey reads the quoted key at the start of s (its quote is s[0]) with Jayway's escapes
// (\\, \', \", \/, \b, \f, \n, \r, \t, \uXXXX) and returns it and the length it took;
// ok is false when the quote is not closed or an escape is unknown.
func quotedKey(s string) (key string, n int, ok bool) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case q:
			return b.String(), i + 1, true
		case '\\':
			if i+1 >= len(s) {
				return "", 0, false
			}
			i++
			switch e := s[i]; e {
			case '\\', '\'', '"', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if i+4 >= len(s) {
					return "", 0, false
				}
				r, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
				if err != nil {
					return "", 0, false
				}
				b.WriteRune(rune(r))
				i += 4
			default:
				return "", 0, false
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}

// get selects the path's value from root. A definite path that selects nothing returns
// errPathNotFound; an indefinite path returns the (possibly empty) list of matches.
func (p *jsonPath) get(root any) (any, error) {
	if p.indefinite != nil {
		res := p.indefinite.Get(root)
		if res == nil {
			res = []any{}
		}
		return res, nil
	}
	v := root
	for n, s := range p.steps {
		if s.isIdx {
			a, ok := v.([]any)
			if !ok {
				return nil, errPathNotFound
			}
			i := s.index
			if i < 0 {
				i += len(a)
			}
			if i < 0 || i >= len(a) {
				if n == len(p.steps)-1 {
					return nil, errIndexPastEnd
				}
				return nil, errPathNotFound
			}
			v = a[i]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errPathNotFound
		}
		v, ok = m[s.key]
		if !ok {
			return nil, errPathNotFound
		}
	}
	return v, nil
}

// set returns a copy of root with value placed at the path (a reference path), creating
// missing objects on the way, as ResultPath does. Only the containers on the path are copied.
// It fails when a step meets a value that is not an object (or an array for an index step).
func (p *jsonPath) set(root, value any) (any, error) {
	return setSteps(root, p.steps, value)
}

func setSteps(cur any, steps []step, value any) (any, error) {
	if len(steps) == 0 {
		return value, nil
	}
	s := steps[0]
	if s.isIdx {
		a, ok := cur.([]any)
		if !ok {
			return nil, errPathNotFound
		}
		i := s.index
		if i < 0 {
			i += len(a)
		}
		if i < 0 || i >= len(a) {
			return nil, errPathNotFound
		}
		child, err := setSteps(a[i], steps[1:], value)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(a))
		copy(out, a)
		out[i] = child
		return out, nil
	}
	var m map[string]any
	switch c := cur.(type) {
	case map[string]any:
		m = c
	case nil:
		m = nil
	default:
		return nil, errPathNotFound
	}
	var child any
	if m != nil {
		child = m[s.key]
	}
	if child == nil {
		child = map[string]any(nil)
		if len(steps) > 1 && steps[1].isIdx {
			return nil, errPathNotFound
		}
	}
	nv, err := setSteps(child, steps[1:], value)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if m == nil {
		out = make(map[string]any, 1)
	} else {
		out = maps.Clone(m)
	}
	out[s.key] = nv
	return out, nil
}

// bracketString renders the path as Jayway prints it in its errors: $['a']['b'][0].
func (p *jsonPath) bracketString() string {
	var b strings.Builder
	b.WriteString("$")
	for _, s := range p.steps {
		if s.isIdx {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		} else {
			b.WriteString("['" + s.key + "']")
		}
	}
	return b.String()
}
