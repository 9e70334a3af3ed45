package eventpattern

// Matcher holds many named rules and finds which of them an event matches. The zero value
// is not usable: call NewMatcher. Match may be called from many goroutines at once, also
// while Add or Delete run; a Match sees the rule set as it was when the Match began.
type Matcher struct {
	state matcherState
}

// NewMatcher returns an empty Matcher.
func NewMatcher() *Matcher {
	m := &Matcher{}
	m.state.init()
	return m
}

// Add compiles pattern and stores it under ruleName, replacing a rule of the same name. An
// invalid pattern gives a *PatternError, an empty name an error; either leaves the Matcher
// unchanged. Each change re-indexes every rule, so adding n rules one by one costs O(n²):
// fine for the thousands of rules a bus holds.
func (m *Matcher) Add(ruleName string, pattern []byte) error {
	return m.state.add(ruleName, pattern)
}

// Delete removes the rule named ruleName and reports whether there was one.
func (m *Matcher) Delete(ruleName string) bool {
	return m.state.remove(ruleName)
}

// Match returns the names of the rules event matches, sorted, or an *EventError when the event
// is not a JSON object. The result is a new slice the caller may keep; it is empty (nil) when no
// rule matches.
func (m *Matcher) Match(event []byte) ([]string, error) {
	return m.state.match(event)
}

// Len returns the number of rules the Matcher holds.
func (m *Matcher) Len() int { return m.state.len() }
