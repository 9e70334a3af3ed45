package stepfunctions

import (
	"context"
	"strconv"
)

// operation is one API operation beyond the execution core of api.go: the members it reads
// (checked by checkRequest before it runs) and its handler.
type operation struct {
	members map[string]member
	serve   func(s *Service, ctx context.Context, in map[string]any) (any, error)
}

// The request members shared by several operations.
var (
	arnMember     = member{kind: "string", arn: "stateMachine", required: true}
	pageMembers   = map[string]member{"maxResults": {kind: "integer", min: 0, max: 1000}, "nextToken": {kind: "string", maxLen: 1024}}
	definitionMax = 1048576
)

// withPage returns members plus maxResults and nextToken.
func withPage(members map[string]member) map[string]member {
	out := map[string]member{}
	for k, v := range pageMembers {
		out[k] = v
	}
	for k, v := range members {
		out[k] = v
	}
	return out
}

// operations lists the state machine, version, alias, validation, test and redrive operations.
var operations = map[string]operation{
	"CreateStateMachine": {map[string]member{
		"name": {kind: "string", required: true}, "definition": {kind: "string", required: true, maxLen: definitionMax},
		"roleArn": {kind: "string", required: true, maxLen: 256}, "type": {kind: "string"},
		"loggingConfiguration": {kind: "object"}, "tracingConfiguration": {kind: "object"}, "tags": {kind: "array"},
		"publish": {kind: "boolean"}, "versionDescription": {kind: "string", maxLen: 256},
		"encryptionConfiguration": {kind: "object"},
	}, (*Service).createStateMachine},
	"UpdateStateMachine": {map[string]member{
		"stateMachineArn": arnMember, "definition": {kind: "string", maxLen: definitionMax}, "roleArn": {kind: "string", maxLen: 256},
		"loggingConfiguration": {kind: "object"}, "tracingConfiguration": {kind: "object"},
		"publish": {kind: "boolean"}, "versionDescription": {kind: "string", maxLen: 256},
		"encryptionConfiguration": {kind: "object"},
	}, (*Service).updateStateMachine},
	"DeleteStateMachine":   {map[string]member{"stateMachineArn": arnMember}, (*Service).deleteStateMachine},
	"DescribeStateMachine": {map[string]member{"stateMachineArn": arnMember, "includedData": {kind: "string"}}, (*Service).describeStateMachineOp},
	"ListStateMachines":    {pageMembers, (*Service).listStateMachines},
	"ValidateStateMachineDefinition": {map[string]member{
		"definition": {kind: "string", required: true, maxLen: definitionMax}, "type": {kind: "string"},
		"severity": {kind: "string"}, "maxResults": {kind: "integer", min: 0, max: 100},
	}, (*Service).validateDefinition},
	"StartSyncExecution": {map[string]member{
		"stateMachineArn": arnMember, "name": {kind: "string"}, "input": {kind: "string", maxLen: MaxPayload},
		"traceHeader": {kind: "string", maxLen: 256}, "includedData": {kind: "string"},
	}, (*Service).startSyncExecution},
	"PublishStateMachineVersion": {map[string]member{
		"stateMachineArn": arnMember, "revisionId": {kind: "string"}, "description": {kind: "string", maxLen: 256},
	}, (*Service).publishVersion},
	"ListStateMachineVersions":  {withPage(map[string]member{"stateMachineArn": arnMember}), (*Service).listVersions},
	"DeleteStateMachineVersion": {map[string]member{"stateMachineVersionArn": arnMember}, (*Service).deleteVersion},
	"CreateStateMachineAlias": {map[string]member{
		"name": {kind: "string", required: true, maxLen: 80}, "description": {kind: "string", maxLen: 256},
		"routingConfiguration": {kind: "array", required: true},
	}, (*Service).createAlias},
	"DescribeStateMachineAlias": {map[string]member{"stateMachineAliasArn": arnMember}, (*Service).describeAlias},
	"UpdateStateMachineAlias": {map[string]member{
		"stateMachineAliasArn": arnMember, "description": {kind: "string", maxLen: 256}, "routingConfiguration": {kind: "array"},
	}, (*Service).updateAlias},
	"DeleteStateMachineAlias": {map[string]member{"stateMachineAliasArn": arnMember}, (*Service).deleteAlias},
	"ListStateMachineAliases": {withPage(map[string]member{"stateMachineArn": arnMember}), (*Service).listAliases},
	"RedriveExecution": {map[string]member{
		"executionArn": {kind: "string", arn: "execution", required: true}, "clientToken": {kind: "string", maxLen: 256},
	}, (*Service).redriveExecution},
	"TestState": {map[string]member{
		"definition": {kind: "string", required: true, maxLen: definitionMax}, "roleArn": {kind: "string", maxLen: 256},
		"input": {kind: "string", maxLen: MaxPayload}, "inspectionLevel": {kind: "string"}, "revealSecrets": {kind: "boolean"},
		"variables": {kind: "string", maxLen: MaxPayload},
	}, (*Service).testState},
}

// serveMore answers an operation of the operations table, or UnknownOperationException.
func (s *Service) serveMore(ctx context.Context, op string, in map[string]any) (any, error) {
	o, ok := operations[op]
	if !ok {
		return nil, &APIError{Code: "UnknownOperationException", Message: "the operation " + op + " is not implemented by the kiln local Step Functions"}
	}
	return o.serve(s, ctx, in)
}

// str returns the string member k of in ("" when absent).
func str(in map[string]any, k string) string { v, _ := in[k].(string); return v }

// paginate returns the page of items that in's nextToken and maxResults select, and the
// token of the next page ("" on the last).
func paginate[T any](in map[string]any, items []T) ([]T, string, error) {
	start, size, err := page(in)
	if err != nil {
		return nil, "", err
	}
	if start > len(items) {
		return nil, "", apiErr("InvalidToken", "Invalid Token: '%d' is past the end of the list", start)
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// withToken sets out's nextToken when next is not empty, and returns out.
func withToken(out map[string]any, next string) map[string]any {
	if next != "" {
		out["nextToken"] = next
	}
	return out
}
