package approval_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	kilnevents "github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

var (
	bucket     = topology.ArtifactsBucket(topology.Local("prod"))
	packageARN = "arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/4"
	execARN    = "arn:aws:states:us-east-1:000000000000:execution:kiln-prod-pipeline:abalone-prod-commit-4e1243bd22c6"
	token      = "AQCEAAAAKgAAAAMAAAAAAAAAAcnT2MXXh0N8RmFl3dYx2e4Q3w=="
	recordKey  = bucket + "/" + approval.RecordKey(packageARN)
	now        = time.Date(2026, 11, 20, 11, 3, 0, 0, time.UTC)
)

type fakeS3 struct {
	objects map[string][]byte
	puts    []string
	get     func() error
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if f.get != nil {
		if err := f.get(); err != nil {
			return nil, err
		}
	}
	b, ok := f.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]
	if !ok {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	key := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	f.objects[key] = b
	f.puts = append(f.puts, key)
	return &s3.PutObjectOutput{}, nil
}

type fakeSFN struct {
	err       error
	successes []*sfn.SendTaskSuccessInput
	failures  []*sfn.SendTaskFailureInput
}

func (f *fakeSFN) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	f.successes = append(f.successes, in)
	return &sfn.SendTaskSuccessOutput{}, f.err
}

func (f *fakeSFN) SendTaskFailure(_ context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	f.failures = append(f.failures, in)
	return &sfn.SendTaskFailureOutput{}, f.err
}

func event(t *testing.T, name string) events.CloudWatchEvent {
	t.Helper()
	b, err := kilnevents.Sample(name)
	require.NoError(t, err)
	var ev events.CloudWatchEvent
	require.NoError(t, json.Unmarshal(b, &ev))
	return ev
}

func waiting() []byte {
	b, _ := json.Marshal(approval.Record{TaskToken: token, ModelPackageARN: packageARN, ExecutionARN: execARN, RequestedAt: "2026-11-20T09:41:20Z"})
	return b
}

func TestHandle(t *testing.T) {
	approved := statemachines.Decision{Status: "Approved", ModelPackageARN: packageARN, DecidedBy: "grace",
		Description: "Reviewed the evaluation: MSE 4.5 beats production by 10%", DecidedAt: "2026-11-20T11:02:43Z"}
	rejectCause := "model package " + packageARN + " rejected by arn:aws:sts::000000000000:assumed-role/kiln-approvers/alan: " +
		"Residuals grow on the largest shells; retrain with the November data first"
	tests := []struct {
		name        string
		event       func(t *testing.T) events.CloudWatchEvent
		record      []byte // the stored token record; nil: none
		sfnErr      error
		s3Err       error
		wantOutcome string
		wantErr     string
		wantSuccess bool
		wantFailure bool
		wantMarked  bool
		wantLog     string
	}{
		{name: "an approval completes the waiting task with who decided and why",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-approved.json") }, record: waiting(),
			wantOutcome: approval.OutcomeSent, wantSuccess: true, wantMarked: true, wantLog: "approval sent to the waiting pipeline"},
		{name: "a rejection fails the waiting task with ModelPackageRejected, who and why",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-rejected.json") }, record: waiting(),
			wantOutcome: approval.OutcomeSent, wantFailure: true, wantMarked: true},
		{name: "a repeated approval is harmless and changes nothing",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-approved.json") },
			record: func() []byte {
				b, _ := json.Marshal(approval.Record{TaskToken: token, ModelPackageARN: packageARN, ExecutionARN: execARN, Decided: true,
					Decision: &approval.RecordedDecision{Decision: approved, Outcome: "sent"}})
				return b
			}(),
			wantOutcome: approval.OutcomeAlreadyDecided, wantLog: "approval already decided; repeat ignored"},
		{name: "an approval of a package nobody waits on is logged and changes nothing",
			event:       func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-approved.json") },
			wantOutcome: approval.OutcomeNoWaiter, wantLog: "no pipeline waits on this package"},
		{name: "a package pending approval is ignored",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-pending.json") }, record: waiting(),
			wantOutcome: approval.OutcomeIgnored, wantLog: "neither approved nor rejected"},
		{name: "an event of another kind is ignored",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "drift-alarm-alarm.json") }, record: waiting(),
			wantOutcome: approval.OutcomeIgnored, wantLog: "not a model package state change"},
		{name: "a task that no longer exists is harmless and the record says so",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-approved.json") }, record: waiting(),
			sfnErr:      &sfntypes.TaskDoesNotExist{Message: aws.String("Task does not exist anymore")},
			wantOutcome: "TaskDoesNotExist", wantSuccess: true, wantMarked: true, wantLog: "the pipeline no longer waits"},
		{name: "a token Step Functions refuses is harmless and the record says so",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-rejected.json") }, record: waiting(),
			sfnErr:      &sfntypes.InvalidToken{Message: aws.String("Invalid Token")},
			wantOutcome: "InvalidToken", wantFailure: true, wantMarked: true},
		{name: "a task that timed out is harmless and the record says so",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-approved.json") }, record: waiting(),
			sfnErr:      &sfntypes.TaskTimedOut{Message: aws.String("Task Timed Out")},
			wantOutcome: "TaskTimedOut", wantSuccess: true, wantMarked: true},
		{name: "a throttled SendTaskSuccess is returned for a retry and marks nothing",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-approved.json") }, record: waiting(),
			sfnErr:  errors.New("ThrottlingException: Rate exceeded"),
			wantErr: "send Approved decision for " + packageARN + " to " + execARN + ": ThrottlingException", wantSuccess: true},
		{name: "a failed record read is returned for a retry and sends nothing",
			event: func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-approved.json") }, record: waiting(),
			s3Err: errors.New("SlowDown"), wantErr: "get object s3://" + recordKey + ": SlowDown"},
		{name: "a malformed detail is a clear error and changes nothing",
			event: func(t *testing.T) events.CloudWatchEvent {
				ev := event(t, "model-package-approved.json")
				ev.Detail = json.RawMessage(`{"ModelPackageArn": 4}`)
				return ev
			},
			record: waiting(), wantErr: "decode model package state change 7c4d9e3f-0a6b-4c8d-8e2f-3a4b5c6d7e8f"},
		{name: "an event without a package ARN is a clear error and changes nothing",
			event: func(t *testing.T) events.CloudWatchEvent {
				ev := event(t, "model-package-approved.json")
				ev.Detail = json.RawMessage(`{"ModelApprovalStatus": "Approved"}`)
				return ev
			},
			record: waiting(), wantErr: "names no ModelPackageArn"},
		{name: "a corrupt token record is a clear error and sends nothing",
			event:  func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-approved.json") },
			record: []byte(`{"taskToken": `), wantErr: "decode token record s3://" + recordKey},
		{name: "a token record without a token is a clear error and sends nothing",
			event:  func(t *testing.T) events.CloudWatchEvent { return event(t, "model-package-approved.json") },
			record: []byte(`{"modelPackageArn": "x"}`), wantErr: "has no taskToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeS3{objects: map[string][]byte{}}
			if tc.record != nil {
				s.objects[recordKey] = tc.record
			}
			if tc.s3Err != nil {
				s.get = func() error { return tc.s3Err }
			}
			f := &fakeSFN{err: tc.sfnErr}
			var logs bytes.Buffer
			h := &approval.Handler{S3: s, Bucket: bucket, SFN: f, Clock: func() time.Time { return now },
				Log: slog.New(slog.NewJSONHandler(&logs, nil))}
			res, err := h.Handle(context.Background(), tc.event(t))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.wantOutcome, res.Outcome)
				assert.Contains(t, logs.String(), tc.wantLog)
			}
			assert.Equal(t, tc.wantSuccess, len(f.successes) == 1, "SendTaskSuccess calls: %d", len(f.successes))
			assert.Equal(t, tc.wantFailure, len(f.failures) == 1, "SendTaskFailure calls: %d", len(f.failures))
			if tc.wantSuccess {
				assert.Equal(t, token, aws.ToString(f.successes[0].TaskToken))
				var got statemachines.Decision
				require.NoError(t, json.Unmarshal([]byte(aws.ToString(f.successes[0].Output)), &got))
				assert.Equal(t, approved, got)
			}
			if tc.wantFailure {
				assert.Equal(t, token, aws.ToString(f.failures[0].TaskToken))
				assert.Equal(t, "ModelPackageRejected", aws.ToString(f.failures[0].Error))
				assert.Equal(t, rejectCause, aws.ToString(f.failures[0].Cause))
			}
			if !tc.wantMarked {
				assert.Empty(t, s.puts, "nothing is stored")
				return
			}
			require.Equal(t, []string{recordKey}, s.puts)
			var rec approval.Record
			require.NoError(t, json.Unmarshal(s.objects[recordKey], &rec))
			assert.True(t, rec.Decided)
			require.NotNil(t, rec.Decision)
			assert.Equal(t, tc.wantOutcome, rec.Decision.Outcome)
			assert.Equal(t, token, rec.TaskToken, "the record keeps the token")
			assert.Equal(t, execARN, rec.ExecutionARN)

			// The same event again sends and stores nothing more.
			sent := len(f.successes) + len(f.failures)
			again, err := h.Handle(context.Background(), tc.event(t))
			require.NoError(t, err)
			assert.Equal(t, approval.OutcomeAlreadyDecided, again.Outcome)
			assert.Len(t, s.puts, 1)
			assert.Equal(t, sent, len(f.successes)+len(f.failures))
		})
	}
}

func TestRecordKeyIsTheHexSHA256OfTheARN(t *testing.T) {
	// sha256("arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/4"), by sha256sum.
	assert.Equal(t, "approvals/1c914ad7aa34851ca13cfed6da7010928d5010565603d3b994c5f51eca933d6b.json", approval.RecordKey(packageARN))
	assert.NotEqual(t, approval.RecordKey(packageARN), approval.RecordKey(packageARN+"0"))
}

func TestTimeAcceptsSageMakersFormats(t *testing.T) {
	tests := []struct {
		name, json string
		want       time.Time
	}{
		{"an RFC 3339 string with milliseconds", `"2026-11-20T11:02:43.907Z"`, time.Date(2026, 11, 20, 11, 2, 43, 907e6, time.UTC)},
		{"epoch milliseconds as a number", `1795172563907`, time.Date(2026, 11, 20, 11, 2, 43, 907e6, time.UTC)},
		{"epoch milliseconds as a string", `"1795172563907"`, time.Date(2026, 11, 20, 11, 2, 43, 907e6, time.UTC)},
		{"null", `null`, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got approval.Time
			require.NoError(t, json.Unmarshal([]byte(tc.json), &got))
			assert.True(t, tc.want.Equal(got.Time), "got %v, want %v", got.Time, tc.want)
		})
	}
	var bad approval.Time
	assert.ErrorContains(t, json.Unmarshal([]byte(`"yesterday"`), &bad), "neither RFC 3339 nor epoch milliseconds")
}
