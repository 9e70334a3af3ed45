// Package intrinsic parses and evaluates the Amazon States Language intrinsic functions
// (States.Format, States.Array, States.MathAdd, ...) used in the ".$" fields of JSONPath states.
//
// An expression is parsed once with [Parse] and evaluated many times with [Expr.Eval]; a parsed
// [Expr] is immutable and safe for concurrent evaluation. The caller resolves every path argument
// (`$.a.b`, `$$.Execution.Id`, `$`, `$var.field`) through the lookup function it passes to Eval,
// so this package knows nothing about JSONPath, the context object or Variables.
//
// Values are plain Go JSON values: map[string]any, []any, string, float64, bool and nil
// (int, int64 and json.Number are accepted as inputs too). An evaluation failure is an *[Error]
// whose ErrorName is "States.IntrinsicFailure"; a syntax error is a *[SyntaxError] with the byte
// offset of the problem.
package intrinsic
