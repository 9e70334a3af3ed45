package jsonata_test

import (
	"errors"
	"fmt"

	"github.com/kiln-dev/kiln/internal/asl/jsonata"
)

func Example() {
	field := "{% $states.input.metrics.auc >= $threshold %}"
	expr, ok := jsonata.Template(field)
	if !ok {
		panic("not a template")
	}
	e, err := jsonata.Compile(expr)
	if err != nil {
		panic(err)
	}
	states := map[string]any{"input": map[string]any{"metrics": map[string]any{"auc": 0.93}}}
	v, err := e.Eval(states, map[string]any{"threshold": 0.9})
	fmt.Println(v, err)

	_, err = jsonata.MustCompile("$states.input.missing").Eval(states, nil)
	var je *jsonata.Error
	if errors.As(err, &je) && errors.Is(err, jsonata.ErrUndefined) {
		fmt.Println(je.ErrorName(), "-", je.Cause("Output"))
	}
	// Output:
	// true <nil>
	// States.QueryEvaluationError - The JSONata expression '$states.input.missing' specified for the field 'Output' returned nothing (undefined).
}
