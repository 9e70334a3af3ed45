package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

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

	env := map[string]*string{
		topology.EnvStage:            jsii.String(k.props.Stage),
		topology.EnvPolicyObject:     k.policyObject.S3ObjectUrl(),
		topology.EnvAccount:          jsii.String(k.env.Account),
		topology.EnvBusName:          jsii.String(topology.BusName(k.props.Stage)),
		topology.EnvPipelineARN:      jsii.String(topology.StateMachineARN(k.env, "pipeline")),
		topology.EnvDeployARN:        jsii.String(topology.StateMachineARN(k.env, "deploy")),
		topology.EnvArtifactsBucket:  k.bucket.BucketName(),
		topology.EnvTopicARN:         k.topic.TopicArn(),
		topology.EnvWebhookSecretARN: secret.SecretArn(),
	}
	for _, f := range topology.Functions {
		role := awsiam.NewRole(k.stack, jsii.String(pascal(f.Name)+"Role"), &awsiam.RoleProps{
			RoleName:    k.name(f.Name + "-fn"),
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
			Description: jsii.String("kiln " + f.Name + ": " + f.Summary),
		})
		logs := awslogs.NewLogGroup(k.stack, jsii.String(pascal(f.Name)+"Logs"), &awslogs.LogGroupProps{
			LogGroupName:  jsii.String("/aws/lambda/" + topology.ResourceName(k.props.Stage, f.Name)),
			Retention:     awslogs.RetentionDays_ONE_YEAR,
			EncryptionKey: k.key,
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		})
		fnEnv := map[string]*string{}
		for _, name := range f.Env {
			fnEnv[name] = env[name]
		}
		fn := awslambda.NewFunction(k.stack, jsii.String(pascal(f.Name)+"Function"), &awslambda.FunctionProps{
			FunctionName:  k.name(f.Name),
			Description:   jsii.String(f.Summary),
			Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
			Architecture:  awslambda.Architecture_ARM_64(),
			Handler:       jsii.String("bootstrap"),
			Code:          awslambda.Code_FromAsset(jsii.String(filepath.Join(k.props.BuildDir, f.Name)), nil),
			Environment:   &fnEnv,
			Timeout:       awscdk.Duration_Seconds(jsii.Number(float64(f.TimeoutSeconds))),
			MemorySize:    jsii.Number(256),
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

// grant gives a function's role exactly what its handler calls.
func (k *kiln) grant(fn string, role awsiam.Role, secretARN *string) {
	bucket := *k.bucket.BucketArn()
	obj := func(prefix string) string { return bucket + "/" + prefix + "*" }
	pipelineARN := topology.StateMachineARN(k.env, "pipeline")
	pipelineExecutions := strings.Replace(pipelineARN, ":stateMachine:", ":execution:", 1) + ":*"
	groups := k.packageGroupARNs()
	packages := k.modelPackageARNs()
	kms := statement([]string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{*k.key.KeyArn()})
	// listUnder lets a handler that reads keys which may be missing list those prefixes: S3
	// answers a GetObject of a missing key with 404 NoSuchKey only to a caller that has
	// s3:ListBucket, and with 403 AccessDenied to any other
	// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, Permissions).
	listUnder := func(prefixes ...string) awsiam.PolicyStatement {
		st := statement([]string{"s3:ListBucket"}, []string{bucket})
		var like []string
		for _, p := range prefixes {
			like = append(like, p+"*")
		}
		st.AddCondition(jsii.String("StringLike"), map[string]any{"s3:prefix": like})
		return st
	}
	switch fn {
	case "webhook":
		role.AddToPolicy(statement([]string{"secretsmanager:GetSecretValue"}, []string{*secretARN}))
		role.AddToPolicy(statement([]string{"events:PutEvents"}, []string{fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", k.env.Partition, k.env.Region, k.env.Account, topology.BusName(k.props.Stage))}))
		role.AddToPolicy(statement([]string{"s3:PutObject", "s3:DeleteObject"}, []string{obj("webhook/deliveries/")}))
	case "trigger":
		role.AddToPolicy(statement([]string{"states:StartExecution", "states:ListExecutions"}, []string{pipelineARN}))
		role.AddToPolicy(statement([]string{"states:DescribeExecution"}, []string{pipelineExecutions}))
	case "evaluate":
		role.AddToPolicy(statement([]string{"s3:GetObject"}, []string{obj("training/"), obj("evaluations/")}))
		role.AddToPolicy(listUnder("training/", "evaluations/"))
		role.AddToPolicy(statement([]string{"s3:PutObject"}, []string{obj("evaluations/"), obj("baselines/")}))
		// ListModelPackages supports no resource-level permission: SageMaker evaluates it on "*".
		role.AddToPolicy(statement([]string{"sagemaker:ListModelPackages"}, []string{"*"}))
		role.AddToPolicy(statement([]string{"sagemaker:DescribeModelPackage"}, packages))
		_ = groups
	case "request-approval":
		role.AddToPolicy(statement([]string{"s3:PutObject"}, []string{obj("approvals/")}))
		role.AddToPolicy(statement([]string{"sns:Publish"}, []string{*k.topic.TopicArn()}))
		role.AddToPolicy(statement([]string{"sagemaker:UpdateModelPackage"}, packages))
	case "approval":
		role.AddToPolicy(statement([]string{"s3:GetObject", "s3:PutObject"}, []string{obj("approvals/")}))
		// An approval event for a package nobody waits on finds no record: a 404, harmless.
		role.AddToPolicy(listUnder("approvals/", "deployments/"))
		// The Service Authorization Reference lists no resource type for SendTask*: "you must
		// specify all resources (*)". A grant on the pipeline's ARN fails kiln local's IAM
		// evaluation (iam-simulate follows the reference); tokens are unguessable secrets.
		role.AddToPolicy(statement([]string{"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"}, []string{"*"}))
		// Withdrawing a rejected package: stop its run, read what is live, roll back or delete.
		deployARN := topology.StateMachineARN(k.env, "deploy")
		deployExecutions := strings.Replace(deployARN, ":stateMachine:", ":execution:", 1) + ":*"
		role.AddToPolicy(statement([]string{"states:StartExecution"}, []string{deployARN}))
		role.AddToPolicy(statement([]string{"states:DescribeExecution", "states:StopExecution"}, []string{pipelineExecutions, deployExecutions}))
		role.AddToPolicy(statement([]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, []string{obj("deployments/")}))
		role.AddToPolicy(statement([]string{"sns:Publish"}, []string{*k.topic.TopicArn()}))
		// The watch and rollbacks announce themselves on the kiln bus (internal/opsevents).
		role.AddToPolicy(statement([]string{"events:PutEvents"}, []string{k.busARN()}))
		role.AddToPolicy(statement([]string{"sagemaker:DescribeModelPackage"}, packages))
		role.AddToPolicy(statement([]string{"sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel", "sagemaker:DeleteEndpoint"},
			[]string{k.sagemakerARN("endpoint", "*"), k.sagemakerARN("endpoint-config", "*"), k.sagemakerARN("model", "*")}))
	case "monitor-drift":
		role.AddToPolicy(statement([]string{"s3:GetObject"}, []string{obj("deployments/"), obj("baselines/"), obj("datacapture/")}))
		role.AddToPolicy(listUnder("deployments/", "baselines/", "datacapture/"))
		role.AddToPolicy(statement([]string{"s3:PutObject"}, []string{obj("monitoring/")}))
		// PutMetricData has no resource-level permission; the condition pins the namespace.
		st := statement([]string{"cloudwatch:PutMetricData"}, []string{"*"})
		st.AddCondition(jsii.String("StringEquals"), map[string]any{"cloudwatch:namespace": topology.DriftMetricNamespace})
		role.AddToPolicy(st)
		role.AddToPolicy(statement([]string{"events:PutEvents"}, []string{k.busARN()}))
	default:
		panic("infra: no permissions defined for function " + fn)
	}
	role.AddToPolicy(kms)
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
