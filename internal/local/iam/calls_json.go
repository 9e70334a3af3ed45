package iam

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kiln-dev/kiln/internal/topology"
)

func itoa(i int) string { return strconv.Itoa(i) }

// jsonCalls returns the IAM calls of operation op of service svc ("states", "sagemaker",
// "events", "cloudwatch", "logs") with request members body: the action, and the resource
// ARNs the Service Authorization Reference lists for it, named from the request. An
// operation whose resources are not named here is authorized on "*".
func jsonCalls(env topology.Env, svc, op string, body map[string]any) []Call {
	action := svc + ":" + op
	var res []string
	switch svc {
	case "states":
		res = statesResources(op, body)
	case "sagemaker":
		res = sagemakerResources(env, op, body)
	case "events":
		res = eventsResources(env, op, body)
	case "cloudwatch":
		res = cloudwatchResources(env, op, body)
	}
	if len(res) == 0 {
		res = []string{"*"}
	}
	calls := make([]Call, len(res))
	for i, r := range res {
		calls[i] = Call{Action: action, Resource: r, Context: secure()}
		if ns := str(body, "Namespace"); svc == "cloudwatch" && ns != "" {
			calls[i].Context["cloudwatch:namespace"] = ns
		}
	}
	return calls
}

func str(body map[string]any, k string) string {
	s, _ := body[k].(string)
	return s
}

func statesResources(op string, body map[string]any) []string {
	for _, k := range []string{"executionArn", "stateMachineArn"} {
		if v := str(body, k); v != "" {
			return []string{v}
		}
	}
	return nil
}

// sagemakerARN returns a SageMaker resource ARN; SageMaker lower-cases names in ARNs.
func sagemakerARN(env topology.Env, kind, name string) string {
	return fmt.Sprintf("arn:%s:sagemaker:%s:%s:%s/%s", env.Partition, env.Region, env.Account, kind, strings.ToLower(name))
}

// sagemakerResources names the resources of the SageMaker operations kiln's code calls.
// CreateEndpoint and UpdateEndpoint are authorized on the endpoint and on the endpoint
// config, as the Service Authorization Reference lists both as required.
func sagemakerResources(env topology.Env, op string, body map[string]any) []string {
	arnOr := func(kind, v string) string {
		if strings.HasPrefix(v, "arn:") {
			return v
		}
		return sagemakerARN(env, kind, v)
	}
	var out []string
	add := func(kind, member string) {
		if v := str(body, member); v != "" {
			out = append(out, arnOr(kind, v))
		}
	}
	switch {
	case op == "CreateEndpoint" || op == "UpdateEndpoint":
		add("endpoint", "EndpointName")
		add("endpoint-config", "EndpointConfigName")
	case strings.HasSuffix(op, "EndpointConfig"):
		add("endpoint-config", "EndpointConfigName")
	case strings.HasSuffix(op, "Endpoint"):
		add("endpoint", "EndpointName")
	case strings.HasSuffix(op, "TrainingJob"):
		add("training-job", "TrainingJobName")
	case strings.HasSuffix(op, "ModelPackageGroup"):
		add("model-package-group", "ModelPackageGroupName")
	case op == "UpdateModelPackage":
		add("model-package", "ModelPackageArn")
	case strings.HasSuffix(op, "ModelPackage"):
		add("model-package", "ModelPackageName")
	case strings.HasSuffix(op, "Model"):
		add("model", "ModelName")
	case op == "AddTags" || op == "ListTags" || op == "DeleteTags":
		add("", "ResourceArn")
	}
	return out
}

func eventsResources(env topology.Env, op string, body map[string]any) []string {
	if op != "PutEvents" {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	entries, _ := body["Entries"].([]any)
	for _, e := range entries {
		m, _ := e.(map[string]any)
		bus := str(m, "EventBusName")
		if bus == "" {
			bus = "default"
		}
		if !strings.HasPrefix(bus, "arn:") {
			bus = fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", env.Partition, env.Region, env.Account, bus)
		}
		if !seen[bus] {
			seen[bus] = true
			out = append(out, bus)
		}
	}
	return out
}

func cloudwatchResources(env topology.Env, op string, body map[string]any) []string {
	if op != "DescribeAlarms" {
		return nil
	}
	names, _ := body["AlarmNames"].([]any)
	if len(names) == 0 {
		return []string{fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", env.Partition, env.Region, env.Account)}
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%v", env.Partition, env.Region, env.Account, n)
	}
	return out
}
