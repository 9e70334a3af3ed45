package stepfunctions

import (
	"context"
	"encoding/json"
	"maps"
)

// inspector evaluates one step of a state's data flow by running a Pass state with the same
// fields on the same engine, so paths evaluate exactly as in an execution.
type inspector struct {
	s    *Service
	ctx  context.Context
	vars json.RawMessage
}

// pass runs a Pass state with fields on in and returns its output.
func (ins inspector) pass(fields map[string]any, in json.RawMessage) (json.RawMessage, error) {
	p := map[string]any{"Type": "Pass", "End": true}
	maps.Copy(p, fields)
	def, _ := json.Marshal(p)
	r, err := ins.s.runStateTest(ins.ctx, &stateTest{state: p, name: "Inspect", def: mustMachine(def)}, in, ins.vars)
	if err != nil {
		return nil, err
	}
	return r.result.Output, nil
}

// inspect returns TestState's inspectionData for run: the input, then the data after each
// step of the state's input and output processing.
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
	ins := inspector{s: s, ctx: ctx, vars: vars}
	afterParams, err := ins.inputSteps(st, run, input, out)
	if err != nil {
		return nil, err
	}
	if st["Type"] == "Task" || st["Type"] == "Pass" {
		if err := ins.outputSteps(st, run, input, afterParams, out); err != nil {
			return nil, err
		}
	}
	return withVariables(out, vars, run.assigned), nil
}

// inputSteps adds afterInputPath and afterParameters to out and returns the latter.
func (ins inspector) inputSteps(st map[string]any, run *testRun, input json.RawMessage, out map[string]any) (json.RawMessage, error) {
	afterInput := input
	if ip, ok := st["InputPath"]; ok {
		v, err := ins.pass(map[string]any{"InputPath": ip}, input)
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
		v, err := ins.pass(map[string]any{"Parameters": st["Parameters"]}, afterInput)
		if err != nil {
			return nil, err
		}
		afterParams = v
	}
	out["afterParameters"] = string(afterParams)
	return afterParams, nil
}

// outputSteps adds result, afterResultSelector and afterResultPath to out.
func (ins inspector) outputSteps(st map[string]any, run *testRun, input, afterParams json.RawMessage, out map[string]any) error {
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
		v, err := ins.pass(map[string]any{"Parameters": sel}, result)
		if err != nil {
			return err
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
	afterRP, err := ins.pass(fields, input)
	if err != nil {
		return err
	}
	out["afterResultPath"] = string(afterRP)
	return nil
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
