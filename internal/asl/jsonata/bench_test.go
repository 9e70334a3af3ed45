package jsonata

import "testing"

func benchStates() (map[string]any, map[string]any) {
	states := map[string]any{
		"input": map[string]any{
			"model":   "churn",
			"metrics": map[string]any{"auc": 0.91, "f1": 0.84},
			"items":   []any{1.0, 2.0, 3.0, 4.0, 5.0},
		},
		"context": map[string]any{"Execution": map[string]any{"Name": "run-42"}},
	}
	return states, map[string]any{"threshold": 0.9, "attempt": 2.0}
}

func BenchmarkJSONataEval(b *testing.B) {
	e := MustCompile(`{"model": $states.input.model, "pass": $states.input.metrics.auc >= $threshold, "job": $states.context.Execution.Name & "-" & $string($attempt)}`)
	states, vars := benchStates()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(states, vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONataEvalPath(b *testing.B) {
	e := MustCompile(`$states.input.metrics.auc`)
	states, vars := benchStates()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(states, vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONataEvalBindings(b *testing.B) {
	e := MustCompile(`$sum($states.input.items) > $threshold`)
	states, vars := benchStates()
	bind := NewBindings(states, vars, Sources{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.EvalBindings(bind); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONataEvalParallel(b *testing.B) {
	e := MustCompile(`$states.input.metrics.auc >= $threshold`)
	states, vars := benchStates()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Eval(states, vars); err != nil {
				b.Fatal(err)
			}
		}
	})
}
