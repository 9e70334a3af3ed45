package schedule_test

import (
	"fmt"
	"time"

	"github.com/kiln-dev/kiln/internal/local/schedule"
)

// The next firings of an AWS documentation example: every 5 minutes, 8:00 to 17:55, Monday
// to Friday.
func ExampleParse() {
	s, err := schedule.Parse("cron(0/5 8-17 ? * MON-FRI *)", "Europe/Berlin")
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 11, 27, 16, 50, 0, 0, time.UTC) // Friday 17:50 in Berlin
	for i := 0; i < 3; i++ {
		at, _ = s.Next(at)
		fmt.Println(at.Format("Mon 2006-01-02 15:04 MST"))
	}
	_, err = schedule.Parse("cron(0 10 * * * *)", "")
	fmt.Println(err)
	// Output:
	// Fri 2026-11-27 17:55 CET
	// Mon 2026-11-30 08:00 CET
	// Mon 2026-11-30 08:05 CET
	// parse schedule expression "cron(0 10 * * * *)": day-of-week: one of day-of-month (*) and day-of-week (*) must be ?
}
