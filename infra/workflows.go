package main

import (
	"fmt"

	"github.com/kiln-dev/kiln/internal/arn"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// workflows creates the state machines from the embedded ASL files, their placeholders filled
// by DefinitionSubstitutions, each with a role allowed exactly what its definition calls.
func (k *kiln) workflows() {
	for _, w := range topology.Workflows {
		def, err := statemachines.Load(w.File)
		if err != nil {
			panic("infra: " + err.Error())
		}
		subs := map[string]*string{}
		for _, key := range statemachines.Placeholders(def) {
			v, ok := k.substitutions()[key]
			if !ok {
				panic(fmt.Sprintf("infra: %s uses ${%s}, which the stack does not provide", w.File, key))
			}
			subs[key] = jsii.String(v)
		}
		role := awsiam.NewRole(k.stack, jsii.String(pascal(w.Name)+"WorkflowRole"), &awsiam.RoleProps{
			RoleName: k.name(w.Name + "-sfn"),
			// Only this account's state machines may assume it (confused-deputy guard).
			AssumedBy: awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), &awsiam.ServicePrincipalOpts{
				Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": k.env.Account}},
			}),
			Description: jsii.String("kiln " + w.Name + " workflow"),
		})
		k.grantWorkflow(w.Name, role)
		logs := awslogs.NewLogGroup(k.stack, jsii.String(pascal(w.Name)+"WorkflowLogs"), &awslogs.LogGroupProps{
			LogGroupName:  jsii.String("/aws/vendedlogs/states/" + topology.ResourceName(k.props.Stage, w.Name)),
			Retention:     awslogs.RetentionDays_ONE_YEAR,
			EncryptionKey: k.key,
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		})
		sm := awsstepfunctions.NewStateMachine(k.stack, jsii.String(pascal(w.Name)+"Workflow"), &awsstepfunctions.StateMachineProps{
			StateMachineName:        k.name(w.Name),
			StateMachineType:        awsstepfunctions.StateMachineType_STANDARD,
			DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(string(def))),
			DefinitionSubstitutions: &subs,
			Role:                    role,
			TracingEnabled:          jsii.Bool(true),
			Logs: &awsstepfunctions.LogOptions{
				Destination:          logs,
				Level:                awsstepfunctions.LogLevel_ALL,
				IncludeExecutionData: jsii.Bool(true),
			},
		})
		k.machines[w.Name] = sm
	}
}

// resources returns the stack's resources as CloudFormation expressions, for the topology's
// environment and placeholder tables; the policy object's URI and the webhook secret's ARN are filled where the functions are made.
func (k *kiln) resources() topology.Resources {
	return topology.Resources{
		ArtifactsBucket:  *k.bucket.BucketName(),
		TopicARN:         *k.topic.TopicArn(),
		SageMakerRoleARN: *k.smRole.RoleArn(),
	}
}

// substitutions returns the value of every placeholder the workflows and rule patterns may
// use, as CloudFormation expressions: topology's placeholder table with infra's resources.
func (k *kiln) substitutions() map[string]string { return k.resources().Placeholders(k.env) }

// grantWorkflow gives a workflow's role exactly what its definition calls.
func (k *kiln) grantWorkflow(name string, role awsiam.Role) {
	passRole := statement([]string{"iam:PassRole"}, []string{*k.smRole.RoleArn()})
	passRole.AddCondition(jsii.String("StringEquals"), map[string]any{"iam:PassedToService": "sagemaker.amazonaws.com"})
	role.AddToPolicy(passRole)
	role.AddToPolicy(statement([]string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{*k.key.KeyArn()}))
	managedRule := func(rule string) string {
		return fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", k.env.Partition, k.env.Region, k.env.Account, rule)
	}
	switch name {
	case "pipeline":
		// The optimized createTrainingJob.sync integration also calls ListTags on the job
		// (https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html); the
		// page grants it on *, kiln on the jobs it names.
		role.AddToPolicy(statement([]string{"sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob", "sagemaker:AddTags", "sagemaker:ListTags"}, k.perModel("training-job")))
		// .sync on a training job: Step Functions watches it through its managed rule.
		role.AddToPolicy(statement([]string{"events:PutTargets", "events:PutRule", "events:DescribeRule"},
			[]string{managedRule("StepFunctionsGetEventsForSageMakerTrainingJobsRule"), managedRule("StepFunctionsGetEventsForStepFunctionsExecutionRule")}))
		role.AddToPolicy(statement([]string{"sagemaker:CreateModelPackage", "sagemaker:AddTags"}, append(k.packageGroupARNs(), k.modelPackageARNs()...)))
		role.AddToPolicy(statement([]string{"lambda:InvokeFunction"}, []string{topology.FunctionARN(k.env, topology.Evaluate), topology.FunctionARN(k.env, topology.RequestApproval)}))
		deployARN := topology.StateMachineARN(k.env, "deploy")
		role.AddToPolicy(statement([]string{"states:StartExecution"}, []string{deployARN}))
		role.AddToPolicy(statement([]string{"states:DescribeExecution", "states:StopExecution"}, []string{arn.Execution(deployARN, "*")}))
		role.AddToPolicy(statement([]string{"sns:Publish"}, []string{*k.topic.TopicArn()}))
	case "deploy":
		role.AddToPolicy(statement([]string{"sagemaker:CreateModel", "sagemaker:DescribeModel"}, k.perModel("model")))
		role.AddToPolicy(statement([]string{"sagemaker:DescribeModelPackage"}, k.modelPackageARNs()))
		role.AddToPolicy(statement([]string{"sagemaker:CreateEndpointConfig", "sagemaker:DescribeEndpointConfig"}, k.perModel("endpoint-config")))
		// SageMaker authorizes CreateEndpoint and UpdateEndpoint on the endpoint and on the
		// endpoint config it deploys; Step Functions' SageMaker policy templates grant both
		// (https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html).
		role.AddToPolicy(statement([]string{"sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint"}, append(k.endpointARNs(), k.perModel("endpoint-config")...)))
		// DeleteEndpoint: a Failed endpoint can only be deleted, then it is created again.
		role.AddToPolicy(statement([]string{"sagemaker:DescribeEndpoint", "sagemaker:DeleteEndpoint"}, k.endpointARNs()))
		// The optimized integrations tag what they create (AddTags) and read tags back
		// (ListTags), per the same page.
		role.AddToPolicy(statement([]string{"sagemaker:AddTags", "sagemaker:ListTags"}, append(append(k.perModel("model"), k.perModel("endpoint-config")...), k.endpointARNs()...)))
		role.AddToPolicy(statement([]string{"s3:PutObject"}, []string{*k.bucket.BucketArn() + "/deployments/*"}))
	default:
		panic("infra: no permissions defined for workflow " + name)
	}
}
