// Package eventbus is kiln's local Amazon EventBridge: event buses with rules matched by
// internal/eventpattern, targets (an in-process Lambda function, a Step Functions state
// machine, another bus) with InputPath and InputTransformer, PutEvents with the API's
// per-entry validation and the envelope filled as AWS fills it, asynchronous delivery with
// retries (exponential backoff with jitter up to a maximum event age and attempt count) and a
// dead-letter store, an archive of every event put with replay of a time range, and an
// http.Handler speaking EventBridge's JSON 1.1 protocol so the AWS SDK and CLI can use it.
//
// SPEC.md in this directory states the behaviour rule by rule, and marks where kiln chose
// because AWS publishes no figure.
//
// A *Service is safe for concurrent use: events may be put while rules change and while
// deliveries run. Time and randomness come from Config (Clock, NewID, Rand), so tests drive
// retries and replays without sleeping.
package eventbus
