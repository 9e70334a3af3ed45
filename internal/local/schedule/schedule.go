package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kinds of schedule expression.
const (
	KindRate = "rate"
	KindCron = "cron"
	KindAt   = "at"
)

// Schedule is a parsed Scheduler expression in a time zone. The zero value is not usable:
// build one with Parse.
type Schedule struct {
	expr  string
	kind  string
	loc   *time.Location
	every time.Duration // rate
	cron  *cronSpec     // cron
	at    time.Time     // at
	start time.Time     // optional StartDate
}

// ParseError is a malformed schedule expression; Field names the part at fault (for
// example "day-of-week", "rate unit" or "time zone").
type ParseError struct {
	Expr   string
	Field  string
	Reason string
}

// Error returns "parse schedule expression EXPR: FIELD: REASON".
func (e *ParseError) Error() string {
	return fmt.Sprintf("parse schedule expression %q: %s: %s", e.Expr, e.Field, e.Reason)
}

// Parse parses a Scheduler expression — rate(...), cron(...) or at(...) — evaluated in the
// IANA time zone tz ("" means UTC). A malformed expression or unknown zone is a *ParseError
// naming the field at fault.
func Parse(expr, tz string) (Schedule, error) {
	s := Schedule{expr: expr}
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return Schedule{}, &ParseError{Expr: expr, Field: "time zone", Reason: fmt.Sprintf("%q is not an IANA time zone", tz)}
	}
	s.loc = loc
	body, kind, ok := cutCall(strings.TrimSpace(expr))
	if !ok {
		return Schedule{}, &ParseError{Expr: expr, Field: "expression", Reason: "want rate(value unit), cron(six fields) or at(yyyy-mm-ddThh:mm:ss)"}
	}
	s.kind = kind
	switch kind {
	case KindRate:
		s.every, err = parseRate(expr, body)
	case KindCron:
		s.cron, err = parseCron(expr, body)
	case KindAt:
		s.at, err = time.ParseInLocation("2006-01-02T15:04:05", strings.TrimSpace(body), loc)
		if err != nil {
			err = &ParseError{Expr: expr, Field: "at", Reason: "want yyyy-mm-ddThh:mm:ss"}
		}
	}
	if err != nil {
		return Schedule{}, err
	}
	return s, nil
}

// cutCall splits "name(body)" for the three kinds.
func cutCall(expr string) (body, kind string, ok bool) {
	for _, k := range []string{KindRate, KindCron, KindAt} {
		if rest, found := strings.CutPrefix(expr, k+"("); found && strings.HasSuffix(rest, ")") {
			return rest[:len(rest)-1], k, true
		}
	}
	return "", "", false
}

// parseRate parses "value unit". As EventBridge documents, a value of 1 takes a singular
// unit and a larger value a plural one.
func parseRate(expr, body string) (time.Duration, error) {
	f := strings.Fields(body)
	if len(f) != 2 {
		return 0, &ParseError{Expr: expr, Field: "rate", Reason: "want rate(value unit), for example rate(5 minutes)"}
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 {
		return 0, &ParseError{Expr: expr, Field: "rate value", Reason: fmt.Sprintf("%q is not a positive whole number", f[0])}
	}
	var unit time.Duration
	singular := true
	switch f[1] {
	case "minute":
		unit = time.Minute
	case "minutes":
		unit, singular = time.Minute, false
	case "hour":
		unit = time.Hour
	case "hours":
		unit, singular = time.Hour, false
	case "day":
		unit = 24 * time.Hour
	case "days":
		unit, singular = 24*time.Hour, false
	default:
		return 0, &ParseError{Expr: expr, Field: "rate unit", Reason: fmt.Sprintf("%q is not minute(s), hour(s) or day(s)", f[1])}
	}
	if singular != (n == 1) {
		return 0, &ParseError{Expr: expr, Field: "rate unit", Reason: "a value of 1 takes a singular unit (minute, hour, day) and a larger value a plural one"}
	}
	return time.Duration(n) * unit, nil
}

// WithStart returns the schedule with a start date (Scheduler's StartDate): a rate schedule
// first fires at start and then every interval; no schedule fires before start.
func (s Schedule) WithStart(start time.Time) Schedule {
	s.start = start
	return s
}

// Kind returns KindRate, KindCron or KindAt.
func (s Schedule) Kind() string { return s.kind }

// Location returns the schedule's time zone.
func (s Schedule) Location() *time.Location { return s.loc }

// String returns the expression as parsed.
func (s Schedule) String() string { return s.expr }

// Next returns the first time strictly after after when the schedule fires, and false when it
// never fires again (an at() in the past, a cron whose years are over). A rate schedule
// without a start date counts its intervals from 1970-01-01T00:00:00Z, so rate(1 hour) fires
// on the hour.
func (s Schedule) Next(after time.Time) (time.Time, bool) {
	if !s.start.IsZero() && after.Before(s.start) {
		// The start itself may be a firing time: look from just before it.
		after = s.start.Add(-time.Nanosecond)
	}
	switch s.kind {
	case KindRate:
		anchor := s.start
		if anchor.IsZero() {
			anchor = time.Unix(0, 0)
		}
		if after.Before(anchor) {
			return anchor, true
		}
		n := after.Sub(anchor)/s.every + 1
		return anchor.Add(n * s.every).In(s.loc), true
	case KindCron:
		return s.cron.next(after, s.loc)
	case KindAt:
		if s.at.After(after) {
			return s.at, true
		}
	}
	return time.Time{}, false
}
