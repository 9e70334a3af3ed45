// Package lambda is the local stack's Lambda: a registry from function names and ARNs to
// in-process handlers, invoked synchronously (Step Functions' lambda:invoke, the stack's own
// calls) or asynchronously (EventBridge and Scheduler targets). A handler is the real handler
// struct of internal/handlers/<name>, adapted with [Handler]; its errors reach callers as the
// Lambda Go runtime reports them ([lambdaerr.Name] gives the name Retry and Catch match).
//
// A Registry is safe for concurrent use.
package lambda
