package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln-dev/kiln/internal/arn"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/kiln-dev/kiln/internal/topology"
)

// lambdas creates every function of the topology with its own least-privilege role, JSON logs
// with a retention, X-Ray tracing, an on-failure destination for asynchronous invocations,
// and the environment its handler reads.
func (k *kiln) lambdas() {
	secret := awssecretsmanager.NewSecret(k.stack, jsii.String("WebhookSecret"), &awssecretsmanager.SecretProps{
		SecretName:    k.name("webhook-secret"),
		Description:   jsii.String("the GitHub webhook secret: paste it into the repository's webhook settings"),
		EncryptionKey: k.key,
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength:     jsii.Number(48),
			ExcludePunctuation: jsii.Bool(true),
		},
	})

	res := k.resources()
	res.PolicyObject, res.WebhookSecretARN = *k.policyObject.S3ObjectUrl(), *secret.SecretArn()
	for _, f := range topology.Functions {
		role := awsiam.NewRole(k.stack, jsii.String(pascal(string(f.Name))+"Role"), &awsiam.RoleProps{
			RoleName:    k.name(string(f.Name) + "-fn"),
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
			Description: jsii.String("kiln " + string(f.Name) + ": " + f.Summary),
		})
		logs := awslogs.NewLogGroup(k.stack, jsii.String(pascal(string(f.Name))+"Logs"), &awslogs.LogGroupProps{
			LogGroupName:  jsii.String("/aws/lambda/" + topology.ResourceName(k.props.Stage, string(f.Name))),
			Retention:     awslogs.RetentionDays_ONE_YEAR,
			EncryptionKey: k.key,
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		})
		fnEnv := map[string]*string{}
		for name, value := range res.EnvironmentOf(k.env, f.Name) {
			fnEnv[name] = jsii.String(value)
		}
		fn := awslambda.NewFunction(k.stack, jsii.String(pascal(string(f.Name))+"Function"), &awslambda.FunctionProps{
			FunctionName:  k.name(string(f.Name)),
			Description:   jsii.String(f.Summary),
			Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
			Architecture:  awslambda.Architecture_ARM_64(),
			Handler:       jsii.String("bootstrap"),
			Code:          awslambda.Code_FromAsset(jsii.String(filepath.Join(k.props.BuildDir, string(f.Name))), nil),
			Environment:   &fnEnv,
			Timeout:       awscdk.Duration_Seconds(jsii.Number(float64(f.TimeoutSeconds))),
			MemorySize:    jsii.Number(topology.FunctionMemoryMB),
			Role:          role,
			Tracing:       awslambda.Tracing_ACTIVE,
			LoggingFormat: awslambda.LoggingFormat_JSON,
			LogGroup:      logs,
			OnFailure:     awslambdadestinations.NewSqsDestination(k.dlq),
			RetryAttempts: jsii.Number(2),
		})
		suppress(fn, "kiln's functions call only AWS APIs; a VPC would add NAT cost and cold-start latency without a private resource to reach", "lambda_inside_vpc_check")
		// The runtime writes only to its own log group, created above.
		role.AddToPolicy(statement([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, []string{*logs.LogGroupArn()}))
		k.grant(f.Name, role, secret.SecretArn())
		if slices.Contains(f.Env, topology.EnvPolicyObject) {
			k.grantPolicyObject(role)
		}
		if f.URL {
			// GitHub cannot sign requests with SigV4: the function authenticates each delivery by
			// its X-Hub-Signature-256 HMAC instead, and rejects anything unsigned with 401.
			url := fn.AddFunctionUrl(&awslambda.FunctionUrlOptions{AuthType: awslambda.FunctionUrlAuthType_NONE})
			const why = "GitHub webhooks cannot sign with SigV4; every request is authenticated in the function by its HMAC-SHA256 signature"
			suppress(url, why, "lambda_function_url_auth_check")
			for _, c := range *fn.Node().Children() {
				if p, ok := c.(awslambda.CfnPermission); ok {
					suppress(p, why, "lambda_function_public_access_prohibited_check")
				}
			}
			awscdk.NewCfnOutput(k.stack, jsii.String("WebhookUrl"), &awscdk.CfnOutputProps{
				Value:       url.Url(),
				Description: jsii.String("the GitHub webhook's payload URL (content type application/json)"),
			})
		}
		k.functions[f.Name] = fn
	}
}

// access is what the grants of [functionGrants] are built from: the stage's ARNs.
type access struct {
	k                  *kiln
	bucket             string
	secretARN          string
	pipelineExecutions string
	packages           []string
}

// obj returns the ARN pattern of the artifacts bucket's objects under prefix.
func (a access) obj(prefix string) string { return a.bucket + "/" + prefix + "*" }

// listUnder lets a handler that reads keys which may be missing list those prefixes: S3
// answers a GetObject of a missing key with 404 NoSuchKey only to a caller that has
// s3:ListBucket, and with 403 AccessDenied to any other
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, Permissions).
func (a access) listUnder(prefixes ...string) awsiam.PolicyStatement {
	st := statement([]string{"s3:ListBucket"}, []string{a.bucket})
	var like []string
	for _, p := range prefixes {
		like = append(like, p+"*")
	}
	st.AddCondition(jsii.String("StringLike"), map[string]any{"s3:prefix": like})
	return st
}

// functionGrants are the statements each function's role holds besides its logs and the
// key: exactly what its handler calls, in the order they are added.
var functionGrants = map[topology.FunctionName]func(a access) []awsiam.PolicyStatement{
	topology.Webhook: func(a access) []awsiam.PolicyStatement {
		return []awsiam.PolicyStatement{
			statement([]string{"secretsmanager:GetSecretValue"}, []string{a.secretARN}),
			statement([]string{"events:PutEvents"}, []string{a.k.busARN()}),
			statement([]string{"s3:PutObject", "s3:DeleteObject"}, []string{a.obj("webhook/deliveries/")}),
		}
	},
	topology.Trigger: func(a access) []awsiam.PolicyStatement {
		return []awsiam.PolicyStatement{
			statement([]string{"states:StartExecution", "states:ListExecutions"}, []string{topology.StateMachineARN(a.k.env, "pipeline")}),
			statement([]string{"states:DescribeExecution"}, []string{a.pipelineExecutions}),
		}
	},
	topology.Evaluate: func(a access) []awsiam.PolicyStatement {
		return []awsiam.PolicyStatement{
			statement([]string{"s3:GetObject"}, []string{a.obj("training/"), a.obj("evaluations/")}),
			a.listUnder("training/", "evaluations/"),
			statement([]string{"s3:PutObject"}, []string{a.obj("evaluations/"), a.obj("baselines/")}),
			// ListModelPackages supports no resource-level permission: SageMaker evaluates it on "*".
			statement([]string{"sagemaker:ListModelPackages"}, []string{"*"}),
			statement([]string{"sagemaker:DescribeModelPackage"}, a.packages),
		}
	},
	topology.RequestApproval: func(a access) []awsiam.PolicyStatement {
		return []awsiam.PolicyStatement{
			statement([]string{"s3:PutObject"}, []string{a.obj("approvals/")}),
			statement([]string{"sns:Publish"}, []string{*a.k.topic.TopicArn()}),
			statement([]string{"sagemaker:UpdateModelPackage"}, a.packages),
		}
	},
	topology.Approval:     approvalGrants,
	topology.MonitorDrift: monitorDriftGrants,
}

// approvalGrants: the approval function completes the waiting pipeline and withdraws a
// rejected package (stop its run, read what is live, roll back or delete).
func approvalGrants(a access) []awsiam.PolicyStatement {
	k := a.k
	deployARN := topology.StateMachineARN(k.env, "deploy")
	return []awsiam.PolicyStatement{
		statement([]string{"s3:GetObject", "s3:PutObject"}, []string{a.obj("approvals/")}),
		// An approval event for a package nobody waits on finds no record: a 404, harmless.
		a.listUnder("approvals/", "deployments/"),
		// The Service Authorization Reference lists no resource type for SendTask*: "you must
		// specify all resources (*)". A grant on the pipeline's ARN fails kiln local's IAM
		// evaluation (iam-simulate follows the reference); tokens are unguessable secrets.
		statement([]string{"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"}, []string{"*"}),
		statement([]string{"states:StartExecution"}, []string{deployARN}),
		statement([]string{"states:DescribeExecution", "states:StopExecution"}, []string{a.pipelineExecutions, executions(deployARN)}),
		statement([]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, []string{a.obj("deployments/")}),
		statement([]string{"sns:Publish"}, []string{*k.topic.TopicArn()}),
		// The watch and rollbacks announce themselves on the kiln bus (internal/opsevents).
		statement([]string{"events:PutEvents"}, []string{k.busARN()}),
		statement([]string{"sagemaker:DescribeModelPackage"}, a.packages),
		statement([]string{"sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel", "sagemaker:DeleteEndpoint"},
			[]string{k.sagemakerARN("endpoint", "*"), k.sagemakerARN("endpoint-config", "*"), k.sagemakerARN("model", "*")}),
	}
}

// monitorDriftGrants: the drift job reads captures and baselines and publishes metrics.
func monitorDriftGrants(a access) []awsiam.PolicyStatement {
	// PutMetricData has no resource-level permission; the condition pins the namespace.
	metrics := statement([]string{"cloudwatch:PutMetricData"}, []string{"*"})
	metrics.AddCondition(jsii.String("StringEquals"), map[string]any{"cloudwatch:namespace": topology.DriftMetricNamespace})
	return []awsiam.PolicyStatement{
		statement([]string{"s3:GetObject"}, []string{a.obj("deployments/"), a.obj("baselines/"), a.obj("datacapture/")}),
		a.listUnder("deployments/", "baselines/", "datacapture/"),
		statement([]string{"s3:PutObject"}, []string{a.obj("monitoring/")}),
		metrics,
		statement([]string{"events:PutEvents"}, []string{a.k.busARN()}),
	}
}

// executions returns the ARN pattern of every execution of the state machine machineARN.
func executions(machineARN string) string { return arn.Execution(machineARN, "*") }

// grant gives a function's role exactly what its handler calls ([functionGrants]) and the key.
func (k *kiln) grant(fn topology.FunctionName, role awsiam.Role, secretARN *string) {
	grants, ok := functionGrants[fn]
	if !ok {
		panic("infra: no permissions defined for function " + string(fn))
	}
	a := access{k: k, bucket: *k.bucket.BucketArn(), secretARN: *secretARN,
		pipelineExecutions: executions(topology.StateMachineARN(k.env, "pipeline")), packages: k.modelPackageARNs()}
	for _, st := range grants(a) {
		role.AddToPolicy(st)
	}
	role.AddToPolicy(statement([]string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{*k.key.KeyArn()}))
}

// statement is an Allow statement for actions on resources.
func statement(actions, resources []string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Effect:    awsiam.Effect_ALLOW,
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(resources...),
	})
}

// pascal turns a kebab-case name into PascalCase for construct ids.
func pascal(s string) string {
	parts := strings.Split(s, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

// busARN returns the ARN of the stage's kiln bus.
func (k *kiln) busARN() string {
	return fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", k.env.Partition, k.env.Region, k.env.Account, topology.BusName(k.props.Stage))
}
