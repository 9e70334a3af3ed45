// Package jsonata evaluates the JSONata expressions of Step Functions states that use
// "QueryLanguage": "JSONata", on github.com/blues/jsonata-go v1.5.4 (JSONata 1.5.4) with kiln's fixes.
//
// [Template] recognises a "{% ... %}" field value, [Compile] parses the expression once (and
// caches it by text), and [Expr.Eval] evaluates it with $states and the workflow's Variables
// bound; [NewBindings] and [Expr.EvalBindings] let a state evaluate several fields against one
// set of converted bindings. Values in and out are plain JSON values: map[string]any, []any,
// string, float64, bool and nil.
//
// # Errors
//
// Every failure is an *[Error] named "States.QueryEvaluationError". An expression that
// evaluates to nothing gives an *Error wrapping [ErrUndefined] (test with errors.Is); AWS fails
// the field. [Error.Cause] words the cause as AWS does for a field, and Code carries the
// jsonata-js error code (T0410, T1006, T2001, D3137, ...) mapped from jsonata-go's errors.
//
// # Step Functions' additions
//
// Every expression sees AWS's functions: $partition(array, size), $range(start, end, step),
// $hash(value, algorithm), $random([seed]), $uuid() and $parse(jsonString), with the argument
// rules measured on AWS (arguments truncated toward zero, undefined for a missing step or
// algorithm, $random(seed) equal to java.util.Random(seed).nextDouble()). $eval is disabled
// as on AWS. $now and $millis read the injected clock once per [Bindings]; $random and $uuid
// use the injected [Sources].
//
// # Concurrency
//
// A compiled Expr is immutable and safe for concurrent use, and evaluations run in parallel.
// The released jsonata-go 1.5.4 is not safe so: kiln carries it as a fork in
// third_party/jsonata-go (under a replace in go.mod) whose CHANGES.md lists what kiln changed
// and why (shared built-ins no longer written during a call, "x ~> $f(a)" no longer rewrites
// the parsed tree, per-evaluation bindings, a recursion limit, and a path ending in an empty
// array giving that array).
//
// # JSONata 2.x features AWS supports that jsonata-go 1.5.4 lacks
//
// AWS runs a JSONata 2.x engine. Missing here, because they need parser changes:
//   - the context and positional variable bindings "@$v" and "#$i" (1.6), and the parent
//     operator "%" (1.7);
//   - the coalescing operators "??" and "?:" (2.1);
//   - $formatInteger and $parseInteger with XPath pictures (1.6);
//   - key order: Go maps do not keep insertion order, so $keys, $each, $spread and object
//     output list keys in an unspecified order where AWS keeps document order;
//   - AWS's evaluation limits (a depth of 100, about 7 MB per value) and its non-finite
//     results ("Infinity" for 1/0, where jsonata-go fails with D1001). Runaway recursion is
//     stopped at [MaxRecursion] calls deep with U1001, where AWS stops a non-tail-recursive
//     function at about 32;
//   - tail-call optimisation, so deep tail recursion costs Go stack here.
//
// Added or corrected here because it was cheap: $assert(condition, message) (1.8); $string
// with jsonata-js's 15-significant-digit numbers, no HTML escaping and the prettify flag;
// $single with its test optional. The "&" operator still renders numbers as jsonata-go does
// ("a" & (0.1+0.2) is "a0.30000000000000004" where AWS gives "a0.3"). $type, $error,
// $distinct, $each, $sift and $encodeUrl(Component) are already in jsonata-go.
package jsonata
