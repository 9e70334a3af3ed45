package intrinsic

// Node is one argument of an intrinsic call: *Call, *String, *Number, *Bool, *Null or *Path.
// The set is sealed; every node reports the byte offset where it starts.
type Node interface {
	// Pos returns the zero-based byte offset of the node in the expression.
	Pos() int
	// String returns the node in intrinsic syntax.
	String() string
	node()
}

// Call is a call of an intrinsic function, for example States.Array($.a, 1).
type Call struct {
	// Name is the full function name, for example "States.Format".
	Name string
	// Args are the arguments in order.
	Args []Node
	// At is the byte offset of the name.
	At int

	format *template // the split template of a States.Format whose first argument is a literal
	fn     func(src Sources, c *Call, args []any) (any, error)
}

// String is a single-quoted string literal; Value has its escapes resolved and Raw keeps
// them, which States.Format needs to tell "\{" from "{".
type String struct {
	// Value is the text with the escapes \' \{ \} and \\ resolved.
	Value string
	// Raw is the text between the quotes as written.
	Raw string
	// At is the byte offset of the opening quote.
	At int

	badEscape int // offset in Raw of the first backslash that escapes nothing, or -1
	// boxed is Value as an argument value, made once at parse time (an evaluation then
	// allocates nothing for a literal).
	boxed any
}

// Number is a numeric literal; Text is the literal as written.
type Number struct {
	// Value is the number.
	Value float64
	// Text is the literal as written.
	Text string
	// At is the byte offset of the literal.
	At int
	// boxed is Value as an argument value, made once at parse time.
	boxed any
}

// Bool is the literal true or false.
type Bool struct {
	// Value is the literal's value.
	Value bool
	// At is the byte offset of the literal.
	At int
}

// Null is the literal null.
type Null struct {
	// At is the byte offset of the literal.
	At int
}

// Path is a path argument ("$.a", "$$.Execution.Id", "$", "$var.x"), resolved by the caller.
type Path struct {
	// Path is the path text exactly as written, passed to the Lookup unchanged.
	Path string
	// At is the byte offset of the "$".
	At int
}

// Pos returns the byte offset of the call's name.
func (n *Call) Pos() int { return n.At }

// Pos returns the byte offset of the opening quote.
func (n *String) Pos() int { return n.At }

// Pos returns the byte offset of the literal.
func (n *Number) Pos() int { return n.At }

// Pos returns the byte offset of the literal.
func (n *Bool) Pos() int { return n.At }

// Pos returns the byte offset of the literal.
func (n *Null) Pos() int { return n.At }

// Pos returns the byte offset of the "$".
func (n *Path) Pos() int { return n.At }

func (*Call) node()   {}
func (*String) node() {}
func (*Number) node() {}
func (*Bool) node()   {}
func (*Null) node()   {}
func (*Path) node()   {}

// String returns the call in intrinsic syntax.
func (n *Call) String() string {
	s := n.Name + "("
	for i, a := range n.Args {
		if i > 0 {
			s += ", "
		}
		s += a.String()
	}
	return s + ")"
}

// String returns the literal with its quotes and escapes.
func (n *String) String() string { return "'" + n.Raw + "'" }

// String returns the literal as written.
func (n *Number) String() string { return n.Text }

// String returns "true" or "false".
func (n *Bool) String() string {
	if n.Value {
		return "true"
	}
	return "false"
}

// String returns "null".
func (n *Null) String() string { return "null" }

// String returns the path as written.
func (n *Path) String() string { return n.Path }
