// Package governor is the retraining governor's decision logic, kept pure: given a trigger
// event, the release policy, the stage this governor serves, the time and the facts about
// existing pipeline executions, it decides whether a pipeline run starts, under which
// execution name (the idempotency key), with which input, or which rule skips it and why.
//
// The trigger Lambda (internal/handlers/trigger) does the IO: it asks Step Functions for the
// facts and starts the execution the Decision names. Nothing here performs IO or reads a
// clock, so every rule is tested with plain values.
//
// The rules, each named in a skipped Decision:
//
//   - unknown-event: the event is not one the governor understands (malformed JSON, another
//     source, a deleted branch, a tag, an alarm that left ALARM).
//   - unknown-model: the repository, data key, alarm or schedule names no model in the policy.
//   - feature-branch: no branch rule maps the pushed branch to a stage.
//   - other-stage: the branch (or alarm) belongs to another stage than the one served here.
//   - duplicate: an execution with the idempotency name already exists and did not fail
//     (running or succeeded). When the latest attempt ended FAILED, TIMED_OUT or ABORTED
//     the trigger is a retry: it starts under the next attempt name (<key>-a2, <key>-a3,
//     see AttemptName) and the started Decision's reason names the failed execution, so a
//     re-push after a lost training instance or a failed canary runs again, while racing
//     re-pushes still collapse into one attempt. The reason also points to the other way:
//     `kiln redrive <failed execution>` (RedriveExecution) continues the failed run from the
//     state that failed, keeping what succeeded.
//   - attempts: MaxAttempts attempts of the key all failed; the trigger is not retried again
//     (the reason points to redriving the last attempt).
//   - in-flight: a pipeline run for the same model and stage is still RUNNING; this applies
//     to drift, schedule and new-data triggers, never to commits (a commit is a deliberate
//     release and always gets its own run).
//   - cooldown: a drift run for the model started within governor.driftCooldownMinutes.
//   - budget: the runs started for the model and stage this UTC day reached
//     governor.dailyBudget; this applies to automatic triggers (drift, schedule, new data).
//
// Every type here is a plain value; a Governor is safe for concurrent use.
package governor
