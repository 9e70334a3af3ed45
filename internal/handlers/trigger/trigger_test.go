package trigger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/arn"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/handlers/trigger"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

var (
	env         = topology.Local("prod")
	pipelineARN = topology.StateMachineARN(env, "pipeline")
	now         = time.Date(2026, 11, 20, 14, 6, 0, 0, time.UTC)
)

// fakeSFN is Step Functions as a struct of funcs; it records every call. A nil func gives
// the default answer: no execution exists, none are listed, a start succeeds.
type fakeSFN struct {
	describe func(*sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error)
	list     func(*sfn.ListExecutionsInput) (*sfn.ListExecutionsOutput, error)
	start    func(*sfn.StartExecutionInput) (*sfn.StartExecutionOutput, error)

	described []string
	lists     []*sfn.ListExecutionsInput
	started   []*sfn.StartExecutionInput
}

func (f *fakeSFN) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	f.described = append(f.described, aws.ToString(in.ExecutionArn))
	if f.describe != nil {
		return f.describe(in)
	}
	return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist: '" + aws.ToString(in.ExecutionArn) + "'")}
}

func (f *fakeSFN) ListExecutions(_ context.Context, in *sfn.ListExecutionsInput, _ ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error) {
	f.lists = append(f.lists, in)
	if f.list != nil {
		return f.list(in)
	}
	return &sfn.ListExecutionsOutput{}, nil
}

func (f *fakeSFN) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.started = append(f.started, in)
	if f.start != nil {
		return f.start(in)
	}
	return &sfn.StartExecutionOutput{
		ExecutionArn: aws.String(arn.Execution(aws.ToString(in.StateMachineArn), aws.ToString(in.Name))),
		StartDate:    aws.Time(now),
	}, nil
}

func item(name string, status types.ExecutionStatus, start time.Time) types.ExecutionListItem {
	return types.ExecutionListItem{Name: aws.String(name), Status: status, StartDate: aws.Time(start),
		ExecutionArn: aws.String(arn.Execution(pipelineARN, name)), StateMachineArn: aws.String(pipelineARN)}
}

func sample(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := events.Sample(name)
	require.NoError(t, err)
	return b
}

func newHandler(f *fakeSFN, logs *bytes.Buffer) *trigger.Handler {
	return &trigger.Handler{
		SFN: f, PipelineARN: pipelineARN, Stage: "prod", Bucket: topology.ArtifactsBucket(env),
		Policy: policy.Default(), Clock: func() time.Time { return now },
		Log: slog.New(slog.NewJSONHandler(logs, nil)),
	}
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name       string
		event      func(t *testing.T) json.RawMessage
		sfn        *fakeSFN
		wantRule   string // empty: started
		wantStart  string // the execution name started, empty: nothing started
		wantLists  int    // ListExecutions calls
		wantWhy    string
		wantNoCall bool // Step Functions is not asked at all
	}{
		{name: "a push to main starts the pipeline under the commit's name",
			event: func(t *testing.T) json.RawMessage { return sample(t, "git-push.json") }, sfn: &fakeSFN{},
			wantStart: "abalone-prod-commit-4e1243bd22c6", wantLists: 2},
		{name: "a drift alarm starts the pipeline under its window's name",
			event: func(t *testing.T) json.RawMessage { return sample(t, "drift-alarm-alarm.json") }, sfn: &fakeSFN{},
			wantStart: "abalone-prod-drift-20261120T1200", wantLists: 2},
		{name: "a push whose execution exists is a duplicate and starts nothing",
			event: func(t *testing.T) json.RawMessage { return sample(t, "git-push.json") },
			sfn: &fakeSFN{describe: func(in *sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error) {
				return &sfn.DescribeExecutionOutput{Name: aws.String("abalone-prod-commit-4e1243bd22c6"), Status: types.ExecutionStatusSucceeded,
					StartDate: aws.Time(now.Add(-time.Hour)), ExecutionArn: in.ExecutionArn}, nil
			}},
			wantRule: governor.RuleDuplicate, wantLists: 2, wantWhy: "already exists (SUCCEEDED"},
		{name: "a re-push after a failed run starts the second attempt",
			event: func(t *testing.T) json.RawMessage { return sample(t, "git-push.json") },
			sfn: &fakeSFN{describe: func(in *sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error) {
				if strings.HasSuffix(aws.ToString(in.ExecutionArn), ":abalone-prod-commit-4e1243bd22c6") {
					return &sfn.DescribeExecutionOutput{Name: aws.String("abalone-prod-commit-4e1243bd22c6"), Status: types.ExecutionStatusFailed,
						StartDate: aws.Time(now.Add(-time.Hour)), ExecutionArn: in.ExecutionArn}, nil
				}
				return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist")}
			}},
			wantStart: "abalone-prod-commit-4e1243bd22c6-a2", wantLists: 2, wantWhy: "retry 2 of failed execution abalone-prod-commit-4e1243bd22c6 (FAILED"},
		{name: "a re-push racing another re-push of a failed run collapses into its attempt",
			event: func(t *testing.T) json.RawMessage { return sample(t, "git-push.json") },
			sfn: &fakeSFN{describe: func(in *sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error) {
				if strings.HasSuffix(aws.ToString(in.ExecutionArn), ":abalone-prod-commit-4e1243bd22c6") {
					return &sfn.DescribeExecutionOutput{Name: aws.String("abalone-prod-commit-4e1243bd22c6"), Status: types.ExecutionStatusFailed,
						StartDate: aws.Time(now.Add(-time.Hour)), ExecutionArn: in.ExecutionArn}, nil
				}
				return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist")}
			}, start: func(in *sfn.StartExecutionInput) (*sfn.StartExecutionOutput, error) {
				return nil, &types.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists: " + aws.ToString(in.Name))}
			}},
			wantRule: governor.RuleDuplicate, wantLists: 2, wantWhy: "execution abalone-prod-commit-4e1243bd22c6-a2 already exists"},
		{name: "a re-push while the retry of a failed run succeeded is a duplicate of the retry",
			event: func(t *testing.T) json.RawMessage { return sample(t, "git-push.json") },
			sfn: &fakeSFN{describe: func(in *sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error) {
				name := aws.ToString(in.ExecutionArn)
				name = name[strings.LastIndex(name, ":")+1:]
				status := map[string]types.ExecutionStatus{"abalone-prod-commit-4e1243bd22c6": types.ExecutionStatusFailed,
					"abalone-prod-commit-4e1243bd22c6-a2": types.ExecutionStatusSucceeded}[name]
				if status == "" {
					return nil, &types.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist")}
				}
				return &sfn.DescribeExecutionOutput{Name: aws.String(name), Status: status, StartDate: aws.Time(now.Add(-time.Hour)), ExecutionArn: in.ExecutionArn}, nil
			}},
			wantRule: governor.RuleDuplicate, wantLists: 2, wantWhy: "execution abalone-prod-commit-4e1243bd22c6-a2 already exists (SUCCEEDED"},
		{name: "an execution that appeared between the check and the start is a duplicate, not an error",
			event: func(t *testing.T) json.RawMessage { return sample(t, "s3-object-created.json") },
			sfn: &fakeSFN{start: func(*sfn.StartExecutionInput) (*sfn.StartExecutionOutput, error) {
				return nil, &types.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists")}
			}},
			wantRule: governor.RuleDuplicate, wantLists: 2, wantWhy: "(StartExecution: Execution Already Exists)"},
		{name: "a schedule while a run is in flight starts nothing, found on the second page",
			event: func(t *testing.T) json.RawMessage { return sample(t, "scheduled-retrain.json") },
			sfn: &fakeSFN{list: func(in *sfn.ListExecutionsInput) (*sfn.ListExecutionsOutput, error) {
				if in.StatusFilter != types.ExecutionStatusRunning {
					return &sfn.ListExecutionsOutput{}, nil
				}
				if in.NextToken == nil {
					return &sfn.ListExecutionsOutput{NextToken: aws.String("p2"), Executions: []types.ExecutionListItem{
						item("iris-prod-sched-20261120T0300", types.ExecutionStatusRunning, now.Add(-time.Hour))}}, nil
				}
				return &sfn.ListExecutionsOutput{Executions: []types.ExecutionListItem{
					item("abalone-prod-commit-aaaaaaaaaaaa", types.ExecutionStatusRunning, now.Add(-72*time.Hour))}}, nil
			}},
			wantRule: governor.RuleInFlight, wantLists: 3, wantWhy: "abalone-prod-commit-aaaaaaaaaaaa"},
		{name: "a drift alarm within the cooldown starts nothing, and the listing stops at the horizon",
			event: func(t *testing.T) json.RawMessage { return sample(t, "drift-alarm-alarm.json") },
			sfn: &fakeSFN{list: func(in *sfn.ListExecutionsInput) (*sfn.ListExecutionsOutput, error) {
				if in.StatusFilter == types.ExecutionStatusRunning {
					return &sfn.ListExecutionsOutput{}, nil
				}
				if in.NextToken == nil {
					return &sfn.ListExecutionsOutput{NextToken: aws.String("p2"), Executions: []types.ExecutionListItem{
						item("abalone-prod-drift-20261120T0600", types.ExecutionStatusSucceeded, now.Add(-2*time.Hour))}}, nil
				}
				if aws.ToString(in.NextToken) == "p2" {
					return &sfn.ListExecutionsOutput{NextToken: aws.String("p3"), Executions: []types.ExecutionListItem{
						item("abalone-prod-commit-aaaaaaaaaaaa", types.ExecutionStatusSucceeded, now.Add(-40*time.Hour))}}, nil
				}
				panic("listed past the horizon")
			}},
			wantRule: governor.RuleCooldown, wantLists: 3, wantWhy: "within the 360-minute cooldown"},
		{name: "a push to a feature branch asks nothing and starts nothing",
			event: func(t *testing.T) json.RawMessage {
				return json.RawMessage(strings.Replace(string(sample(t, "git-push.json")), `"branch": "main"`, `"branch": "feature/x"`, 1))
			},
			sfn: &fakeSFN{}, wantRule: governor.RuleFeatureBranch, wantNoCall: true},
		{name: "a malformed event asks nothing and starts nothing",
			event: func(*testing.T) json.RawMessage {
				return json.RawMessage(`{"detail-type": "Git Push", "source": "kiln.git", "detail": `)
			},
			sfn: &fakeSFN{}, wantRule: governor.RuleUnknownEvent, wantNoCall: true, wantWhy: "decode event"},
		{name: "a drift alarm that returned to OK asks nothing and starts nothing",
			event: func(t *testing.T) json.RawMessage { return sample(t, "drift-alarm-ok.json") },
			sfn:   &fakeSFN{}, wantRule: governor.RuleUnknownEvent, wantNoCall: true},
		{name: "a CodeCommit update of a branch of another stage asks nothing and starts nothing",
			event: func(t *testing.T) json.RawMessage {
				return json.RawMessage(strings.Replace(string(sample(t, "codecommit-reference-updated.json")), `"referenceName": "main"`, `"referenceName": "develop"`, 1))
			},
			sfn: &fakeSFN{}, wantRule: governor.RuleOtherStage, wantNoCall: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := newHandler(tc.sfn, &logs)
			d, err := h.Handle(context.Background(), tc.event(t))
			require.NoError(t, err)
			assert.Equal(t, 1, strings.Count(logs.String(), "\n"), "one log line per decision: %s", logs.String())
			assert.Contains(t, d.Reason, tc.wantWhy)
			if tc.wantRule != "" {
				assert.Equal(t, governor.ActionSkipped, d.Action)
				assert.Equal(t, tc.wantRule, d.Rule, d.Reason)
				assert.Contains(t, logs.String(), `"rule":"`+tc.wantRule+`"`)
			}
			if tc.wantNoCall {
				assert.Empty(t, tc.sfn.described)
				assert.Empty(t, tc.sfn.lists)
			} else {
				assert.Len(t, tc.sfn.lists, tc.wantLists)
			}
			if tc.wantStart == "" {
				if tc.wantRule != governor.RuleDuplicate || len(tc.sfn.started) == 0 {
					assert.Empty(t, tc.sfn.started, "nothing is started")
				}
				return
			}
			require.Len(t, tc.sfn.started, 1)
			got := tc.sfn.started[0]
			assert.Equal(t, governor.ActionStarted, d.Action, d.Reason)
			assert.Equal(t, tc.wantStart, aws.ToString(got.Name))
			assert.Equal(t, pipelineARN, aws.ToString(got.StateMachineArn))
			assert.Equal(t, "arn:aws:states:us-east-1:000000000000:execution:kiln-prod-pipeline:"+tc.wantStart, d.ExecutionARN)
			assert.Equal(t, d.ExecutionARN, tc.sfn.described[len(tc.sfn.described)-1], "the started attempt was the last one described")
			want, err := json.Marshal(d.Input)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), aws.ToString(got.Input))
			var in statemachines.PipelineInput
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(got.Input)), &in))
			assert.Equal(t, tc.wantStart[:len("abalone-prod")], in.Model+"-"+in.Stage)
			assert.Contains(t, logs.String(), d.ExecutionARN)
		})
	}
}

func TestHandleReturnsStepFunctionsFailuresForARetry(t *testing.T) {
	throttled := errors.New("ThrottlingException: Rate exceeded")
	tests := []struct {
		name    string
		sfn     *fakeSFN
		wantErr string
	}{
		{name: "a failed DescribeExecution starts nothing",
			sfn:     &fakeSFN{describe: func(*sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error) { return nil, throttled }},
			wantErr: "describe execution arn:aws:states:us-east-1:000000000000:execution:kiln-prod-pipeline:abalone-prod-commit-4e1243bd22c6: ThrottlingException"},
		{name: "a failed ListExecutions starts nothing",
			sfn:     &fakeSFN{list: func(*sfn.ListExecutionsInput) (*sfn.ListExecutionsOutput, error) { return nil, throttled }},
			wantErr: "list running executions of " + pipelineARN},
		{name: "a failed StartExecution is returned",
			sfn:     &fakeSFN{start: func(*sfn.StartExecutionInput) (*sfn.StartExecutionOutput, error) { return nil, throttled }},
			wantErr: "start execution abalone-prod-commit-4e1243bd22c6: ThrottlingException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := newHandler(tc.sfn, &logs)
			_, err := h.Handle(context.Background(), sample(t, "git-push.json"))
			require.ErrorContains(t, err, tc.wantErr)
			assert.ErrorIs(t, err, throttled)
			if tc.sfn.start == nil {
				assert.Empty(t, tc.sfn.started)
			}
		})
	}
}

func TestHandleRefusesAStageNotInThePolicy(t *testing.T) {
	f := &fakeSFN{}
	var logs bytes.Buffer
	h := newHandler(f, &logs)
	h.Stage = "qa"
	_, err := h.Handle(context.Background(), sample(t, "git-push.json"))
	require.ErrorContains(t, err, `configure trigger: governor: stage "qa" is not in the policy`)
	assert.Empty(t, f.started)
	assert.Empty(t, f.described)
}
