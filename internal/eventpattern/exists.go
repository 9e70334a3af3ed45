package eventpattern

// existsMatcher is {"exists": true}: it matches any leaf value, null included. {"exists": false}
// is not a value matcher (it holds when the field has no leaf value at all) and is kept on the
// field test instead.
type existsMatcher struct{}

func (existsMatcher) matches(*value) bool { return true }

func (existsMatcher) String() string { return `{"exists":true}` }

// compileExists parses the operand of exists, which must be true or false.
func compileExists(operand any, path string) (bool, error) {
	b, ok := operand.(bool)
	if !ok {
		return false, patternErr(path, "exists takes true or false, not %s", describe(operand))
	}
	return b, nil
}
