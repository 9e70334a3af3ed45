package schedule

import (
	"testing"
	"time"
)

// FuzzParseNext checks that Parse never panics and that Next of what it accepts moves
// strictly forward.
func FuzzParseNext(f *testing.F) {
	for _, s := range []string{"cron(0 10 * * ? *)", "cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)",
		"cron(0 0 L * ? *)", "cron(0 12 LW * ? *)", "cron(0 0 ? * 6L 2030)", "rate(5 minutes)", "at(2027-01-01T00:00:00)"} {
		f.Add(s, int64(1795000000))
	}
	f.Fuzz(func(t *testing.T, expr string, after int64) {
		s, err := Parse(expr, "America/New_York")
		if err != nil {
			return
		}
		at := time.Unix(after%(1<<33), 0)
		for i := 0; i < 3; i++ {
			next, ok := s.Next(at)
			if !ok {
				return
			}
			if !next.After(at) {
				t.Fatalf("%s: Next(%s) = %s is not after it", expr, at, next)
			}
			at = next
		}
	})
}
