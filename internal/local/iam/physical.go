package iam

import (
	"fmt"
	"strings"
)

// physical returns what Ref (attr "Ref") or Fn::GetAtt (attr "Arn", ...) of a template
// resource gives on AWS, with the local stack's account, region and partition. Names come
// from the resource's own name property (kiln's infra names every resource it grants on).
func (r resolver) physical(id string, res Resource, attr string) (any, error) {
	name := func(prop string) (string, error) {
		v, ok := res.Properties[prop]
		if !ok {
			return id, nil // CloudFormation would generate one; the logical id stands in
		}
		rv, err := r.resolve(v)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(rv), nil
	}
	shapes := r.shapes(res)
	sh, ok := shapes[res.Type]
	if !ok {
		return nil, fmt.Errorf("resolve %s of %s: resources of type %s are not resolved", attr, id, res.Type)
	}
	n, err := name(sh.prop)
	if err != nil {
		return nil, err
	}
	switch {
	case attr == "Ref" && sh.refIsARN, attr == "Arn", attr == "TopicArn":
		return sh.arn(n), nil
	case attr == "Ref" && sh.ref != nil:
		return sh.ref(n), nil
	case attr == "Ref", attr == "Name":
		return n, nil
	}
	return nil, fmt.Errorf("resolve Fn::GetAtt %s.%s: attribute not supported", id, attr)
}

// ruleARN returns a rule's ARN builder: rule/<name> on the default bus, rule/<bus>/<name>
// on a custom one.
func (r resolver) ruleARN(res Resource, arn func(service, rest string) string) func(string) string {
	return func(n string) string {
		bus := "default"
		if v, ok := res.Properties["EventBusName"]; ok {
			if rv, err := r.resolve(v); err == nil {
				bus = fmt.Sprint(rv)
			}
		}
		if bus == "default" || bus == "" {
			return arn("events", "rule/"+n)
		}
		return arn("events", "rule/"+bus+"/"+n)
	}
}

// shape says how a resource type names itself: its name property, its ARN, and what Ref gives.
type shape struct {
	prop     string
	ref      func(n string) string // nil: Ref gives the name (or the ARN when refIsARN)
	arn      func(n string) string
	refIsARN bool
}

// shapes returns the shape of each resource type kiln's templates grant on; res is the
// resource being resolved (a rule's ARN depends on its bus).
func (r resolver) shapes(res Resource) map[string]shape {
	e := r.env
	arn := func(service, rest string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.Partition, service, e.Region, e.Account, rest)
	}
	return map[string]shape{
		"AWS::IAM::Role": {prop: "RoleName", arn: func(n string) string {
			return fmt.Sprintf("arn:%s:iam::%s:role/%s", e.Partition, e.Account, n)
		}},
		"AWS::Lambda::Function": {prop: "FunctionName", arn: func(n string) string { return arn("lambda", "function:"+n) }},
		"AWS::S3::Bucket":       {prop: "BucketName", arn: func(n string) string { return fmt.Sprintf("arn:%s:s3:::%s", e.Partition, n) }},
		"AWS::SNS::Topic":       {prop: "TopicName", arn: func(n string) string { return arn("sns", n) }, refIsARN: true},
		"AWS::SQS::Queue": {prop: "QueueName", arn: func(n string) string { return arn("sqs", n) },
			ref: func(n string) string {
				return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", e.Region, e.Account, n)
			}},
		"AWS::StepFunctions::StateMachine": {prop: "StateMachineName", arn: func(n string) string { return arn("states", "stateMachine:"+n) }, refIsARN: true},
		"AWS::Events::EventBus":            {prop: "Name", arn: func(n string) string { return arn("events", "event-bus/"+n) }},
		"AWS::Events::Rule":                {prop: "Name", arn: r.ruleARN(res, arn)},
		"AWS::Logs::LogGroup":              {prop: "LogGroupName", arn: func(n string) string { return arn("logs", "log-group:"+n+":*") }},
		"AWS::KMS::Key":                    {prop: "-", arn: func(n string) string { return arn("kms", "key/"+n) }},
		"AWS::SecretsManager::Secret":      {prop: "Name", arn: func(n string) string { return arn("secretsmanager", "secret:"+n) }, refIsARN: true},
		"AWS::CloudWatch::Alarm":           {prop: "AlarmName", arn: func(n string) string { return arn("cloudwatch", "alarm:"+n) }},
		"AWS::SageMaker::ModelPackageGroup": {prop: "ModelPackageGroupName", arn: func(n string) string {
			return arn("sagemaker", "model-package-group/"+strings.ToLower(n))
		}},
		"AWS::Scheduler::Schedule": {prop: "Name", arn: func(n string) string { return arn("scheduler", "schedule/default/"+n) }},
	}
}
