package intrinsic

// Helpers only the tests use.

// MustParse is like Parse but panics on error; it is meant for tests and constants.
func MustParse(expr string) *Expr {
	e, err := Parse(expr)
	if err != nil {
		panic(err)
	}
	return e
}

// NextInt32 returns what Random.nextInt() returns.
func (r *JavaRandom) NextInt32() int32 { return r.next(32) }
