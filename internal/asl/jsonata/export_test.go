package jsonata

// Helpers only the tests use.

// MustCompile is like Compile but panics on error; it is meant for tests and constants.
func MustCompile(expr string) *Expr {
	e, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return e
}
