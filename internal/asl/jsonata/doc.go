// Package jsonata evaluates the JSONata expressions of Step Functions states that use
// "QueryLanguage": "JSONata", on github.com/blues/jsonata-go (JSONata 1.5.4).
//
// [Template] recognises a "{% ... %}" field value, [Compile] parses the expression once, and
// [Expr.Eval] evaluates it with $states and the workflow's Variables bound. Every expression
// also sees the functions AWS adds: $partition, $range, $hash, $random, $uuid and $parse.
// A compiled [Expr] is immutable and safe for concurrent evaluation.
//
// Evaluation failures are *[Error] values named "States.QueryEvaluationError"; an expression
// that evaluates to nothing (undefined) gives an *Error wrapping [ErrUndefined], which callers
// test with errors.Is.
package jsonata
