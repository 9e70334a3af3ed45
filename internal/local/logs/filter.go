package logs

import (
	"slices"
	"strings"
)

// Query selects events of one group for [Service.Filter].
type Query struct {
	// Group is the log group; required.
	Group string
	// Pattern is a term filter pattern ("" matches every event).
	Pattern string
	// Start and End bound the events' timestamps (epoch ms, both inclusive; 0: unbounded).
	Start, End int64
	// Streams, when not empty, are the only streams read; StreamPrefix, when set, selects
	// the streams whose names start with it.
	Streams      []string
	StreamPrefix string
	// After skips the events up to and including this Seq (a page's continuation).
	After uint64
	// Limit bounds the events returned (0 or over 10,000: 10,000).
	Limit int
}

// Filter returns the events q selects, oldest first, and whether more follow the last one
// (continue with After set to its Seq). A missing group is a ResourceNotFoundException
// *APIError; an unsupported pattern InvalidParameterException.
func (s *Service) Filter(q Query) ([]Event, bool, error) {
	terms, err := parsePattern(q.Pattern)
	if err != nil {
		return nil, false, err
	}
	if q.Limit <= 0 || q.Limit > 10000 {
		q.Limit = 10000
	}
	var out []Event
	more := false
	err = s.scan(q.Group, func(ev Event) bool {
		if !q.selects(ev) || !matches(ev.Message, terms) {
			return true
		}
		if len(out) == q.Limit {
			more = true
			return false
		}
		out = append(out, ev)
		return true
	})
	return out, more, err
}

// selects reports whether ev is in q's time range, streams and continuation.
func (q Query) selects(ev Event) bool {
	switch {
	case ev.Seq <= q.After:
		return false
	case (q.Start != 0 && ev.Timestamp < q.Start) || (q.End != 0 && ev.Timestamp > q.End):
		return false
	case len(q.Streams) > 0 && !slices.Contains(q.Streams, ev.Stream):
		return false
	}
	return strings.HasPrefix(ev.Stream, q.StreamPrefix)
}

// parsePattern splits a term pattern into its terms.
func parsePattern(p string) ([]string, error) {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "{") || strings.HasPrefix(p, "[") {
		return nil, &APIError{Code: "InvalidParameterException", Message: "kiln local's CloudWatch Logs supports term filter patterns only, not " + p}
	}
	var terms []string
	for p != "" {
		if p[0] == '"' {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return nil, &APIError{Code: "InvalidParameterException", Message: "Invalid filter pattern: unclosed quote in " + p}
			}
			terms = append(terms, p[1:end+1])
			p = strings.TrimSpace(p[end+2:])
			continue
		}
		t, rest, _ := strings.Cut(p, " ")
		terms = append(terms, t)
		p = strings.TrimSpace(rest)
	}
	return terms, nil
}

func matches(msg string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	return true
}
