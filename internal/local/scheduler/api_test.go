package scheduler_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/schedule"
	"github.com/kiln-dev/kiln/internal/local/scheduler"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

type noInvoker struct{}

func (noInvoker) Invoke(context.Context, string, []byte) error { return nil }

// client serves the prod stage's topology schedules and returns a real Scheduler SDK client.
func client(t *testing.T) *awsscheduler.Client {
	t.Helper()
	env := topology.Local("prod")
	runner := schedule.NewRunner(noInvoker{}, nil)
	defs, err := stack.Schedules(env, policy.Default())
	require.NoError(t, err)
	require.NotEmpty(t, defs)
	created := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, d := range defs {
		require.NoError(t, runner.Add(d, created))
	}
	srv := httptest.NewServer(&scheduler.API{Source: runner, Env: env, Created: created})
	t.Cleanup(srv.Close)
	return awsscheduler.New(awsscheduler.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
}

func TestListSchedulesShowsTheStacksSchedules(t *testing.T) {
	c := client(t)
	ctx := context.Background()
	var names []string
	p := awsscheduler.NewListSchedulesPaginator(c, &awsscheduler.ListSchedulesInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, s := range page.Schedules {
			names = append(names, aws.ToString(s.Name))
			assert.Equal(t, types.ScheduleStateEnabled, s.State)
			assert.Equal(t, "default", aws.ToString(s.GroupName))
		}
	}
	assert.Equal(t, []string{"kiln-prod-drift-abalone", "kiln-prod-retrain-abalone"}, names)

	cases := []struct {
		name string
		in   awsscheduler.ListSchedulesInput
		want int
	}{
		{"a name prefix selects the retrain schedule", awsscheduler.ListSchedulesInput{NamePrefix: aws.String("kiln-prod-retrain")}, 1},
		{"no schedule is disabled", awsscheduler.ListSchedulesInput{State: types.ScheduleStateDisabled}, 0},
		{"another group holds none", awsscheduler.ListSchedulesInput{GroupName: aws.String("other")}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.ListSchedules(ctx, &tc.in)
			require.NoError(t, err)
			assert.Len(t, out.Schedules, tc.want)
		})
	}
}

func TestGetScheduleDescribesItsTarget(t *testing.T) {
	c := client(t)
	ctx := context.Background()
	got, err := c.GetSchedule(ctx, &awsscheduler.GetScheduleInput{Name: aws.String("kiln-prod-retrain-abalone")})
	require.NoError(t, err)
	assert.Equal(t, "cron(0 3 ? * MON *)", aws.ToString(got.ScheduleExpression))
	assert.Equal(t, "UTC", aws.ToString(got.ScheduleExpressionTimezone))
	assert.Equal(t, "arn:aws:scheduler:us-east-1:000000000000:schedule/default/kiln-prod-retrain-abalone", aws.ToString(got.Arn))
	assert.Equal(t, "arn:aws:lambda:us-east-1:000000000000:function:kiln-prod-trigger", aws.ToString(got.Target.Arn))
	assert.Equal(t, int32(185), aws.ToInt32(got.Target.RetryPolicy.MaximumRetryAttempts))
	assert.Equal(t, types.FlexibleTimeWindowModeOff, got.FlexibleTimeWindow.Mode)
	assert.Equal(t, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), got.CreationDate.UTC())
	var input map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(got.Target.Input)), &input))
	assert.Equal(t, map[string]any{"kind": "schedule", "model": "abalone", "schedule": "retrain"}, input)

	_, err = c.GetSchedule(ctx, &awsscheduler.GetScheduleInput{Name: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf, "got %v", err)
	assert.Equal(t, "Schedule nope does not exist.", aws.ToString(nf.Message))
	_, err = c.GetSchedule(ctx, &awsscheduler.GetScheduleInput{Name: aws.String("kiln-prod-retrain-abalone"), GroupName: aws.String("other")})
	require.ErrorAs(t, err, &nf, "got %v", err)

	_, err = c.ListSchedules(ctx, &awsscheduler.ListSchedulesInput{MaxResults: aws.Int32(500)})
	var bad *types.ValidationException
	require.ErrorAs(t, err, &bad, "got %v", err)
}

func TestAScheduleCannotBeCreatedLocally(t *testing.T) {
	c := client(t)
	_, err := c.CreateSchedule(context.Background(), &awsscheduler.CreateScheduleInput{Name: aws.String("mine"),
		ScheduleExpression: aws.String("rate(1 hour)"), FlexibleTimeWindow: &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		Target: &types.Target{Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:kiln-prod-trigger"), RoleArn: aws.String("arn:aws:iam::000000000000:role/r")}})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "got %v", err)
	assert.Equal(t, "UnknownOperationException", api.ErrorCode())
	assert.Contains(t, api.ErrorMessage(), "kiln local does not emulate the Scheduler operation POST /schedules/mine")
	out, err := c.ListSchedules(context.Background(), &awsscheduler.ListSchedulesInput{NamePrefix: aws.String("mine")})
	require.NoError(t, err)
	assert.Empty(t, out.Schedules, "nothing was created")
}
