package intrinsic

import "testing"

func TestArray(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"no arguments give an empty array", `States.Array()`, ``, `[]`},
		{"the documentation's example wraps a path value", `States.Array($.Id)`, `{"Id":123456}`, `[123456]`},
		{"literals of every kind keep their order", `States.Array('a', 1, 1.5, true, null)`, ``, `["a",1,1.5,true,null]`},
		{"objects and arrays are kept whole", `States.Array($.o, $.a)`, `{"o":{"k":1},"a":[1,2]}`, `[{"k":1},[1,2]]`},
		{"nested calls are evaluated first", `States.Array(States.Array(1), States.ArrayLength($.a))`, `{"a":[1,2,3]}`, `[[1],3]`},
	})
}

func TestArrayPartition(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example leaves a short last chunk", `States.ArrayPartition($.inputArray, 4)`, `{"inputArray":[1,2,3,4,5,6,7,8,9]}`, `[[1,2,3,4],[5,6,7,8],[9]]`},
		{"an exact multiple gives equal chunks", `States.ArrayPartition($.a, 2)`, `{"a":[1,2,3,4]}`, `[[1,2],[3,4]]`},
		{"a chunk larger than the array gives one chunk", `States.ArrayPartition($.a, 5)`, `{"a":[1,2]}`, `[[1,2]]`},
		{"an empty array gives no chunks", `States.ArrayPartition($.a, 3)`, `{"a":[]}`, `[]`},
		{"a chunk size of zero fails", `States.ArrayPartition($.a, 0)`, `{"a":[1]}`, `error: greater than 0`},
		{"a negative chunk size fails", `States.ArrayPartition($.a, -1)`, `{"a":[1]}`, `error: greater than 0`},
		{"a fractional chunk size is truncated, as recorded on AWS", `States.ArrayPartition($.a, 2.6)`, `{"a":[1,2,3,4,5]}`, `[[1,2],[3,4],[5]]`},
		{"a chunk size of 1.5 is truncated to 1", `States.ArrayPartition($.a, 1.5)`, `{"a":[1,2,3]}`, `[[1],[2],[3]]`},
		{"a chunk size that truncates to zero fails", `States.ArrayPartition($.a, 0.6)`, `{"a":[1]}`, `error: greater than 0, got 0`},
		{"a negative fraction truncates to zero and fails", `States.ArrayPartition($.a, -0.4)`, `{"a":[1]}`, `error: greater than 0, got 0`},
		{"a string chunk size fails", `States.ArrayPartition($.a, '2')`, `{"a":[1]}`, `error: must be an integer, got string`},
		{"a non-array first argument fails", `States.ArrayPartition($.a, 2)`, `{"a":"abc"}`, `error: argument 1 must be an array, got string`},
	})
}

func TestArrayContains(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"a present number is found", `States.ArrayContains($.a, 2)`, `{"a":[1,2,3]}`, `true`},
		{"an absent number is not found", `States.ArrayContains($.a, 4)`, `{"a":[1,2,3]}`, `false`},
		{"an integer matches the same number written with a fraction", `States.ArrayContains($.a, 2.0)`, `{"a":[1,2,3]}`, `true`},
		{"an empty array contains nothing", `States.ArrayContains($.a, null)`, `{"a":[]}`, `false`},
		{"null is found among values", `States.ArrayContains($.a, null)`, `{"a":[1,null]}`, `true`},
		{"an array element is compared deeply", `States.ArrayContains($.a, $.v)`, `{"a":[[1,2,3],2],"v":[1,2,3]}`, `true`},
		{"an object element is compared deeply", `States.ArrayContains($.a, $.v)`, `{"a":[{"x":1,"y":[]}],"v":{"y":[],"x":1}}`, `true`},
		{"a string does not match a number", `States.ArrayContains($.a, '1')`, `{"a":[1]}`, `false`},
		{"booleans are matched", `States.ArrayContains($.a, false)`, `{"a":[true,false]}`, `true`},
		{"a non-array fails", `States.ArrayContains($.a, 1)`, `{"a":{"k":1}}`, `error: must be an array, got object`},
	})
}

func TestArrayRange(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example includes the last element", `States.ArrayRange(1, 9, 2)`, ``, `[1,3,5,7,9]`},
		{"a step that overshoots stops before the end", `States.ArrayRange(0, 10, 3)`, ``, `[0,3,6,9]`},
		{"a step larger than the range gives the first element", `States.ArrayRange(1, 9, 9)`, ``, `[1]`},
		{"equal ends give one element", `States.ArrayRange(4, 4, 1)`, ``, `[4]`},
		{"a negative step counts down", `States.ArrayRange(5, 1, -2)`, ``, `[5,3,1]`},
		{"a step pointing away from the end gives nothing", `States.ArrayRange(5, 1, 1)`, ``, `[]`},
		{"integral values written with a fraction are accepted", `States.ArrayRange(1.0, 3.0, 1.0)`, ``, `[1,2,3]`},
		{"arguments may come from paths", `States.ArrayRange($.a, $.b, $.c)`, `{"a":0,"b":4,"c":2}`, `[0,2,4]`},
		{"exactly 1000 elements are allowed", `States.ArrayLength(States.ArrayRange(1, 1000, 1))`, ``, `1000`},
		{"1001 elements fail", `States.ArrayRange(0, 1000, 1)`, ``, `error: 1001 elements; at most 1000`},
		{"a zero step fails", `States.ArrayRange(1, 5, 0)`, ``, `error: must not be 0`},
		{"fractional arguments are rounded half up", `States.ArrayRange(1.5, 5.4, 0.6)`, ``, `[2,3,4,5]`},
		{"a step that rounds to zero fails", `States.ArrayRange(1, 5, 0.4)`, ``, `error: must not be 0`},
		{"a string bound fails", `States.ArrayRange('1', 5, 1)`, ``, `error: argument 1 must be an integer, got string`},
	})
}

func TestArrayGetItem(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example reads a zero-based index", `States.ArrayGetItem($.inputArray, $.index)`, `{"inputArray":[1,2,3,4,5,6,7,8,9],"index":5}`, `6`},
		{"the first element is index zero", `States.ArrayGetItem($.a, 0)`, `{"a":["x","y"]}`, `"x"`},
		{"an object element is returned whole", `States.ArrayGetItem($.a, 1)`, `{"a":[1,{"k":[1]}]}`, `{"k":[1]}`},
		{"an index past the end fails", `States.ArrayGetItem($.a, 2)`, `{"a":[1,2]}`, `error: index 2 is out of bounds for an array of length 2`},
		{"a negative index fails", `States.ArrayGetItem($.a, -1)`, `{"a":[1,2]}`, `error: out of bounds`},
		{"a fractional index fails", `States.ArrayGetItem($.a, 0.5)`, `{"a":[1,2]}`, `error: must be an integer`},
		{"a non-array fails", `States.ArrayGetItem($.a, 0)`, `{"a":"xy"}`, `error: must be an array, got string`},
	})
}

func TestArrayLength(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example counts nine elements", `States.ArrayLength($.inputArray)`, `{"inputArray":[1,2,3,4,5,6,7,8,9]}`, `9`},
		{"an empty array has length zero", `States.ArrayLength($.a)`, `{"a":[]}`, `0`},
		{"a string is not an array", `States.ArrayLength($.a)`, `{"a":"abc"}`, `error: must be an array, got string`},
		{"null is not an array", `States.ArrayLength($.a)`, `{"a":null}`, `error: must be an array, got null`},
	})
}

func TestArrayUnique(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example keeps first occurrences in order", `States.ArrayUnique($.inputArray)`, `{"inputArray":[1,2,3,3,3,3,3,3,4]}`, `[1,2,3,4]`},
		{"every JSON type is deduplicated", `States.ArrayUnique($.a)`,
			`{"a":[null,null,true,true,false,false,1,1,1.1,0,-0,"HelloWorld","HelloWorld",[],[],[null],[null],{"a":1,"b":2},{"b":2,"a":1},{"a":1,"b":1}]}`,
			`[null,true,false,1,1.1,0,"HelloWorld",[],[null],{"a":1,"b":2},{"a":1,"b":1}]`},
		{"a string and a number that read alike are different", `States.ArrayUnique($.a)`, `{"a":["1",1]}`, `["1",1]`},
		{"an empty array stays empty", `States.ArrayUnique($.a)`, `{"a":[]}`, `[]`},
		{"a non-array fails", `States.ArrayUnique($.a)`, `{"a":1}`, `error: must be an array, got number`},
	})
}
