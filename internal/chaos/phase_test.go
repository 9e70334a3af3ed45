package chaos

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
)

// Each question below asks the running kiln, through its API, whether the loop is in a
// phase: the test never guesses a phase from elapsed time.

// inTraining reports whether a training job of commit runs its training program.
func (l *loop) inTraining(ctx context.Context, commit string) (bool, error) {
	out, err := l.sm.ListTrainingJobs(ctx, &sagemaker.ListTrainingJobsInput{
		NameContains: aws.String(commit[:12]), StatusEquals: smtypes.TrainingJobStatusInProgress,
	})
	if err != nil || len(out.TrainingJobSummaries) == 0 {
		return false, err
	}
	job, err := l.sm.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: out.TrainingJobSummaries[0].TrainingJobName})
	if err != nil {
		return false, err
	}
	return job.SecondaryStatus == smtypes.SecondaryStatusTraining, nil
}

// waitsForApproval reports whether the execution waits at RequestApproval for a task
// token to come back (the request-approval function has stored it and returned).
func (l *loop) waitsForApproval(ctx context.Context, execARN string) (bool, error) {
	out, err := l.sfn.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(execARN), ReverseOrder: true, MaxResults: 20,
	})
	if err != nil || len(out.Events) == 0 {
		return false, err
	}
	if out.Events[0].Type != sfntypes.HistoryEventTypeTaskSubmitted {
		return false, nil
	}
	for _, ev := range out.Events {
		if ev.Type == sfntypes.HistoryEventTypeTaskStateEntered {
			return aws.ToString(ev.StateEnteredEventDetails.Name) == "RequestApproval", nil
		}
	}
	return false, nil
}

// inDeployment reports whether the endpoint's pending deployment has a variant in status
// (ActivatingTraffic while the canary shifts, Baking during the bake).
func (l *loop) inDeployment(ctx context.Context, status smtypes.VariantStatus) (bool, error) {
	d, err := l.sm.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(topology.EndpointName(stage, model))})
	if err != nil || d.PendingDeploymentSummary == nil {
		return false, nil //nolint:nilerr // no endpoint yet is "not in the phase yet"
	}
	for _, v := range d.PendingDeploymentSummary.ProductionVariants {
		for _, s := range v.VariantStatus {
			if s.Status == status {
				return true, nil
			}
		}
	}
	return false, nil
}

// sampleRow is one abalone without its label, as a client sends it.
const sampleRow = "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15"

// servesApproved requires the endpoint InService on a config whose model comes from an
// Approved package, answering an invocation, and returns the package's ARN.
func (l *loop) servesApproved(ctx context.Context) string {
	l.t.Helper()
	name := aws.String(topology.EndpointName(stage, model))
	d, err := l.sm.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: name})
	require.NoError(l.t, err)
	require.Equal(l.t, smtypes.EndpointStatusInService, d.EndpointStatus, "endpoint status (%s)", aws.ToString(d.FailureReason))
	cfg, err := l.sm.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: d.EndpointConfigName})
	require.NoError(l.t, err)
	m, err := l.sm.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: cfg.ProductionVariants[0].ModelName})
	require.NoError(l.t, err)
	pkgARN := aws.ToString(m.PrimaryContainer.ModelPackageName)
	pkg, err := l.sm.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: aws.String(pkgARN)})
	require.NoError(l.t, err)
	assert.Equal(l.t, smtypes.ModelApprovalStatusApproved, pkg.ModelApprovalStatus, "the live package %s", pkgARN)
	var out *sagemakerruntime.InvokeEndpointOutput
	l.await(ctx, "an answer from the endpoint", func() (bool, error) {
		out, err = l.runtime.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{
			EndpointName: name, ContentType: aws.String("text/csv"), Body: []byte(sampleRow),
		})
		return err == nil, err
	})
	assert.NotEmpty(l.t, strings.TrimSpace(string(out.Body)), "a prediction")
	return pkgARN
}

// noAlarmFired requires every alarm to be out of the ALARM state, so a cause that blamed an
// alarm would be false.
func (l *loop) noAlarmFired(ctx context.Context) {
	l.t.Helper()
	out, err := l.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{StateValue: cwtypes.StateValueAlarm})
	require.NoError(l.t, err)
	var names []string
	for _, a := range out.MetricAlarms {
		names = append(names, aws.ToString(a.AlarmName))
	}
	assert.Empty(l.t, names, "alarms in ALARM")
}

// noneRunning requires no pipeline or deploy execution to be RUNNING: none is stuck.
func (l *loop) noneRunning(ctx context.Context) {
	l.t.Helper()
	for _, wf := range []string{"pipeline", "deploy"} {
		out, err := l.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{
			StateMachineArn: aws.String(topology.StateMachineARN(env, wf)), StatusFilter: sfntypes.ExecutionStatusRunning,
		})
		require.NoError(l.t, err)
		assert.Empty(l.t, out.Executions, "running %s executions", wf)
	}
}
