package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// The stack is synthesized once for the whole test binary: synthesis costs seconds.
var (
	tpl assertions.Template
	doc map[string]any
	// outDir is the cloud assembly directory the template and its assets are written to.
	outDir string
	// written is the template file app.Synth wrote to outDir, as `go run ./infra` writes it.
	written map[string]any
	pol     = policy.Default()
	prod    = "prod"
)

func TestMain(m *testing.M) {
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	// The template does not depend on the binaries, only on the asset folders existing.
	build, err := os.MkdirTemp("", "kiln-infra-build")
	if err != nil {
		panic(err)
	}
	for _, f := range topology.Functions {
		dir := filepath.Join(build, string(f.Name))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("bootstrap of "+string(f.Name)), 0o755); err != nil {
			panic(err)
		}
	}
	outDir = filepath.Join(build, "cdk.out")
	app := newApp(outDir)
	stack := NewKilnStack(app, "kiln-prod", &KilnStackProps{Stage: prod, Policy: pol, BuildDir: build})
	tpl = assertions.Template_FromStack(stack, nil)
	raw, err := json.Marshal(tpl.ToJSON())
	if err != nil {
		panic(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	app.Synth(nil)
	raw, err = os.ReadFile(filepath.Join(outDir, "kiln-prod.template.json"))
	if err != nil {
		panic(err)
	}
	if err := json.Unmarshal(raw, &written); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(build)
	// No jsii.Close here: jsii-runtime-go v1.139.0's Close races with its own goroutine that
	// waits for the Node child (the race detector reports it under make check). The child
	// exits by itself when this process ends and its stdin closes.
	os.Exit(code)
}

// check runs one CDK assertion; a failed assertion panics inside jsii and would abort the
// whole test binary, so the panic is turned into a test error.
func check(t *testing.T, what string, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	assertion()
}

// resources returns the template's resources of type typ by logical id.
func resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range doc["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

func props(r map[string]any) map[string]any { return r["Properties"].(map[string]any) }

func TestResourceCounts(t *testing.T) {
	alarms := len(topology.Alarms(pol, prod)) + len(topology.Workflows) + 1
	counts := map[string]int{
		"AWS::Lambda::Function":             len(topology.Functions),
		"AWS::StepFunctions::StateMachine":  len(topology.Workflows),
		"AWS::Events::Rule":                 len(topology.Rules),
		"AWS::Events::EventBus":             1,
		"AWS::Scheduler::Schedule":          len(topology.SchedulesFor(pol, prod)) * len(pol.Models),
		"AWS::CloudWatch::Alarm":            alarms,
		"AWS::SageMaker::ModelPackageGroup": len(pol.Models),
		"AWS::S3::Bucket":                   1,
		"AWS::KMS::Key":                     1,
		"AWS::SNS::Topic":                   1,
		"AWS::SQS::Queue":                   1,
		"AWS::SecretsManager::Secret":       1,
		"AWS::Lambda::Url":                  1,
		"AWS::CloudWatch::Dashboard":        1,
	}
	for typ, n := range counts {
		check(t, typ, func() { tpl.ResourceCountIs(jsii.String(typ), jsii.Number(float64(n))) })
	}
}

func TestFunctionsAreArmWithLogsTracingAndTheirEnvironment(t *testing.T) {
	for _, f := range topology.Functions {
		env := map[string]any{}
		for _, name := range f.Env {
			env[name] = assertions.Match_AnyValue()
		}
		check(t, string(f.Name), func() {
			tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
				"FunctionName":  topology.ResourceName(prod, string(f.Name)),
				"Architectures": []any{"arm64"},
				"Runtime":       "provided.al2023",
				"Handler":       "bootstrap",
				"TracingConfig": map[string]any{"Mode": "Active"},
				"LoggingConfig": assertions.Match_ObjectLike(&map[string]any{"LogFormat": "JSON"}),
				"Environment":   map[string]any{"Variables": assertions.Match_ObjectEquals(&env)},
			})
		})
	}
	// Every function's asynchronous failures go to the dead-letter queue.
	configs := resources("AWS::Lambda::EventInvokeConfig")
	assert.Len(t, configs, len(topology.Functions))
	for id, c := range configs {
		dest := props(c)["DestinationConfig"].(map[string]any)["OnFailure"].(map[string]any)
		assert.Contains(t, fmt.Sprint(dest["Destination"]), "DeadLetters", id)
	}
	for _, lg := range resources("AWS::Logs::LogGroup") {
		assert.EqualValues(t, 365, props(lg)["RetentionInDays"])
		assert.NotNil(t, props(lg)["KmsKeyId"], "log groups are encrypted with the kiln key")
	}
}

func TestTheArtifactsBucketIsLockedDown(t *testing.T) {
	check(t, "bucket", func() {
		tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"VersioningConfiguration": map[string]any{"Status": "Enabled"},
			"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
				assertions.Match_ObjectLike(&map[string]any{"ServerSideEncryptionByDefault": assertions.Match_ObjectLike(&map[string]any{"SSEAlgorithm": "aws:kms"})}),
			}},
			"PublicAccessBlockConfiguration": map[string]any{
				"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
			},
			"NotificationConfiguration": map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}},
			"LifecycleConfiguration": map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Id": "old-job-output", "Prefix": "training/", "Status": "Enabled"}),
			})},
		})
	})
	check(t, "TLS only", func() {
		tpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
			"PolicyDocument": assertions.Match_ObjectLike(&map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}}),
			})}),
		})
	})
}

func TestTheWebhookSecretIsGeneratedNeverWritten(t *testing.T) {
	for _, s := range resources("AWS::SecretsManager::Secret") {
		p := props(s)
		assert.NotNil(t, p["GenerateSecretString"])
		assert.Nil(t, p["SecretString"], "the secret's value must never be in the template")
	}
	check(t, "function URL", func() {
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Url"), map[string]any{"AuthType": "NONE"})
	})
}

func TestStateMachinesCarryTheirDefinitionAndEverySubstitution(t *testing.T) {
	machines := resources("AWS::StepFunctions::StateMachine")
	require.Len(t, machines, len(topology.Workflows))
	for _, w := range topology.Workflows {
		t.Run(w.Name, func(t *testing.T) {
			def, err := statemachines.Load(w.File)
			require.NoError(t, err)
			var found map[string]any
			for _, m := range machines {
				if props(m)["StateMachineName"] == topology.ResourceName(prod, w.Name) {
					found = props(m)
				}
			}
			require.NotNil(t, found, "state machine %s", w.Name)
			subs := found["DefinitionSubstitutions"].(map[string]any)
			var keys []string
			for k := range subs {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			assert.Equal(t, statemachines.Placeholders(def), keys, "substitution keys equal the placeholders in %s", w.File)
			body, err := json.Marshal(found["DefinitionString"])
			require.NoError(t, err)
			assert.Contains(t, string(body), `StartAt`, "the definition is in the template (DefinitionBody_FromString)")
			assert.Equal(t, map[string]any{"Enabled": true}, found["TracingConfiguration"])
			assert.Equal(t, "ALL", found["LoggingConfiguration"].(map[string]any)["Level"])
		})
	}
}

func TestRulesUseThePatternFilesWithRetriesAndDeadLetters(t *testing.T) {
	rules := resources("AWS::Events::Rule")
	for _, r := range topology.Rules {
		t.Run(r.Name, func(t *testing.T) {
			var found map[string]any
			for _, res := range rules {
				if props(res)["Name"] == topology.ResourceName(prod, r.Name) {
					found = props(res)
				}
			}
			require.NotNil(t, found)
			raw, err := events.Pattern(r.Pattern)
			require.NoError(t, err)
			var want map[string]any
			require.NoError(t, json.Unmarshal(raw, &want))
			got := found["EventPattern"].(map[string]any)
			assert.Equal(t, keysOf(want), keysOf(got), "the pattern's top-level fields are kept as written")
			assert.Equal(t, want["source"], got["source"])
			assert.Equal(t, want["detail-type"], got["detail-type"])
			target := found["Targets"].([]any)[0].(map[string]any)
			assert.Equal(t, string(r.Target), target["Id"])
			assert.NotNil(t, target["DeadLetterConfig"])
			assert.Equal(t, map[string]any{"MaximumEventAgeInSeconds": float64(86400), "MaximumRetryAttempts": float64(185)}, target["RetryPolicy"])
			if r.Bus == topology.DefaultBus {
				assert.Equal(t, "default", found["EventBusName"])
			}
		})
	}
}

func TestSchedulesAndAlarms(t *testing.T) {
	check(t, "retrain schedule", func() {
		tpl.HasResourceProperties(jsii.String("AWS::Scheduler::Schedule"), map[string]any{
			"Name":               "kiln-prod-retrain-abalone",
			"ScheduleExpression": "cron(0 3 ? * MON *)",
			"FlexibleTimeWindow": map[string]any{"Mode": "OFF"},
			"Target":             assertions.Match_ObjectLike(&map[string]any{"Input": `{"kind":"schedule","model":"abalone","schedule":"retrain"}`}),
		})
	})
	check(t, "drift job schedule", func() {
		tpl.HasResourceProperties(jsii.String("AWS::Scheduler::Schedule"), map[string]any{
			"Name":               "kiln-prod-drift-abalone",
			"ScheduleExpression": "rate(1 hour)",
		})
	})
	for _, a := range topology.Alarms(pol, prod) {
		want := map[string]any{"AlarmName": a.Name, "Namespace": a.Namespace, "MetricName": a.Metric, "Threshold": a.Threshold}
		check(t, a.Name, func() { tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), want) })
	}
	check(t, "p99 latency uses an extended statistic", func() {
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{"AlarmName": "kiln-prod-abalone-latency", "ExtendedStatistic": "p99"})
	})
	check(t, "model package group", func() {
		tpl.HasResourceProperties(jsii.String("AWS::SageMaker::ModelPackageGroup"), map[string]any{"ModelPackageGroupName": "kiln-prod-abalone"})
	})
}

// starResourceActions are the only actions kiln grants on "*": each is an API that supports no
// resource-level permission (or a service-wide telemetry call).
var starResourceActions = map[string]string{
	"sagemaker:ListModelPackages": "List* calls are evaluated on *",
	"cloudwatch:PutMetricData":    "no resource-level permission; pinned by a cloudwatch:namespace condition",
	"ecr:GetAuthorizationToken":   "account-wide token",
	"states:SendTaskSuccess":      "the Service Authorization Reference lists no resource type for SendTask*",
	"states:SendTaskFailure":      "the Service Authorization Reference lists no resource type for SendTask*",
	"states:SendTaskHeartbeat":    "the Service Authorization Reference lists no resource type for SendTask*",
	"xray:PutTraceSegments":       "X-Ray has no resources", "xray:PutTelemetryRecords": "X-Ray has no resources",
	"xray:GetSamplingRules": "X-Ray has no resources", "xray:GetSamplingTargets": "X-Ray has no resources",
	"logs:CreateLogDelivery": "log delivery APIs act on *", "logs:GetLogDelivery": "log delivery APIs act on *",
	"logs:UpdateLogDelivery": "log delivery APIs act on *", "logs:DeleteLogDelivery": "log delivery APIs act on *",
	"logs:ListLogDeliveries": "log delivery APIs act on *", "logs:PutResourcePolicy": "log delivery APIs act on *",
	"logs:DescribeResourcePolicies": "log delivery APIs act on *", "logs:DescribeLogGroups": "log delivery APIs act on *",
}

func TestIAMIsLeastPrivilege(t *testing.T) {
	for id, p := range resources("AWS::IAM::Policy") {
		for _, s := range props(p)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			actions := list(st["Action"])
			for _, a := range actions {
				assert.False(t, a == "*" || strings.HasSuffix(a, ":*"), "%s grants the wildcard action %s", id, a)
			}
			if slices.Contains(list(st["Resource"]), "*") {
				for _, a := range actions {
					_, ok := starResourceActions[a]
					assert.True(t, ok, "%s grants %s on * although the API allows narrower resources", id, a)
				}
			}
		}
	}
	check(t, "PassRole only to SageMaker", func() {
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": assertions.Match_ObjectLike(&map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{
					"Action":    "iam:PassRole",
					"Condition": map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "sagemaker.amazonaws.com"}},
				}),
			})}),
		})
	})
}

func TestOutputs(t *testing.T) {
	outputs := doc["Outputs"].(map[string]any)
	for _, name := range []string{"WebhookUrl", "BusName", "PipelineStateMachineArn", "DeployStateMachineArn", "ArtifactsBucketName", "NotificationTopicArn"} {
		assert.Contains(t, outputs, name)
	}
}

func TestGuardSuppressionsCarryReasons(t *testing.T) {
	n := 0
	for id, r := range doc["Resources"].(map[string]any) {
		md, _ := r.(map[string]any)["Metadata"].(map[string]any)
		g, ok := md["guard"].(map[string]any)
		if !ok {
			continue
		}
		reasons := g["Reasons"].(map[string]any)
		for _, rule := range g["SuppressedRules"].([]any) {
			n++
			assert.NotEmpty(t, reasons[rule.(string)], "%s suppresses %s without a reason", id, rule)
		}
	}
	assert.Positive(t, n)
}

func list(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// roleStatements returns every statement of the policies attached to the role named name.
func roleStatements(t *testing.T, name string) []map[string]any {
	t.Helper()
	id := ""
	for rid, r := range resources("AWS::IAM::Role") {
		if props(r)["RoleName"] == name {
			id = rid
		}
	}
	require.NotEmpty(t, id, "role %s", name)
	var out []map[string]any
	for _, p := range resources("AWS::IAM::Policy") {
		attached := false
		for _, r := range props(p)["Roles"].([]any) {
			if ref, _ := r.(map[string]any)["Ref"].(string); ref == id {
				attached = true
			}
		}
		if !attached {
			continue
		}
		for _, st := range props(p)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			out = append(out, st.(map[string]any))
		}
	}
	return out
}

// granting returns the Allow statements among stmts that grant action on a resource whose
// rendering (an ARN or an Fn::Join of one) contains resource.
func granting(stmts []map[string]any, action, resource string) []map[string]any {
	var out []map[string]any
	for _, st := range stmts {
		if st["Effect"] != "Allow" || !slices.Contains(list(st["Action"]), action) {
			continue
		}
		rs, ok := st["Resource"].([]any)
		if !ok {
			rs = []any{st["Resource"]}
		}
		for _, r := range rs {
			if strings.Contains(render(r), resource) {
				out = append(out, st)
				break
			}
		}
	}
	return out
}

// render flattens a template value (a string, or an Fn::Join with tokens) into one string,
// pseudo parameters as ${Name}.
func render(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, e := range x {
			b.WriteString(render(e))
		}
		return b.String()
	case map[string]any:
		if j, ok := x["Fn::Join"].([]any); ok && len(j) == 2 {
			parts, _ := j[1].([]any)
			var out []string
			for _, p := range parts {
				out = append(out, render(p))
			}
			return strings.Join(out, j[0].(string))
		}
		if r, ok := x["Ref"].(string); ok {
			return "${" + r + "}"
		}
		if sub, ok := x["Fn::Sub"].(string); ok {
			return sub
		}
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

func TestTheDeployWorkflowMayDeployTheEndpointConfigItCreated(t *testing.T) {
	deploy := roleStatements(t, "kiln-prod-deploy-sfn")
	for _, action := range []string{"sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint"} {
		assert.NotEmpty(t, granting(deploy, action, ":endpoint-config/abalone-prod-*"), "%s is authorized on the endpoint config too", action)
		assert.NotEmpty(t, granting(deploy, action, ":endpoint/kiln-prod-abalone"), action)
	}
	assert.NotEmpty(t, granting(deploy, "sagemaker:DeleteEndpoint", ":endpoint/kiln-prod-abalone"), "a Failed endpoint can only be deleted")
	for _, arn := range []string{":model/abalone-prod-*", ":endpoint-config/abalone-prod-*", ":endpoint/kiln-prod-abalone"} {
		assert.NotEmpty(t, granting(deploy, "sagemaker:ListTags", arn), "the optimized integrations read tags of %s", arn)
		assert.NotEmpty(t, granting(deploy, "sagemaker:AddTags", arn), "the optimized integrations tag %s", arn)
	}
	pipeline := roleStatements(t, "kiln-prod-pipeline-sfn")
	assert.NotEmpty(t, granting(pipeline, "sagemaker:ListTags", ":training-job/abalone-prod-*"))
	for _, action := range []string{"events:PutTargets", "events:PutRule", "events:DescribeRule"} {
		assert.NotEmpty(t, granting(pipeline, action, ":rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"), "%s for createTrainingJob.sync", action)
	}
}

func TestTheSageMakerRoleMayReadTheRollbackAlarms(t *testing.T) {
	sm := roleStatements(t, "kiln-prod-sagemaker")
	for _, name := range topology.RollbackAlarmNames(prod, "abalone") {
		assert.NotEmpty(t, granting(sm, "cloudwatch:DescribeAlarms", ":alarm:"+name), "deployment guardrails read %s as the execution role", name)
	}
}

func TestHandlersThatReadMissingKeysMayListTheirPrefixesOnly(t *testing.T) {
	for role, want := range map[string][]string{
		"kiln-prod-approval-fn":      {"approvals/*", "deployments/*"},
		"kiln-prod-evaluate-fn":      {"training/*", "evaluations/*"},
		"kiln-prod-monitor-drift-fn": {"deployments/*", "baselines/*", "datacapture/*"},
	} {
		t.Run(role, func(t *testing.T) {
			var lists []map[string]any
			for _, st := range roleStatements(t, role) {
				if slices.Contains(list(st["Action"]), "s3:ListBucket") {
					lists = append(lists, st)
				}
			}
			require.Len(t, lists, 1, "one s3:ListBucket statement")
			cond, _ := lists[0]["Condition"].(map[string]any)
			like, _ := cond["StringLike"].(map[string]any)
			assert.ElementsMatch(t, want, list(like["s3:prefix"]), "ListBucket only under the prefixes read")
		})
	}
}

func TestCloudWatchAlarmsMayPublishToTheTopic(t *testing.T) {
	var found bool
	for _, p := range resources("AWS::SNS::TopicPolicy") {
		for _, s := range props(p)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			principal, _ := st["Principal"].(map[string]any)
			if st["Effect"] != "Allow" || principal["Service"] != "cloudwatch.amazonaws.com" {
				continue
			}
			found = true
			assert.Equal(t, "sns:Publish", st["Action"])
			cond := st["Condition"].(map[string]any)
			arns := render(cond["ArnLike"].(map[string]any)["aws:SourceArn"])
			assert.Contains(t, arns, ":alarm:kiln-prod-*", "the rollback, workflow and dead-letter alarms")
			assert.Contains(t, arns, ":alarm:kiln-drift-prod-*", "the drift alarms")
			assert.Equal(t, "${AWS::AccountId}", render(cond["StringEquals"].(map[string]any)["aws:SourceAccount"]))
		}
	}
	assert.True(t, found, "the topic policy lets cloudwatch.amazonaws.com publish")
}

func TestServicePrincipalsAreScopedToThisAccount(t *testing.T) {
	var logs bool
	for id, r := range doc["Resources"].(map[string]any) {
		res := r.(map[string]any)
		var statements []any
		switch res["Type"] {
		case "AWS::KMS::Key":
			statements = props(res)["KeyPolicy"].(map[string]any)["Statement"].([]any)
		case "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy":
			statements = props(res)["PolicyDocument"].(map[string]any)["Statement"].([]any)
		default:
			continue
		}
		for _, s := range statements {
			st := s.(map[string]any)
			principal, _ := st["Principal"].(map[string]any)
			if st["Effect"] != "Allow" || principal["Service"] == nil {
				continue
			}
			service := render(principal["Service"])
			cond, _ := st["Condition"].(map[string]any)
			keys := render(cond)
			scoped := strings.Contains(keys, "aws:SourceAccount") || strings.Contains(keys, "aws:SourceArn") || strings.Contains(keys, "kms:EncryptionContext:aws:logs:arn")
			assert.True(t, scoped, "%s grants %s %v without aws:SourceAccount, aws:SourceArn or an encryption context", id, service, st["Action"])
			if strings.HasPrefix(service, "logs.") {
				logs = true
				arns := render(cond["ArnLike"].(map[string]any)["kms:EncryptionContext:aws:logs:arn"])
				assert.Contains(t, arns, ":log-group:/aws/lambda/kiln-prod-*")
				assert.Contains(t, arns, ":log-group:/aws/vendedlogs/states/kiln-prod-*")
				assert.Equal(t, "logs.${AWS::Region}.amazonaws.com", service, "CloudWatch Logs' regional principal")
			}
		}
	}
	assert.True(t, logs, "the key policy lets CloudWatch Logs use the key for kiln's log groups")
}

func TestFunctionsCarryTheAssetMetadataSAMReads(t *testing.T) {
	n := 0
	for id, r := range written["Resources"].(map[string]any) {
		fn := r.(map[string]any)
		if fn["Type"] != "AWS::Lambda::Function" {
			continue
		}
		n++
		md, _ := fn["Metadata"].(map[string]any)
		path, _ := md["aws:asset:path"].(string)
		assert.Equal(t, "Code", md["aws:asset:property"], "%s: SAM replaces Code with the asset path", id)
		assert.Regexp(t, `^kiln-prod/[A-Za-z]+Function/Resource$`, md["aws:cdk:path"], "%s: SAM finds a function by its construct id through its path", id)
		if assert.NotEmpty(t, path, "%s has aws:asset:path", id) {
			_, err := os.Stat(filepath.Join(outDir, path, "bootstrap"))
			assert.NoError(t, err, "%s: the asset path, relative to the template, holds the function's bootstrap", id)
		}
	}
	assert.Equal(t, len(topology.Functions), n, "every function is in the written template")
}
