package asl

// outcome is what one attempt of a state gives: its output, the next state ("" when the
// state ends its graph), the variables it assigns, or the failure that stopped it (then the
// other fields are unset).
type outcome struct {
	out      any
	next     string
	assigned map[string]any
	fail     *failure
}

// failed is the outcome of an attempt that failed with f.
func failed(f *failure) outcome { return outcome{fail: f} }
