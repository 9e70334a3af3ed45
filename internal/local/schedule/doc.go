// Package schedule is kiln's local EventBridge Scheduler: it parses Scheduler expressions —
// rate(value unit), cron(minutes hours day-of-month month day-of-week year) with AWS's six
// fields and wildcards (, - * ? / L W #), and at(yyyy-mm-ddThh:mm:ss) — in an IANA time zone,
// computes when each fires next (skipping wall-clock times that daylight saving time removes,
// firing once for times it repeats, as Scheduler does), and runs schedules against a Lambda
// invoker on a clock the caller drives (Runner.Tick), or by hand (Runner.Fire).
//
// SPEC.md in this directory states the expression language and the firing rules.
//
// A Schedule is an immutable value, safe for concurrent use; a *Runner is safe for concurrent
// use.
package schedule
