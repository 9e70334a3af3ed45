package eventpattern

import "fmt"

// Pattern is one compiled event pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	source []byte
	snap   *snapshot
}

// Compile parses and checks an EventBridge event pattern. It rejects what EventBridge rejects
// (a field whose value is neither an object nor an array, an unknown operator, a malformed
// numeric range, CIDR block or wildcard, a pattern too complex to evaluate) with a
// *PatternError naming the JSON path of the problem.
func Compile(pattern []byte) (*Pattern, error) {
	r, err := compileRule(pattern)
	if err != nil {
		return nil, err
	}
	src := append([]byte(nil), pattern...)
	return &Pattern{source: src, snap: buildSnapshot([]string{""}, []*rule{r})}, nil
}

// Match reports whether event, a JSON object, matches the pattern. An event that is not
// valid JSON, or not an object, gives an *EventError.
func (p *Pattern) Match(event []byte) (bool, error) {
	st := p.snap.pool.Get().(*eventState)
	defer p.snap.pool.Put(st)
	hits, err := p.snap.match(st, event)
	if err != nil {
		return false, fmt.Errorf("match event: %w", err)
	}
	return len(hits) > 0, nil
}

// String returns the pattern's source text as it was compiled.
func (p *Pattern) String() string { return string(p.source) }
