package jsonata

import (
	"errors"
	"reflect"
	"sync"
	"testing"
)

// Tests of the changes kiln carries in this fork (see CHANGES.md).

func TestApplicationDoesNotGrowTheTree(t *testing.T) {
	e := MustCompile(`"a" ~> $substring(0, 1)`)
	for i := 0; i < 3; i++ {
		got, err := e.Eval(nil)
		if err != nil || got != "a" {
			t.Fatalf("evaluation %d: got %v, %v; want a", i+1, got, err)
		}
	}
}

func TestAPathEndingInAnEmptyArrayIsThatArray(t *testing.T) {
	cases := []struct {
		name, expr string
		want       interface{}
	}{
		{"a path to an empty array gives the empty array", `xs`, []interface{}{}},
		{"a variable path to an empty array gives the empty array", `$.xs`, []interface{}{}},
		{"a step past an empty array is undefined", `xs.a`, nil},
		{"a filter matching nothing is undefined", `ys[$ > 5]`, nil},
	}
	data := map[string]interface{}{"xs": []interface{}{}, "ys": []interface{}{1.0, 2.0}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := MustCompile(c.expr).Eval(data)
			if c.want == nil {
				if !errors.Is(err, ErrUndefined) {
					t.Fatalf("got %v, %v; want undefined", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %#v, %v; want %#v", got, err, c.want)
			}
		})
	}
}

func TestEvalWithOptionsBindsForOneEvaluationOnly(t *testing.T) {
	e := MustCompile(`$x & $uppercase("b")`)
	got, err := e.EvalWithOptions(nil, EvalOptions{Bindings: map[string]reflect.Value{"x": reflect.ValueOf("a")}})
	if err != nil || got != "aB" {
		t.Fatalf("got %v, %v; want aB", got, err)
	}
	got, err = e.EvalWithOptions(nil, EvalOptions{})
	if err != nil || got != "B" {
		t.Fatalf("without bindings: got %v, %v; want B", got, err)
	}
}

func TestRunawayRecursionStopsAtMaxDepth(t *testing.T) {
	e := MustCompile(`($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(50))`)
	got, err := e.EvalWithOptions(nil, EvalOptions{MaxDepth: 100})
	if err != nil || got != 50.0 {
		t.Fatalf("within the limit: got %v, %v; want 50", got, err)
	}
	_, err = e.EvalWithOptions(nil, EvalOptions{MaxDepth: 10})
	var de *DepthError
	if !errors.As(err, &de) || de.Max != 10 {
		t.Fatalf("past the limit: got %v; want a *DepthError with Max 10", err)
	}
}

func TestOneExprEvaluatesConcurrently(t *testing.T) {
	e := MustCompile(`$substring($.s, 1) & ($.s ~> $uppercase())`)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				got, err := e.Eval(map[string]interface{}{"s": "abc"})
				if err != nil || got != "bcABC" {
					t.Errorf("got %v, %v; want bcABC", got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
