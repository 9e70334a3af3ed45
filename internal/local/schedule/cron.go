package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Years a cron expression may name.
const (
	minYear = 1970
	maxYear = 2199
)

// cronSpec is a parsed six-field cron expression.
type cronSpec struct {
	minutes, hours, months, years []bool // indexed by value (years by value-minYear)
	dom                           domSpec
	dow                           dowSpec
}

// domSpec is the day-of-month field.
type domSpec struct {
	any         bool   // ?
	days        []bool // indexed 1..31
	last        bool   // L
	lastWeekday bool   // LW
	nearest     int    // nW: the weekday nearest day n, 0 when unused
}

// dowSpec is the day-of-week field; days are 1 (SUN) to 7 (SAT).
type dowSpec struct {
	any      bool   // ?
	days     []bool // indexed 1..7
	lastOf   int    // nL: the last such weekday of the month, 0 when unused
	nth      int    // n#k: weekday n ...
	nthIndex int    // ... the k-th of the month
}

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
	"JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}

var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

// field describes one cron field for the generic parser.
type field struct {
	name     string
	min, max int
	names    map[string]int
	step     bool // whether / is allowed
}

var (
	fMinutes = field{name: "minutes", min: 0, max: 59, step: true}
	fHours   = field{name: "hours", min: 0, max: 23, step: true}
	fDOM     = field{name: "day-of-month", min: 1, max: 31, step: true}
	fMonth   = field{name: "month", min: 1, max: 12, names: monthNames, step: true}
	fDOW     = field{name: "day-of-week", min: 1, max: 7, names: dayNames}
	fYear    = field{name: "year", min: minYear, max: maxYear, step: true}
)

func parseCron(expr, body string) (*cronSpec, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, &ParseError{Expr: expr, Field: "cron", Reason: fmt.Sprintf("want six fields (minutes hours day-of-month month day-of-week year), got %d", len(f))}
	}
	fail := func(fd field, format string, args ...any) error {
		return &ParseError{Expr: expr, Field: fd.name, Reason: fmt.Sprintf(format, args...)}
	}
	c := &cronSpec{}
	var err error
	if c.minutes, err = parseList(f[0], fMinutes); err != nil {
		return nil, fail(fMinutes, "%v", err)
	}
	if c.hours, err = parseList(f[1], fHours); err != nil {
		return nil, fail(fHours, "%v", err)
	}
	if c.months, err = parseList(strings.ToUpper(f[3]), fMonth); err != nil {
		return nil, fail(fMonth, "%v", err)
	}
	years, err := parseList(f[5], fYear)
	if err != nil {
		return nil, fail(fYear, "%v", err)
	}
	c.years = years[minYear:]
	if c.dom, err = parseDOM(strings.ToUpper(f[2])); err != nil {
		return nil, fail(fDOM, "%v", err)
	}
	if c.dow, err = parseDOW(strings.ToUpper(f[4])); err != nil {
		return nil, fail(fDOW, "%v", err)
	}
	switch {
	case c.dom.any && c.dow.any:
		return nil, fail(fDOW, "? may stand in only one of day-of-month and day-of-week")
	case !c.dom.any && !c.dow.any:
		return nil, fail(fDOW, "one of day-of-month (%s) and day-of-week (%s) must be ?", f[2], f[4])
	}
	return c, nil
}

// parseList parses a comma-separated list of *, values, ranges and steps into a set indexed
// by value (length max+1).
func parseList(s string, fd field) ([]bool, error) {
	set := make([]bool, fd.max+1)
	if s == "" {
		return nil, errors.New("empty")
	}
	for _, item := range strings.Split(s, ",") {
		if err := parseItem(item, fd, set); err != nil {
			return nil, err
		}
	}
	return set, nil
}

func parseItem(item string, fd field, set []bool) error {
	rng, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		if !fd.step {
			return fmt.Errorf("%q: / is not allowed here", item)
		}
		n, err := strconv.Atoi(stepText)
		if err != nil || n <= 0 {
			return fmt.Errorf("%q: step %q is not a positive whole number", item, stepText)
		}
		step = n
	}
	lo, hi := fd.min, fd.max
	switch {
	case rng == "*":
	case strings.Contains(rng, "-"):
		a, b, _ := strings.Cut(rng, "-")
		var err error
		if lo, err = value(a, fd); err != nil {
			return fmt.Errorf("%q: %w", item, err)
		}
		if hi, err = value(b, fd); err != nil {
			return fmt.Errorf("%q: %w", item, err)
		}
		if lo > hi {
			return fmt.Errorf("%q: range starts after it ends", item)
		}
	default:
		v, err := value(rng, fd)
		if err != nil {
			return fmt.Errorf("%q: %w", item, err)
		}
		lo = v
		if !hasStep {
			hi = v
		}
	}
	for v := lo; v <= hi; v += step {
		set[v] = true
	}
	return nil
}

// value parses one number or name of fd, checking its range.
func value(s string, fd field) (int, error) {
	if v, ok := fd.names[s]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		if fd.names != nil {
			return 0, fmt.Errorf("%q is not a number or name", s)
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < fd.min || v > fd.max {
		return 0, fmt.Errorf("%d is outside %d-%d", v, fd.min, fd.max)
	}
	return v, nil
}

func parseDOM(s string) (domSpec, error) {
	switch {
	case s == "?":
		return domSpec{any: true}, nil
	case s == "L":
		return domSpec{last: true}, nil
	case s == "LW":
		return domSpec{lastWeekday: true}, nil
	case strings.HasSuffix(s, "W"):
		n, err := value(strings.TrimSuffix(s, "W"), fDOM)
		if err != nil {
			return domSpec{}, fmt.Errorf("%q: W follows a single day: %w", s, err)
		}
		return domSpec{nearest: n}, nil
	case strings.ContainsAny(s, "LW?#"):
		return domSpec{}, fmt.Errorf("%q: L, W and ? stand alone in the field (L, LW, 15W, ?)", s)
	}
	days, err := parseList(s, fDOM)
	if err != nil {
		return domSpec{}, err
	}
	return domSpec{days: days}, nil
}

func parseDOW(s string) (dowSpec, error) {
	switch {
	case s == "?":
		return dowSpec{any: true}, nil
	case s == "L":
		return dowSpec{days: oneDay(7)}, nil // the last day of the week: Saturday
	case strings.Contains(s, "#"):
		a, b, _ := strings.Cut(s, "#")
		d, err := value(a, fDOW)
		if err != nil {
			return dowSpec{}, fmt.Errorf("%q: %w (# takes one expression, such as 2#1)", s, err)
		}
		k, err := strconv.Atoi(b)
		if err != nil || k < 1 || k > 5 {
			return dowSpec{}, fmt.Errorf("%q: the week after # must be 1 to 5 (# takes one expression, such as 2#1)", s)
		}
		return dowSpec{nth: d, nthIndex: k}, nil
	case strings.HasSuffix(s, "L"):
		d, err := value(strings.TrimSuffix(s, "L"), fDOW)
		if err != nil {
			return dowSpec{}, fmt.Errorf("%q: L follows a single weekday: %w", s, err)
		}
		return dowSpec{lastOf: d}, nil
	case strings.ContainsAny(s, "?/"):
		return dowSpec{}, fmt.Errorf("%q: ?, L and # stand alone in the field, and / is not allowed", s)
	}
	days, err := parseList(s, fDOW)
	if err != nil {
		return dowSpec{}, err
	}
	return dowSpec{days: days}, nil
}

func oneDay(d int) []bool {
	set := make([]bool, 8)
	set[d] = true
	return set
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// weekday returns the day of the week, 1 (SUN) to 7 (SAT).
func weekday(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1
}

// nearestWeekday returns the weekday (Monday to Friday) nearest day n of the month, without
// leaving the month, or 0 when the month has no day n (31W in April fires on no day).
func nearestWeekday(y int, m time.Month, n int) int {
	last := daysIn(y, m)
	if n > last {
		return 0
	}
	switch weekday(y, m, n) {
	case 7: // Saturday: Friday before, or Monday after when the 1st
		if n == 1 {
			return 3
		}
		return n - 1
	case 1: // Sunday: Monday after, or Friday before when the last day
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

// dayMatches reports whether the date matches the day-of-month and day-of-week fields.
func (c *cronSpec) dayMatches(y int, m time.Month, d int) bool {
	if !c.dom.any {
		last := daysIn(y, m)
		switch {
		case c.dom.last:
			return d == last
		case c.dom.lastWeekday:
			return d == nearestWeekday(y, m, last)
		case c.dom.nearest > 0:
			return d == nearestWeekday(y, m, c.dom.nearest)
		}
		return c.dom.days[d]
	}
	w := weekday(y, m, d)
	switch {
	case c.dow.lastOf > 0:
		return w == c.dow.lastOf && d+7 > daysIn(y, m)
	case c.dow.nth > 0:
		return w == c.dow.nth && (d-1)/7+1 == c.dow.nthIndex
	}
	return c.dow.days[w]
}

// next returns the first wall-clock time in loc strictly after after that the expression
// names. A wall-clock time that daylight saving time skips does not fire; one it repeats
// fires once, at its first occurrence.
func (c *cronSpec) next(after time.Time, loc *time.Location) (time.Time, bool) {
	t := after.In(loc)
	y, m, d := t.Date()
	if y < minYear {
		y, m, d = minYear, time.January, 1
	}
	for y <= maxYear {
		if !c.years[y-minYear] {
			y, m, d = y+1, time.January, 1
			continue
		}
		if !c.months[m] {
			if m == time.December {
				y, m, d = y+1, time.January, 1
			} else {
				m, d = m+1, 1
			}
			continue
		}
		if c.dayMatches(y, m, d) {
			if at, ok := c.firstInDay(y, m, d, after, loc); ok {
				return at, true
			}
		}
		d++
		if d > daysIn(y, m) {
			d = 1
			if m == time.December {
				y, m = y+1, time.January
			} else {
				m++
			}
		}
	}
	return time.Time{}, false
}

// firstInDay returns the first firing time of the day that exists in loc and is after after.
func (c *cronSpec) firstInDay(y int, m time.Month, d int, after time.Time, loc *time.Location) (time.Time, bool) {
	for h := 0; h < 24; h++ {
		if !c.hours[h] {
			continue
		}
		// Skip a whole hour that ends before after.
		if time.Date(y, m, d, h, 59, 59, 0, loc).Before(after) {
			continue
		}
		for mi := 0; mi < 60; mi++ {
			if !c.minutes[mi] {
				continue
			}
			at := time.Date(y, m, d, h, mi, 0, 0, loc)
			if at.Hour() != h || at.Minute() != mi {
				continue // inside a daylight saving gap: skipped
			}
			if at.After(after) {
				return at, true
			}
		}
	}
	return time.Time{}, false
}
