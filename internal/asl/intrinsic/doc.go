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
// whose ErrorName is "States.Runtime" (as recorded on AWS); a syntax error (also an unknown function, a
// wrong argument count, or more than [MaxCalls] calls in one field) is a *[SyntaxError] with
// the byte offset of the problem.
//
// Behaviour pinned to AWS, from its documentation and from executions recorded on AWS:
// States.Format renders numbers as Java does (1, 1.5, 1.0E-4), objects as {key=value} and
// arrays as [a, b]; "\{", "\}", "'" and "\" are the only escapes and any other backslash
// fails at run time; States.MathAdd rounds half up (Java's Math.round) before adding 32-bit
// integers; States.MathRandom with a seed draws from java.util.Random; States.StringSplit
// splits on every delimiter character and drops empty pieces; States.ArrayRange allows at most
// 1000 elements; Base64 and Hash inputs are limited to 10,000 characters; States.JsonMerge
// supports the shallow mode only; States.StringToJson of an empty or blank string is null;
// States.ArrayPartition truncates a fractional chunk size.
//
// Plain Go maps keep no key order, so States.JsonToString and States.Format list object keys
// sorted, where AWS keeps document order, unless the caller supplies the order through
// [Sources].Keys.
package intrinsic
