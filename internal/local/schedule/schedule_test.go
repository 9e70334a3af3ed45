package schedule

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the code")

// sunday is a Sunday evening in UTC, the reference instant of most cases.
var sunday = time.Date(2026, 11, 22, 19, 7, 0, 0, time.UTC)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// nextN returns the next n firing times after after, as RFC 3339 in UTC.
func nextN(t *testing.T, s Schedule, after time.Time, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		next, ok := s.Next(after)
		if !ok {
			break
		}
		require.True(t, next.After(after), "Next(%s) = %s is not after it", after, next)
		out = append(out, next.UTC().Format(time.RFC3339))
		after = next
	}
	return out
}

func TestNextFollowsTheAWSDocumentationExamples(t *testing.T) {
	// over names the cases after whose last time the schedule never fires again.
	over := map[string]bool{
		"a year range ends the schedule":      true,
		"a day that no month has never fires": true,
		"at fires once in its zone":           true,
		"at in the past never fires":          true,
	}
	cases := []struct {
		name  string
		expr  string
		tz    string
		after time.Time
		want  []string
	}{
		{"10:00 every day", "cron(0 10 * * ? *)", "", sunday,
			[]string{"2026-11-23T10:00:00Z", "2026-11-24T10:00:00Z"}},
		{"12:15 every day", "cron(15 12 * * ? *)", "", sunday,
			[]string{"2026-11-23T12:15:00Z", "2026-11-24T12:15:00Z"}},
		{"18:00 Monday to Friday skips the weekend", "cron(0 18 ? * MON-FRI *)", "", sunday,
			[]string{"2026-11-23T18:00:00Z", "2026-11-24T18:00:00Z", "2026-11-25T18:00:00Z", "2026-11-26T18:00:00Z", "2026-11-27T18:00:00Z", "2026-11-30T18:00:00Z"}},
		{"8:00 on the first day of every month", "cron(0 8 1 * ? *)", "", sunday,
			[]string{"2026-12-01T08:00:00Z", "2027-01-01T08:00:00Z", "2027-02-01T08:00:00Z"}},
		{"every 15 minutes", "cron(0/15 * * * ? *)", "", sunday,
			[]string{"2026-11-22T19:15:00Z", "2026-11-22T19:30:00Z", "2026-11-22T19:45:00Z", "2026-11-22T20:00:00Z"}},
		{"every 10 minutes on weekdays starts on Monday", "cron(0/10 * ? * MON-FRI *)", "", sunday,
			[]string{"2026-11-23T00:00:00Z", "2026-11-23T00:10:00Z", "2026-11-23T00:20:00Z"}},
		{"every 5 minutes in working hours ends at 17:55", "cron(0/5 8-17 ? * MON-FRI *)", "", utc("2026-11-23T17:50:00Z"),
			[]string{"2026-11-23T17:55:00Z", "2026-11-24T08:00:00Z", "2026-11-24T08:05:00Z"}},
		{"9:00 on the first Monday of the month", "cron(0 9 ? * 2#1 *)", "", sunday,
			[]string{"2026-12-07T09:00:00Z", "2027-01-04T09:00:00Z", "2027-02-01T09:00:00Z"}},
		{"midnight on the last day of the month", "cron(0 0 L * ? *)", "", sunday,
			[]string{"2026-11-30T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-31T00:00:00Z", "2027-02-28T00:00:00Z"}},
		{"midnight on the last Friday of the month", "cron(0 0 ? * 6L *)", "", sunday,
			[]string{"2026-11-27T00:00:00Z", "2026-12-25T00:00:00Z", "2027-01-29T00:00:00Z"}},
		{"noon on the last weekday of the month", "cron(0 12 LW * ? *)", "", sunday,
			[]string{"2026-11-30T12:00:00Z", "2026-12-31T12:00:00Z", "2027-01-29T12:00:00Z"}},
		{"the weekday nearest the 15th", "cron(0 12 15W * ? *)", "", sunday,
			[]string{"2026-12-15T12:00:00Z", "2027-01-15T12:00:00Z", "2027-02-15T12:00:00Z"}},
		{"the weekday nearest a Saturday the 1st stays in the month", "cron(0 12 1W * ? *)", "", utc("2027-04-20T00:00:00Z"),
			[]string{"2027-05-03T12:00:00Z"}},
		{"a fifth Sunday exists only in some months", "cron(0 0 ? * 1#5 *)", "", sunday,
			[]string{"2026-11-29T00:00:00Z", "2027-01-31T00:00:00Z", "2027-05-30T00:00:00Z"}},
		{"a list mixing a day and a range of weekdays", "cron(0 6 ? * MON,WED-FRI *)", "", sunday,
			[]string{"2026-11-23T06:00:00Z", "2026-11-25T06:00:00Z", "2026-11-26T06:00:00Z", "2026-11-27T06:00:00Z", "2026-11-30T06:00:00Z"}},
		{"names are case-insensitive", "cron(0 6 ? dec sun *)", "", sunday,
			[]string{"2026-12-06T06:00:00Z", "2026-12-13T06:00:00Z"}},
		{"numbered weekdays count from Sunday as 1", "cron(0 6 ? * 1,7 *)", "", sunday,
			[]string{"2026-11-28T06:00:00Z", "2026-11-29T06:00:00Z"}},
		{"the nearest weekday to a Sunday the last day is the Friday before, and short months have no 31W",
			"cron(0 12 31W * ? *)", "", utc("2027-01-01T00:00:00Z"),
			[]string{"2027-01-29T12:00:00Z", "2027-03-31T12:00:00Z", "2027-05-31T12:00:00Z"}},
		{"a single weekday name with a W in it", "cron(0 6 ? * WED *)", "", sunday,
			[]string{"2026-11-25T06:00:00Z", "2026-12-02T06:00:00Z"}},
		{"a minute list in the hours of a range", "cron(5,35 22-23 * * ? *)", "", sunday,
			[]string{"2026-11-22T22:05:00Z", "2026-11-22T22:35:00Z", "2026-11-22T23:05:00Z", "2026-11-22T23:35:00Z", "2026-11-23T22:05:00Z"}},
		{"a time zone east of UTC moves the date back", "cron(30 0 1 * ? *)", "Asia/Tokyo", sunday,
			[]string{"2026-11-30T15:30:00Z", "2026-12-31T15:30:00Z"}},
		{"a weekday name before #", "cron(0 6 ? * THU#2 *)", "", sunday,
			[]string{"2026-12-10T06:00:00Z", "2027-01-14T06:00:00Z"}},
		{"a weekday name before L", "cron(0 6 ? * fril *)", "", sunday,
			[]string{"2026-11-27T06:00:00Z", "2026-12-25T06:00:00Z"}},
		{"a step over the days of the month", "cron(0 0 1/10 * ? *)", "", sunday,
			[]string{"2026-12-01T00:00:00Z", "2026-12-11T00:00:00Z", "2026-12-21T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"}},
		{"a step over months", "cron(0 0 1 */4 ? *)", "", sunday,
			[]string{"2027-01-01T00:00:00Z", "2027-05-01T00:00:00Z", "2027-09-01T00:00:00Z"}},
		{"kiln's weekly retrain at 3:00 on Mondays", "cron(0 3 ? * MON *)", "", sunday,
			[]string{"2026-11-23T03:00:00Z", "2026-11-30T03:00:00Z"}},
		{"lists of month names", "cron(0 0 1 JAN,JUL ? *)", "", sunday,
			[]string{"2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z", "2028-01-01T00:00:00Z"}},
		{"a step over a range", "cron(10-50/20 6 * * ? *)", "", sunday,
			[]string{"2026-11-23T06:10:00Z", "2026-11-23T06:30:00Z", "2026-11-23T06:50:00Z", "2026-11-24T06:10:00Z"}},
		{"the last day of the week is Saturday", "cron(0 0 ? * L *)", "", sunday,
			[]string{"2026-11-28T00:00:00Z", "2026-12-05T00:00:00Z"}},
		{"a year range ends the schedule", "cron(0 0 1 1 ? 2027-2028)", "", sunday,
			[]string{"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}},
		{"a day that no month has never fires", "cron(0 0 31 2 ? *)", "", sunday, nil},
		{"a time zone moves the hour", "cron(0 9 * * ? *)", "Europe/Berlin", sunday,
			[]string{"2026-11-23T08:00:00Z", "2026-11-24T08:00:00Z"}},
		{"a time that spring skips does not fire that day", "cron(30 2 * * ? *)", "America/New_York", utc("2027-03-13T00:00:00Z"),
			[]string{"2027-03-13T07:30:00Z", "2027-03-15T06:30:00Z"}},
		{"a time that autumn repeats fires once", "cron(30 1 * * ? *)", "America/New_York", utc("2026-10-31T12:00:00Z"),
			[]string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
		{"the repeated hour is not run twice", "cron(0/30 1 * * ? *)", "America/New_York", utc("2026-11-01T05:00:00Z"),
			[]string{"2026-11-01T05:30:00Z", "2026-11-02T06:00:00Z"}},
		{"a rate without a start counts from the epoch", "rate(1 hour)", "", sunday,
			[]string{"2026-11-22T20:00:00Z", "2026-11-22T21:00:00Z"}},
		{"a rate of days counts whole days from the epoch", "rate(2 days)", "America/New_York", sunday,
			[]string{"2026-11-23T00:00:00Z", "2026-11-25T00:00:00Z"}},
		{"at fires once in its zone", "at(2026-12-25T09:00:00)", "Europe/London", sunday,
			[]string{"2026-12-25T09:00:00Z"}},
		{"at in the past never fires", "at(2020-01-01T00:00:00)", "", sunday, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse(c.expr, c.tz)
			require.NoError(t, err)
			assert.Equal(t, c.want, nextN(t, s, c.after, len(c.want)))
			if over[c.name] {
				assert.Len(t, nextN(t, s, c.after, len(c.want)+1), len(c.want), "fires again after the last")
			}
		})
	}
}

func TestWithStartBoundsTheFirstFiring(t *testing.T) {
	s, err := Parse("rate(5 minutes)", "")
	require.NoError(t, err)
	start := utc("2026-11-22T19:03:30Z")
	s = s.WithStart(start)
	assert.Equal(t, []string{"2026-11-22T19:03:30Z", "2026-11-22T19:08:30Z"}, nextN(t, s, utc("2026-11-22T18:00:00Z"), 2))
	assert.Equal(t, []string{"2026-11-22T19:13:30Z"}, nextN(t, s, utc("2026-11-22T19:08:30Z"), 1))

	d, err := Parse("rate(1 day)", "America/New_York")
	require.NoError(t, err)
	d = d.WithStart(utc("2027-03-13T17:00:00Z")) // noon EST, the day before spring forward
	assert.Equal(t, []string{"2027-03-14T17:00:00Z"}, nextN(t, d, utc("2027-03-13T17:00:00Z"), 1),
		"a day is 24 hours, so the wall clock reads 13:00 EDT")

	c, err := Parse("cron(0 10 * * ? *)", "")
	require.NoError(t, err)
	c = c.WithStart(utc("2026-12-01T11:00:00Z"))
	assert.Equal(t, []string{"2026-12-02T10:00:00Z"}, nextN(t, c, sunday, 1))
}

func TestParseRejectsMalformedExpressionsNamingTheField(t *testing.T) {
	cases := []struct {
		name, expr, tz, field string
	}{
		{"both day fields given", "cron(0 10 * * * *)", "", "day-of-week"},
		{"both day fields ?", "cron(0 10 ? * ? *)", "", "day-of-week"},
		{"a minute of 60", "cron(60 10 * * ? *)", "", "minutes"},
		{"an hour of 24", "cron(0 24 * * ? *)", "", "hours"},
		{"a month of 13", "cron(0 10 * 13 ? *)", "", "month"},
		{"an unknown month name", "cron(0 10 * JAN-XYZ ? *)", "", "month"},
		{"a weekday of 8", "cron(0 10 ? * 8 *)", "", "day-of-week"},
		{"a year after 2199", "cron(0 10 * * ? 2200)", "", "year"},
		{"five fields", "cron(0 10 * * ?)", "", "cron"},
		{"two # expressions", "cron(0 10 ? * 3#1,6#3 *)", "", "day-of-week"},
		{"a step in day-of-week", "cron(0 10 ? * MON/2 *)", "", "day-of-week"},
		{"a sixth week", "cron(0 10 ? * 2#6 *)", "", "day-of-week"},
		{"W after a day that does not exist", "cron(0 10 32W * ? *)", "", "day-of-month"},
		{"L inside a list", "cron(0 10 1,L * ? *)", "", "day-of-month"},
		{"a backwards range", "cron(5-1 * * * ? *)", "", "minutes"},
		{"a zero step", "cron(0/0 * * * ? *)", "", "minutes"},
		{"a rate of zero", "rate(0 minutes)", "", "rate value"},
		{"a rate of one with a plural unit", "rate(1 minutes)", "", "rate unit"},
		{"a rate of five with a singular unit", "rate(5 minute)", "", "rate unit"},
		{"a rate in weeks", "rate(2 weeks)", "", "rate unit"},
		{"a rate in words", "rate(five minutes)", "", "rate value"},
		{"an at without the T", "at(2026-12-01 00:00:00)", "", "at"},
		{"an at in month 13", "at(2026-13-01T00:00:00)", "", "at"},
		{"an unknown time zone", "rate(1 hour)", "Mars/Olympus_Mons", "time zone"},
		{"plain words", "every 5 minutes", "", "expression"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.expr, c.tz)
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "got %T", err)
			assert.Equal(t, c.field, pe.Field, "error: %v", err)
			assert.Contains(t, err.Error(), c.expr)
		})
	}
}

// TestNextGolden pins the next five firings of every example in testdata/next.golden
// (regenerate with -update and review the diff like code).
func TestNextGolden(t *testing.T) {
	exprs := []struct{ expr, tz string }{
		{"cron(0 10 * * ? *)", ""}, {"cron(15 12 * * ? *)", ""}, {"cron(0 18 ? * MON-FRI *)", ""},
		{"cron(0 8 1 * ? *)", ""}, {"cron(0/15 * * * ? *)", ""}, {"cron(0/10 * ? * MON-FRI *)", ""},
		{"cron(0/5 8-17 ? * MON-FRI *)", ""}, {"cron(0 9 ? * 2#1 *)", ""}, {"cron(0 0 L * ? *)", ""},
		{"cron(0 0 ? * 6L *)", ""}, {"cron(0 12 LW * ? *)", ""}, {"cron(0 12 1W * ? *)", ""},
		{"cron(0 3 ? * MON *)", ""}, {"cron(30 2 * * ? *)", "America/New_York"},
		{"cron(0 0 29 2 ? *)", ""}, {"rate(1 hour)", ""}, {"rate(7 days)", ""},
	}
	var b strings.Builder
	from := utc("2027-03-10T00:00:00Z")
	for _, e := range exprs {
		s, err := Parse(e.expr, e.tz)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%s %s\n", e.expr, e.tz)
		for _, n := range nextN(t, s, from, 5) {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	path := filepath.Join("testdata", "next.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
}
