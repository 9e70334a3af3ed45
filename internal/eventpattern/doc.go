// Package eventpattern compiles Amazon EventBridge event patterns and matches JSON events
// against them, locally and with EventBridge's semantics: exact strings, numbers and null,
// prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric ranges, exists, cidr and
// $or, arrays in events (any element may match) and nested objects. SPEC.md in this directory
// states the language this package implements, rule by rule.
//
// Compile turns one pattern into a *Pattern; a Matcher holds many named rules and returns the
// names of those an event matches. Both are safe for concurrent use once built; a Matcher may
// also be changed (Add, Delete) while other goroutines call Match.
package eventpattern
