package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// KilnStackProps configures one stage's stack.
type KilnStackProps struct {
	awscdk.StackProps
	// Stage is the policy stage the stack serves (dev, staging, prod).
	Stage string
	// Policy is the release policy; the Lambdas receive the same document.
	Policy *policy.Policy
	// BuildDir holds <function>/bootstrap for every function (make build).
	BuildDir string
}

// kiln holds the constructs the parts of the stack share while it is built.
type kiln struct {
	stack     awscdk.Stack
	props     *KilnStackProps
	env       topology.Env
	key       awskms.Key
	bucket    awss3.Bucket
	topic     awssns.Topic
	dlq       awssqs.Queue
	functions map[topology.FunctionName]awslambda.Function
	machines  map[string]awsstepfunctions.StateMachine
	smRole    awsiam.Role
	// policyObject is the policy as an S3 file asset (policy_object.go).
	policyObject awss3assets.Asset
}

// NewKilnStack builds the whole control plane of one stage: storage, functions, workflows,
// events, schedules, SageMaker resources, alarms and a dashboard, all from the topology table.
func NewKilnStack(scope constructs.Construct, id string, props *KilnStackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	k := &kiln{
		stack:     stack,
		props:     props,
		functions: map[topology.FunctionName]awslambda.Function{},
		machines:  map[string]awsstepfunctions.StateMachine{},
		env: topology.Env{
			Stage:     props.Stage,
			Account:   *awscdk.Aws_ACCOUNT_ID(),
			Region:    *awscdk.Aws_REGION(),
			Partition: *awscdk.Aws_PARTITION(),
		},
	}
	awscdk.Tags_Of(stack).Add(jsii.String("kiln:stage"), jsii.String(props.Stage), nil)
	k.storage()
	k.writePolicyObject()
	k.sagemaker()
	k.lambdas()
	k.workflows()
	k.eventRules()
	k.schedules()
	k.alarms()
	k.dashboard()
	k.outputs()
	return stack
}

// name returns kiln-<stage>-<short>.
func (k *kiln) name(short string) *string {
	return jsii.String(topology.ResourceName(k.props.Stage, short))
}

// outputs exports what a user needs after a deploy.
func (k *kiln) outputs() {
	awscdk.NewCfnOutput(k.stack, jsii.String("BusName"), &awscdk.CfnOutputProps{
		Value: jsii.String(topology.BusName(k.props.Stage)), Description: jsii.String("the kiln event bus"),
	})
	for _, w := range topology.Workflows {
		awscdk.NewCfnOutput(k.stack, jsii.String(pascal(w.Name)+"StateMachineArn"), &awscdk.CfnOutputProps{
			Value: k.machines[w.Name].StateMachineArn(), Description: jsii.String("the " + w.Name + " workflow"),
		})
	}
	awscdk.NewCfnOutput(k.stack, jsii.String("ArtifactsBucketName"), &awscdk.CfnOutputProps{Value: k.bucket.BucketName()})
	awscdk.NewCfnOutput(k.stack, jsii.String("NotificationTopicArn"), &awscdk.CfnOutputProps{Value: k.topic.TopicArn()})
}
