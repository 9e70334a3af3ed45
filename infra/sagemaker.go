package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssagemaker"
	"github.com/aws/jsii-runtime-go"

	"github.com/kiln-dev/kiln/internal/topology"
)

// sagemaker creates the role training jobs and models run as, and a model package group per model.
func (k *kiln) sagemaker() {
	k.smRole = awsiam.NewRole(k.stack, jsii.String("SageMakerRole"), &awsiam.RoleProps{
		RoleName:    k.name("sagemaker"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("sagemaker.amazonaws.com"), nil),
		Description: jsii.String("kiln: what SageMaker training jobs and endpoints may touch"),
	})
	bucket := *k.bucket.BucketArn()
	k.smRole.AddToPolicy(statement([]string{"s3:GetObject"}, []string{bucket + "/data/*", bucket + "/training/*"}))
	k.smRole.AddToPolicy(statement([]string{"s3:ListBucket"}, []string{bucket}))
	k.smRole.AddToPolicy(statement([]string{"s3:PutObject"}, []string{bucket + "/training/*", bucket + "/datacapture/*"}))
	k.smRole.AddToPolicy(statement([]string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{*k.key.KeyArn()}))
	k.smRole.AddToPolicy(statement([]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
		[]string{fmt.Sprintf("arn:%s:logs:%s:%s:log-group:/aws/sagemaker/*", k.env.Partition, k.env.Region, k.env.Account)}))
	// Pulling the stage's images: ECR's GetAuthorizationToken is account-wide (it supports no
	// resource-level permission); the pull actions go on exactly the repositories the stage's
	// images name, another account's included (that account's repository policy must also
	// allow this role: docs/aws.md). "Give SageMaker AI access to ECR images":
	// https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html
	k.smRole.AddToPolicy(statement([]string{"ecr:GetAuthorizationToken"}, []string{"*"}))
	k.smRole.AddToPolicy(statement([]string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"},
		k.ecrRepositoryARNs()))
	// SageMaker publishes endpoint and job metrics under its own namespaces; no resource-level permission exists.
	st := statement([]string{"cloudwatch:PutMetricData"}, []string{"*"})
	st.AddCondition(jsii.String("StringLike"), map[string]any{"cloudwatch:namespace": []string{"aws/sagemaker/*", "/aws/sagemaker/*"}})
	k.smRole.AddToPolicy(st)

	// Deployment guardrails read the auto-rollback alarms as the endpoint's execution role:
	// "Ensure that your IAM execution role has permission to perform the
	// cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify"
	// (https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html).
	k.smRole.AddToPolicy(statement([]string{"cloudwatch:DescribeAlarms"}, k.rollbackAlarmARNs()))

	for _, m := range k.props.Policy.Models {
		awssagemaker.NewCfnModelPackageGroup(k.stack, jsii.String(pascal(m.Name)+"PackageGroup"), &awssagemaker.CfnModelPackageGroupProps{
			ModelPackageGroupName:        jsii.String(topology.PackageGroup(k.props.Stage, m.Name)),
			ModelPackageGroupDescription: jsii.String("kiln " + k.props.Stage + ": versions of " + m.Name),
		})
	}
}

// rollbackAlarmARNs returns the ARNs of every model's auto-rollback alarms in the stage.
func (k *kiln) rollbackAlarmARNs() []string {
	var out []string
	for _, m := range k.props.Policy.Models {
		for _, name := range topology.RollbackAlarmNames(k.props.Stage, m.Name) {
			out = append(out, k.alarmARN(name))
		}
	}
	return out
}

// alarmARN returns the ARN of the CloudWatch alarm name (a trailing * makes it a pattern).
func (k *kiln) alarmARN(name string) string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", k.env.Partition, k.env.Region, k.env.Account, name)
}

// packageGroupARNs returns the ARNs of the stage's model package groups.
func (k *kiln) packageGroupARNs() []string {
	var out []string
	for _, m := range k.props.Policy.Models {
		out = append(out, k.sagemakerARN("model-package-group", topology.PackageGroup(k.props.Stage, m.Name)))
	}
	return out
}

// modelPackageARNs returns ARN patterns covering every version in the stage's groups.
func (k *kiln) modelPackageARNs() []string {
	var out []string
	for _, m := range k.props.Policy.Models {
		out = append(out, k.sagemakerARN("model-package", topology.PackageGroup(k.props.Stage, m.Name)+"/*"))
	}
	return out
}

// perModel returns a SageMaker ARN of kind for each model's names, "<model>-<stage>-*": the
// governor names every execution, and so every job, model and config, that way.
func (k *kiln) perModel(kind string) []string {
	var out []string
	for _, m := range k.props.Policy.Models {
		out = append(out, k.sagemakerARN(kind, m.Name+"-"+k.props.Stage+"-*"))
	}
	return out
}

// endpointARNs returns the ARNs of the stage's endpoints.
func (k *kiln) endpointARNs() []string {
	var out []string
	for _, m := range k.props.Policy.Models {
		out = append(out, k.sagemakerARN("endpoint", topology.EndpointName(k.props.Stage, m.Name)))
	}
	return out
}

func (k *kiln) sagemakerARN(kind, name string) string {
	return fmt.Sprintf("arn:%s:sagemaker:%s:%s:%s/%s", k.env.Partition, k.env.Region, k.env.Account, kind, name)
}
