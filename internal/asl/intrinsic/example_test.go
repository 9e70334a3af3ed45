package intrinsic_test

import (
	"fmt"

	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
)

func Example() {
	input := map[string]any{"name": "Arnav", "items": []any{1.0, 2.0, 3.0}}
	lookup := func(path string) (any, error) {
		switch path {
		case "$.name":
			return input["name"], nil
		case "$.items":
			return input["items"], nil
		}
		return nil, fmt.Errorf("the JSONPath %s could not be found in the input", path)
	}
	e, err := intrinsic.Parse(`States.Format('{} has {} items', $.name, States.ArrayLength($.items))`)
	if err != nil {
		panic(err)
	}
	v, err := e.Eval(lookup)
	fmt.Println(v, err)

	_, err = intrinsic.MustParse(`States.ArrayGetItem($.items, 5)`).Eval(lookup)
	fmt.Println(err.(*intrinsic.Error).ErrorName(), "-", err)
	// Output:
	// Arnav has 3 items <nil>
	// States.Runtime - States.ArrayGetItem: the index 5 is out of bounds for an array of length 3
}
