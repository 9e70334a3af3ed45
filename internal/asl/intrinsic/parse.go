package intrinsic

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxCalls is the most intrinsic function calls one field may hold, nested calls included;
// the AWS documentation allows up to 10.
const MaxCalls = 10

// IsIntrinsic reports whether s, the value of a ".$" field, is an intrinsic function call
// rather than a path: it begins with "States." and contains "(". It does not check the rest of
// the syntax: Parse does, so a malformed call is reported as such instead of as a bad path.
func IsIntrinsic(s string) bool {
	return strings.HasPrefix(s, "States.") && strings.IndexByte(s, '(') > 0
}

// Parse parses an intrinsic function call such as "States.Format('Hello {}', $.name)".
// A malformed expression, an unknown function, a wrong number of arguments or more than
// MaxCalls calls gives a *SyntaxError with the byte offset of the problem. Parse is safe for
// concurrent use.
func Parse(expr string) (*Expr, error) {
	p := &parser{src: expr}
	p.skipSpace()
	if !strings.HasPrefix(expr[p.pos:], "States.") {
		return nil, p.errorf(p.pos, "an intrinsic function call must start with \"States.\"")
	}
	call, err := p.call(1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errorf(p.pos, "unexpected %q after the closing parenthesis", p.src[p.pos:])
	}
	return &Expr{src: expr, root: call}, nil
}

type parser struct {
	src   string
	pos   int
	calls int
}

func (p *parser) errorf(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Expr: p.src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// call parses "States.Name(arg, ...)" starting at p.pos.
func (p *parser) call(depth int) (*Call, error) {
	start := p.pos
	p.pos += len("States.")
	for p.pos < len(p.src) && isIdentByte(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	spec, ok := functions[name]
	if !ok {
		return nil, p.errorf(start, "unknown intrinsic function %s", name)
	}
	p.calls++
	if p.calls > MaxCalls {
		return nil, p.errorf(start, "more than %d intrinsic function calls in one field", MaxCalls)
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errorf(p.pos, "expected '(' after %s", name)
	}
	p.pos++
	c := &Call{Name: name, At: start, fn: spec.fn, Args: make([]Node, 0, 4)}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			arg, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, arg)
			p.skipSpace()
			if p.pos >= len(p.src) {
				return nil, p.errorf(p.pos, "unexpected end of expression, expected ',' or ')'")
			}
			if p.src[p.pos] == ',' {
				p.pos++
				continue
			}
			if p.src[p.pos] == ')' {
				p.pos++
				break
			}
			return nil, p.errorf(p.pos, "expected ',' or ')' but found %q", p.src[p.pos])
		}
	}
	if n := len(c.Args); n < spec.minArgs || spec.maxArgs >= 0 && n > spec.maxArgs {
		return nil, p.errorf(start, "%s takes %s, got %d", name, spec.arity(), n)
	}
	if name == "States.Format" {
		if s, ok := c.Args[0].(*String); ok {
			// A literal template is split once here; a mismatch with the argument count is
			// still an evaluation failure, as on AWS.
			t := compileTemplate(s.Raw)
			c.format = &t
		}
	}
	return c, nil
}

// arg parses one argument: a nested call, a string, a number, a boolean, null or a path.
func (p *parser) arg(depth int) (Node, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf(p.pos, "unexpected end of expression, expected an argument")
	}
	rest := p.src[p.pos:]
	c := p.src[p.pos]
	switch {
	case strings.HasPrefix(rest, "States."):
		return p.call(depth + 1)
	case c == '\'':
		return p.stringLit()
	case c == '$':
		return p.path()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case keywordAt(rest, "true"):
		p.pos += 4
		return &Bool{Value: true, At: p.pos - 4}, nil
	case keywordAt(rest, "false"):
		p.pos += 5
		return &Bool{Value: false, At: p.pos - 5}, nil
	case keywordAt(rest, "null"):
		p.pos += 4
		return &Null{At: p.pos - 4}, nil
	}
	return nil, p.errorf(p.pos, "unexpected %q, expected a string, number, boolean, null, path or intrinsic function", c)
}

func keywordAt(s, kw string) bool {
	return strings.HasPrefix(s, kw) && (len(s) == len(kw) || !isIdentByte(s[len(kw)]))
}

// stringLit parses a single-quoted literal. The escapes \' \{ \} and \\ are resolved in Value;
// any other backslash is kept in Raw and makes evaluation fail, as AWS fails an open escape
// at run time.
func (p *parser) stringLit() (Node, error) {
	start := p.pos
	p.pos++ // opening quote
	// The common case has no backslash: the value is the raw text itself.
	if end := strings.IndexAny(p.src[p.pos:], `'\`); end >= 0 && p.src[p.pos+end] == '\'' {
		p.pos += end + 1
		raw := p.src[start+1 : p.pos-1]
		return &String{Value: raw, Raw: raw, At: start, badEscape: -1, boxed: raw}, nil
	}
	var b strings.Builder
	bad := -1
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\\':
			if p.pos+1 >= len(p.src) {
				return nil, p.errorf(p.pos, "unterminated string literal")
			}
			switch e := p.src[p.pos+1]; e {
			case '\'', '{', '}', '\\':
				b.WriteByte(e)
			default:
				if bad < 0 {
					bad = p.pos - start - 1
				}
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			p.pos += 2
		case '\'':
			p.pos++
			v := b.String()
			return &String{Value: v, Raw: p.src[start+1 : p.pos-1], At: start, badEscape: bad, boxed: v}, nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return nil, p.errorf(start, "unterminated string literal")
}

// number parses a JSON-style number literal.
func (p *parser) number() (Node, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == digits {
		return nil, p.errorf(start, "invalid number literal")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		frac := p.pos
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
		if p.pos == frac {
			return nil, p.errorf(start, "invalid number literal %q", p.src[start:p.pos])
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		exp := p.pos
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
		if p.pos == exp {
			return nil, p.errorf(start, "invalid number literal %q", p.src[start:p.pos])
		}
	}
	if p.pos < len(p.src) && isIdentByte(p.src[p.pos]) {
		return nil, p.errorf(p.pos, "unexpected %q in number literal", p.src[p.pos])
	}
	text := p.src[start:p.pos]
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, p.errorf(start, "number literal %s is out of range", text)
	}
	return &Number{Value: v, Text: text, At: start, boxed: v}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// path scans a path argument: it runs to the first ',', ')' or white space outside brackets,
// so filters like $.a[?(@.b == 'x, y')] stay whole.
func (p *parser) path() (Node, error) {
	start := p.pos
	var closers []byte
	var quote byte
loop:
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if quote != 0 {
			if c == '\\' && p.pos+1 < len(p.src) {
				p.pos += 2
				continue
			}
			if c == quote {
				quote = 0
			}
			p.pos++
			continue
		}
		switch c {
		case '[':
			closers = append(closers, ']')
		case '(':
			closers = append(closers, ')')
		case ']', ')':
			if len(closers) == 0 {
				break loop
			}
			if closers[len(closers)-1] != c {
				return nil, p.errorf(p.pos, "unexpected %q in path %q, expected %q", c, p.src[start:p.pos+1], closers[len(closers)-1])
			}
			closers = closers[:len(closers)-1]
		case '\'', '"':
			if len(closers) > 0 {
				quote = c
			}
		case ',', ' ', '\t', '\n', '\r':
			if len(closers) == 0 {
				break loop
			}
		}
		p.pos++
	}
	if quote != 0 || len(closers) != 0 {
		return nil, p.errorf(start, "unterminated path %q", p.src[start:p.pos])
	}
	text := p.src[start:p.pos]
	if err := checkPathStart(text); err != "" {
		return nil, p.errorf(start, "invalid path %q: %s", text, err)
	}
	return &Path{Path: text, At: start}, nil
}

// checkPathStart checks the head of a path: "$", "$$", "$.", "$[", "$$.", or a variable name.
func checkPathStart(s string) string {
	switch {
	case s == "$" || s == "$$":
		return ""
	case strings.HasPrefix(s, "$$"):
		if s[2] != '.' && s[2] != '[' {
			return "expected '.' or '[' after \"$$\""
		}
		return ""
	case s[1] == '.' || s[1] == '[':
		return ""
	case isIdentByte(s[1]):
		i := 1
		for i < len(s) && isIdentByte(s[i]) {
			i++
		}
		if i < len(s) && s[i] != '.' && s[i] != '[' {
			return "expected '.' or '[' after the variable name"
		}
		return ""
	}
	return "expected '.', '[' or a variable name after \"$\""
}
