package stepfunctions

import (
	"context"
	"encoding/json"
	"maps"
)

// inspect returns TestState's inspectionData for run: the input, then the data after each
// step of the state's input and output processing. Steps the state does not run are taken
// by a Pass state of the same fields, on the same engine, so the paths evaluate exactly as in
// an execution.
func (s *Service) inspect(ctx context.Context, t *stateTest, run *testRun, input, vars json.RawMessage) (map[string]any, error) {
	st := t.state
	out := map[string]any{"input": string(input)}
	if lang, _ := st["QueryLanguage"].(string); lang == "JSONata" {
		if run.hasParams {
			out["afterArguments"] = jsonString(run.params)
		}
		if run.hasResult {
			out["result"] = jsonString(run.taskResult)
		}
		return withVariables(out, vars, run.assigned), nil
	}
	pass := func(fields map[string]any, in json.RawMessage) (json.RawMessage, error) {
		p := map[string]any{"Type": "Pass", "End": true}
		maps.Copy(p, fields)
		def, _ := json.Marshal(p)
		r, err := s.runStateTest(ctx, &stateTest{state: p, name: "Inspect", def: mustMachine(def)}, in, vars)
		if err != nil {
			return nil, err
		}
		return r.result.Output, nil
	}
	afterInput := input
	if ip, ok := st["InputPath"]; ok {
		v, err := pass(map[string]any{"InputPath": ip}, input)
		if err != nil {
			return nil, err
		}
		afterInput = v
	}
	out["afterInputPath"] = string(afterInput)
	afterParams := afterInput
	switch {
	case run.hasParams:
		afterParams = []byte(jsonString(run.params))
	case st["Parameters"] != nil:
		v, err := pass(map[string]any{"Parameters": st["Parameters"]}, afterInput)
		if err != nil {
			return nil, err
		}
		afterParams = v
	}
	out["afterParameters"] = string(afterParams)
	if st["Type"] != "Task" && st["Type"] != "Pass" {
		return withVariables(out, vars, run.assigned), nil
	}
	result := afterParams
	switch {
	case run.hasResult:
		result = []byte(jsonString(run.taskResult))
	case st["Result"] != nil:
		result = []byte(jsonString(st["Result"]))
	}
	out["result"] = string(result)
	afterSelector := result
	if sel, ok := st["ResultSelector"]; ok {
		v, err := pass(map[string]any{"Parameters": sel}, result)
		if err != nil {
			return nil, err
		}
		afterSelector = v
	}
	out["afterResultSelector"] = string(afterSelector)
	var sel any
	_ = json.Unmarshal(afterSelector, &sel)
	fields := map[string]any{"Result": sel}
	if rp, ok := st["ResultPath"]; ok {
		fields["ResultPath"] = rp
	}
	afterRP, err := pass(fields, input)
	if err != nil {
		return nil, err
	}
	out["afterResultPath"] = string(afterRP)
	return withVariables(out, vars, run.assigned), nil
}

// mustMachine wraps one state definition (named Inspect) into a machine definition.
func mustMachine(state []byte) []byte {
	return []byte(`{"StartAt":"Inspect","States":{"Inspect":` + string(state) + `}}`)
}

// withVariables adds the variables after the state (the given ones and those it assigned).
func withVariables(out map[string]any, vars json.RawMessage, assigned map[string]any) map[string]any {
	all := map[string]any{}
	_ = json.Unmarshal(vars, &all)
	maps.Copy(all, assigned)
	if len(all) > 0 {
		out["variables"] = jsonString(all)
	}
	return out
}
