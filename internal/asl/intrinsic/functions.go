package intrinsic

import "strconv"

// function describes one intrinsic: its argument count and its implementation, which gets
// the evaluated arguments.
type function struct {
	minArgs, maxArgs int // maxArgs < 0: no limit
	fn               func(src Sources, c *Call, args []any) (any, error)
}

func (f function) arity() string {
	switch {
	case f.maxArgs < 0:
		return "at least " + plural(f.minArgs)
	case f.minArgs == f.maxArgs:
		return plural(f.minArgs)
	default:
		return strconv.Itoa(f.minArgs) + " to " + plural(f.maxArgs)
	}
}

func plural(n int) string {
	if n == 1 {
		return "1 argument"
	}
	return strconv.Itoa(n) + " arguments"
}

// functions is every intrinsic AWS documents; init fills it to avoid an initialisation cycle
// (the implementations reach the table through evaluator.call).
var functions map[string]function

func init() {
	functions = map[string]function{
		"States.Format":         {1, -1, format},
		"States.StringToJson":   {1, 1, stringToJSON},
		"States.JsonToString":   {1, 1, jsonToString},
		"States.Array":          {0, -1, array},
		"States.ArrayPartition": {2, 2, arrayPartition},
		"States.ArrayContains":  {2, 2, arrayContains},
		"States.ArrayRange":     {3, 3, arrayRange},
		"States.ArrayGetItem":   {2, 2, arrayGetItem},
		"States.ArrayLength":    {1, 1, arrayLength},
		"States.ArrayUnique":    {1, 1, arrayUnique},
		"States.Base64Encode":   {1, 1, base64Encode},
		"States.Base64Decode":   {1, 1, base64Decode},
		"States.Hash":           {2, 2, hashFunc},
		"States.JsonMerge":      {3, 3, jsonMerge},
		"States.MathRandom":     {2, 3, mathRandom},
		"States.MathAdd":        {2, 2, mathAdd},
		"States.StringSplit":    {2, 2, stringSplit},
		"States.UUID":           {0, 0, uuidFunc},
	}
}
