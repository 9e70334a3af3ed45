package jsonata

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPartition(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"AWS's example cuts pairs", `$partition([1,2,3,4], 2)`, ``, `[[1,2],[3,4]]`},
		{"the last chunk holds the rest", `$partition($states.input.a, 2)`, `{"a": [1,2,3,4,5]}`, `[[1,2],[3,4],[5]]`},
		{"a chunk larger than the array gives one chunk", `$partition([1,2], 5)`, ``, `[[1,2]]`},
		{"a fractional size is truncated", `$partition([1,2,3], 2.9)`, ``, `[[1,2],[3]]`},
		{"a missing size gives the whole array as one chunk", `$partition([1,2,3])`, ``, `[[1,2,3]]`},
		{"objects are kept whole", `$partition($states.input.a, 1)`, `{"a": [{"k": null}, {"k": 2}]}`, `[[{"k": null}], [{"k": 2}]]`},
		{"an empty array is undefined", `$partition([], 2)`, ``, `undefined`},
		{"a missing array is undefined", `$partition($states.input.none, 2)`, `{}`, `undefined`},
		{"a size of zero is undefined", `$partition([1], 0)`, ``, `undefined`},
		{"a size that truncates to zero is undefined", `$partition([1], -0.5)`, ``, `undefined`},
		{"a negative size fails", `$partition([1], -2)`, ``, `error: D3137: Second argument must be zero or greater`},
		{"a string size fails the signature", `$partition([1], "2")`, ``, `error: T0410: Argument 2 of function "partition"`},
		{"a non-array fails", `$partition("abc", 2)`, ``, `error: T0412: Argument 1 of function "partition" must be an array of undefined`},
		{"a third argument fails the signature", `$partition([1], 1, 1)`, ``, `error: T0410: Argument 3 of function "partition"`},
	})
}

func TestRange(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"AWS's example includes the end when the step lands on it", `$range(0, 6, 2)`, ``, `[0,2,4,6]`},
		{"a step that overshoots stops before the end", `$range(0, 5, 2)`, ``, `[0,2,4]`},
		{"a negative step counts down", `$range(3, 1, -1)`, ``, `[3,2,1]`},
		{"arguments are truncated toward zero", `$range(-1.7, 2, 1)`, ``, `[-1,0,1,2]`},
		{"equal ends give a single number", `$range(4, 4, 1)`, ``, `4`},
		{"more than 1000 elements are allowed", `$count($range(1, 200000, 1))`, ``, `200000`},
		{"equal ends without a step give a single number", `$range(1, 1)`, ``, `1`},
		{"equal ends with a zero step give a single number", `$range(2, 2, 0)`, ``, `2`},
		{"a missing step is undefined", `$range(1, 5)`, ``, `undefined`},
		{"a zero step is undefined", `$range(1, 5, 0)`, ``, `undefined`},
		{"a step pointing away from the end is undefined", `$range(5, 1, 1)`, ``, `undefined`},
		{"a string start fails the signature", `$range("1", 5, 1)`, ``, `error: T0410: Argument 1 of function "range"`},
		{"a missing start fails the signature", `$range($states.input.none, 5, 1)`, `{}`, `error: T0410: Argument 1 of function "range"`},
	})
}

func TestHash(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"SHA-1 gives AWS's recorded digest", `$hash("input", "SHA-1")`, ``, `"140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"`},
		{"MD5 is supported", `$hash("abc", "MD5")`, ``, `"900150983cd24fb0d6963f7d28e17f72"`},
		{"SHA-256 is supported", `$hash("abc", "SHA-256")`, ``, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{"SHA-384 is supported", `$hash("abc", "SHA-384")`, ``, `"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"`},
		{"SHA-512 is supported", `$hash("abc", "SHA-512")`, ``, `"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"`},
		{"a missing algorithm is undefined", `$hash("abc")`, ``, `undefined`},
		{"an unknown algorithm fails", `$hash("abc", "sha256")`, ``, `error: D3137: Hash algorithm 'sha256' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5`},
		{"a number to hash fails the signature", `$hash(1, "MD5")`, ``, `error: T0410: Argument 1 of function "hash"`},
		{"a numeric algorithm fails the signature", `$hash("a", 5)`, ``, `error: T0410: Argument 2 of function "hash"`},
	})
}

func TestParse(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"AWS's example reads a field of parsed JSON", `$parse('{"a":1}').a`, ``, `1`},
		{"a JSON string from the input is parsed", `$parse($states.input.body)`, `{"body": "{\"ok\": true, \"n\": null, \"l\": [1]}"}`, `{"ok": true, "n": null, "l": [1]}`},
		{"a parsed null exists", `$exists($parse("null"))`, ``, `true`},
		{"a bare number is parsed", `$parse("42")`, ``, `42`},
		{"a missing argument is undefined", `$parse($states.input.none)`, `{}`, `undefined`},
		{"invalid JSON fails", `$parse("{a}")`, ``, `error: D3137: Invalid JSON`},
		{"an empty string fails", `$parse("")`, ``, `error: D3137: Invalid JSON`},
		{"data after the value fails", `$parse("1 2")`, ``, `error: D3137`},
		{"a repeated key fails", `$parse('{"a":1,"a":2}')`, ``, `error: D3137: Invalid JSON`},
		{"a number argument fails the signature", `$parse(1)`, ``, `error: T0410: Argument 1 of function "parse"`},
	})
}

func TestRandom(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"a seed gives java.util.Random's first double, as AWS does", `$random(42)`, ``, `0.7275636800328681`},
		{"a fractional seed is truncated", `$random(42.9)`, ``, `0.7275636800328681`},
		{"the same seed repeats", `$random(7) = $random(7)`, ``, `true`},
		{"a string seed fails the signature", `$random("42")`, ``, `error: T0410: Argument 1 of function "random"`},
	})
	got, err := MustCompile(`$random()`).Eval(nil, nil)
	require.NoError(t, err)
	require.GreaterOrEqual(t, got.(float64), 0.0)
	require.Less(t, got.(float64), 1.0)
}

func TestUUID(t *testing.T) {
	got, err := MustCompile(`$uuid()`).Eval(nil, nil)
	require.NoError(t, err)
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), got)
	runEvalTable(t, []evalTest{
		{"an argument fails the signature", `$uuid(1)`, ``, `error: T0410: Argument 1 of function "uuid"`},
	})
}

func TestAWSFunctionsWorkAsValues(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"$parse maps over strings", `$map(["1", "[2]"], $parse)`, ``, `[1, [2]]`},
		{"$hash applies with ~>", `"abc" ~> $hash("MD5")`, ``, `"900150983cd24fb0d6963f7d28e17f72"`},
	})
}
