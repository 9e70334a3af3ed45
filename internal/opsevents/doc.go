// Package opsevents defines the events kiln's operations put on the stage's kiln bus so teams
// can react to them with their own rules: a rollback that completed ("kiln Rollback
// Completed"), a watch that saw an alarm after the bake ("kiln Watch Breached") and a drift
// check that ran ("kiln Drift Checked"). Each detail is a plain struct with json tags, checked
// against its sample under events/. A Publisher puts them with EventBridge's PutEvents; it
// holds no mutable state and is safe for concurrent use when its client is.
package opsevents
