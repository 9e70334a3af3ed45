package intrinsic

import "testing"

func BenchmarkFormat(b *testing.B) {
	e := MustParse(`States.Format('arn:aws:sagemaker:{}:{}:training-job/{}-{}', $.region, $.account, $$.Execution.Name, $.attempt)`)
	values := map[string]any{"$.region": "eu-west-1", "$.account": "123456789012", "$$.Execution.Name": "run-42", "$.attempt": 3.0}
	lookup := func(p string) (any, error) { return values[p], nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(lookup); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	const s = `States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNestedEval(b *testing.B) {
	e := MustParse(`States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))`)
	lookup := func(string) (any, error) {
		return "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my.recipe/1.0.0", nil
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(lookup); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJsonToString(b *testing.B) {
	e := MustParse(`States.JsonToString($.job)`)
	job := map[string]any{
		"TrainingJobName": "run-42", "Status": "Completed", "Metrics": []any{0.9134, 1.5e-7, 42.0},
		"Hyper": map[string]any{"eta": 0.2, "depth": 6.0, "objective": "binary:logistic", "tags": []any{"a<b", "c\td"}},
	}
	lookup := func(string) (any, error) { return job, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(lookup); err != nil {
			b.Fatal(err)
		}
	}
}
