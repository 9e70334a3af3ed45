package main

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// suppressions accumulates, per CloudFormation resource path, the cfn-guard rules that do not
// apply to it and why, so several calls on one resource add up.
var suppressions = map[string]map[string]string{}

// suppress records in the template that cfn-guard's rules do not apply to c (an L1 resource or
// an L2 construct whose default child is one) and why. cfn-guard skips the rules listed in
// Metadata.guard.SuppressedRules; the reasons stay beside them in Metadata.guard.Reasons, so
// every suppression is reviewed in code and visible in the template.
func suppress(c constructs.IConstruct, reason string, rules ...string) {
	res, ok := c.(awscdk.CfnResource)
	if !ok {
		res, ok = c.Node().DefaultChild().(awscdk.CfnResource)
	}
	if !ok {
		panic("suppress: " + *c.Node().Path() + " has no CloudFormation resource")
	}
	path := *res.Node().Path()
	if suppressions[path] == nil {
		suppressions[path] = map[string]string{}
	}
	for _, r := range rules {
		suppressions[path][r] = reason
	}
	names := make([]string, 0, len(suppressions[path]))
	for r := range suppressions[path] {
		names = append(names, r)
	}
	sort.Strings(names)
	res.AddMetadata(jsii.String("guard"), map[string]any{
		"SuppressedRules": names,
		"Reasons":         suppressions[path],
	})
}
