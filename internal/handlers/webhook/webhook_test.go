package webhook_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	kilnevents "github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/handlers/webhook"
	"github.com/kiln-dev/kiln/internal/topology"
)

// testSecret is the documented test secret the samples events/github-*.json are signed with
// (see events/README.md). events/github-push-forged.json carries the signature of a different
// body: its ref was changed after signing.
const testSecret = "kiln-webhook-test-secret"

var (
	secretARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:kiln-prod-webhook-AbCdEf"
	bucket    = topology.ArtifactsBucket(topology.Local("prod"))
	bus       = topology.BusName("prod")
	now       = time.Date(2026, 11, 20, 9, 15, 2, 0, time.UTC)
)

type fakeSecrets struct {
	get   func() (*secretsmanager.GetSecretValueOutput, error)
	calls int
}

func (f *fakeSecrets) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.calls++
	if aws.ToString(in.SecretId) != secretARN {
		return nil, errors.New("ResourceNotFoundException: no secret " + aws.ToString(in.SecretId))
	}
	if f.get != nil {
		return f.get()
	}
	return &secretsmanager.GetSecretValueOutput{ARN: in.SecretId, SecretString: aws.String(testSecret)}, nil
}

// fakeS3 keeps objects in a map and answers a conditional write of an existing key as S3
// does: an operation error wrapping HTTP 412 PreconditionFailed.
type fakeS3 struct {
	objects map[string][]byte
	put     func(*s3.PutObjectInput) error
	deleted []string
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if f.put != nil {
		if err := f.put(in); err != nil {
			return nil, err
		}
	}
	key := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	if _, ok := f.objects[key]; ok && aws.ToString(in.IfNoneMatch) == "*" {
		return nil, preconditionFailed()
	}
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	if f.objects == nil {
		f.objects = map[string][]byte{}
	}
	f.objects[key] = b
	return &s3.PutObjectOutput{ETag: aws.String(`"etag"`)}, nil
}

func (f *fakeS3) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	key := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	f.deleted = append(f.deleted, key)
	delete(f.objects, key)
	return &s3.DeleteObjectOutput{}, nil
}

func preconditionFailed() error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "PutObject", Err: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusPreconditionFailed}},
		Err:      &smithy.GenericAPIError{Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold"},
	}}
}

type fakeEvents struct {
	put     func(*eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error)
	entries []ebtypes.PutEventsRequestEntry
}

func (f *fakeEvents) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	if f.put != nil {
		return f.put(in)
	}
	f.entries = append(f.entries, in.Entries...)
	return &eventbridge.PutEventsOutput{Entries: []ebtypes.PutEventsResultEntry{{EventId: aws.String("6f1c2a8e-3b4d-4c1a-9e7f-2d5b8a0c4e11")}}}, nil
}

func request(t *testing.T, name string) events.LambdaFunctionURLRequest {
	t.Helper()
	b, err := kilnevents.Sample(name)
	require.NoError(t, err)
	var req events.LambdaFunctionURLRequest
	require.NoError(t, json.Unmarshal(b, &req))
	return req
}

// resigned returns the push sample with its body changed by edit and signed again with the
// test secret, as GitHub would have sent it.
func resigned(t *testing.T, event string, edit func(map[string]any)) events.LambdaFunctionURLRequest {
	t.Helper()
	req := request(t, "github-push.json")
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(req.Body), &body))
	edit(body)
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return withBody(req, event, b)
}

func withBody(req events.LambdaFunctionURLRequest, event string, body []byte) events.LambdaFunctionURLRequest {
	h := map[string]string{}
	for k, v := range req.Headers {
		h[k] = v
	}
	h["x-github-event"] = event
	h["x-hub-signature-256"] = webhook.Sign([]byte(testSecret), body)
	req.Headers, req.Body, req.IsBase64Encoded = h, string(body), false
	return req
}

func withHeader(req events.LambdaFunctionURLRequest, name, value string) events.LambdaFunctionURLRequest {
	h := map[string]string{}
	for k, v := range req.Headers {
		h[k] = v
	}
	if value == "" {
		delete(h, name)
	} else {
		h[name] = value
	}
	req.Headers = h
	return req
}

type world struct {
	secrets *fakeSecrets
	s3      *fakeS3
	events  *fakeEvents
	logs    bytes.Buffer
}

func (w *world) handler() *webhook.Handler {
	return &webhook.Handler{
		Secrets: w.secrets, SecretARN: secretARN, S3: w.s3, Bucket: bucket, Events: w.events, BusName: bus,
		Clock: func() time.Time { return now }, Log: slog.New(slog.NewJSONHandler(&w.logs, nil)),
	}
}

const pushMarker = "kiln-prod-artifacts-000000000000-us-east-1/webhook/deliveries/72d3162e-cc78-11e3-81ab-4c9367dc0958"

func TestHandle(t *testing.T) {
	tests := []struct {
		name       string
		req        func(t *testing.T) events.LambdaFunctionURLRequest
		setup      func(w *world)
		maxBody    int
		wantStatus int
		wantMsg    string
		wantPut    bool // one Git Push event put on the bus, and the marker kept
		wantStored []string
		wantSecret int // GetSecretValue calls
	}{
		{name: "a signed push puts one Git Push event and records the delivery",
			req:        func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push.json") },
			wantStatus: 200, wantMsg: "push of 4e1243bd22c6 to main accepted", wantPut: true, wantStored: []string{pushMarker}, wantSecret: 1},
		{name: "a push the function URL base64-encoded is verified over the decoded body",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				req := request(t, "github-push.json")
				req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(req.Body)), true
				return req
			},
			wantStatus: 200, wantPut: true, wantStored: []string{pushMarker}, wantSecret: 1},
		{name: "a ping is answered with pong and stores nothing",
			req:        func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-ping.json") },
			wantStatus: 200, wantMsg: "pong", wantSecret: 1},
		{name: "a forged push is refused with 401 and puts nothing",
			req:        func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push-forged.json") },
			wantStatus: 401, wantMsg: "X-Hub-Signature-256 does not match the body", wantSecret: 1},
		{name: "a push without a signature is refused with 401 and puts nothing",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return withHeader(request(t, "github-push.json"), "x-hub-signature-256", "")
			},
			wantStatus: 401, wantMsg: "missing X-Hub-Signature-256 header", wantSecret: 1},
		{name: "a push signed with SHA-1 only is refused with 401",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				req := request(t, "github-push.json")
				return withHeader(req, "x-hub-signature-256", req.Headers["x-hub-signature"])
			},
			wantStatus: 401, wantMsg: "does not start with sha256=", wantSecret: 1},
		{name: "a signature that is not a hex digest is refused with 401",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return withHeader(request(t, "github-push.json"), "x-hub-signature-256", "sha256=zz")
			},
			wantStatus: 401, wantMsg: "is not a hex SHA-256 digest", wantSecret: 1},
		{name: "a body over the limit is refused with 413 before the secret is read",
			req:        func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push.json") },
			maxBody:    1024,
			wantStatus: 413, wantMsg: "body exceeds the limit of 1024 bytes"},
		{name: "a base64 body over the limit is refused with 413 without decoding it",
			req:        func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-ping.json") },
			maxBody:    512,
			wantStatus: 413, wantMsg: "body exceeds the limit of 512 bytes"},
		{name: "a body flagged base64 that does not decode is refused with 400",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				req := request(t, "github-push.json")
				req.IsBase64Encoded = true
				return req
			},
			wantStatus: 400, wantMsg: "body is flagged base64 but does not decode"},
		{name: "an issues event is accepted with 202 and its reason, and puts nothing",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return withBody(request(t, "github-push.json"), "issues", []byte(`{"action":"opened"}`))
			},
			wantStatus: 202, wantMsg: `event "issues" ignored: kiln acts on push and ping only`, wantSecret: 1},
		{name: "a signed delivery without an event header is refused with 400",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return withHeader(request(t, "github-push.json"), "x-github-event", "")
			},
			wantStatus: 400, wantMsg: "missing X-GitHub-Event header", wantSecret: 1},
		{name: "a signed push of malformed JSON is refused with 400 and puts nothing",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return withBody(request(t, "github-push.json"), "push", []byte(`{"ref": "refs/heads/main", `))
			},
			wantStatus: 400, wantMsg: "malformed JSON push payload", wantSecret: 1},
		{name: "a signed form-encoded push is refused with 400 naming the content type to use",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return withBody(request(t, "github-push.json"), "push", []byte(`payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%7D`))
			},
			wantStatus: 400, wantMsg: "the webhook's content type must be application/json", wantSecret: 1},
		{name: "a signed push without a repository is refused with 400",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return resigned(t, "push", func(b map[string]any) { delete(b, "repository") })
			},
			wantStatus: 400, wantMsg: "push payload has no repository.full_name", wantSecret: 1},
		{name: "a push that deletes a branch is accepted with 202 and puts nothing",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return resigned(t, "push", func(b map[string]any) {
					b["deleted"], b["after"], b["head_commit"], b["commits"] = true, "0000000000000000000000000000000000000000", nil, []any{}
				})
			},
			wantStatus: 202, wantMsg: "branch deleted, nothing to train", wantSecret: 1},
		{name: "a tag push is accepted with 202 and puts nothing",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return resigned(t, "push", func(b map[string]any) { b["ref"] = "refs/tags/v1.4.0" })
			},
			wantStatus: 202, wantMsg: "ref refs/tags/v1.4.0 is not a branch, nothing to train", wantSecret: 1},
		{name: "a push without a delivery id is refused with 400 and puts nothing",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return withHeader(request(t, "github-push.json"), "x-github-delivery", "")
			},
			wantStatus: 400, wantMsg: "missing or malformed X-GitHub-Delivery header", wantSecret: 1},
		{name: "a delivery id that is not a GUID is refused with 400",
			req: func(t *testing.T) events.LambdaFunctionURLRequest {
				return withHeader(request(t, "github-push.json"), "x-github-delivery", "../../approvals/x")
			},
			wantStatus: 400, wantMsg: "missing or malformed X-GitHub-Delivery header", wantSecret: 1},
		{name: "a redelivered push is answered 200 as a duplicate and puts nothing",
			req:        func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push.json") },
			setup:      func(w *world) { w.s3.objects = map[string][]byte{pushMarker: []byte(`{}`)} },
			wantStatus: 200, wantMsg: "duplicate delivery, ignored", wantStored: []string{pushMarker}, wantSecret: 1},
		{name: "a conditional write refused with a bare HTTP 412 is a duplicate too",
			req: func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push.json") },
			setup: func(w *world) {
				w.s3.put = func(*s3.PutObjectInput) error {
					return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 412}}, Err: errors.New("precondition failed")}
				}
			},
			wantStatus: 200, wantMsg: "duplicate delivery, ignored", wantSecret: 1},
		{name: "a failed PutEvents releases the delivery and answers 502",
			req: func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push.json") },
			setup: func(w *world) {
				w.events.put = func(*eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
					return nil, errors.New("ThrottlingException: Rate exceeded")
				}
			},
			wantStatus: 502, wantMsg: "could not put the Git Push event", wantSecret: 1},
		{name: "a PutEvents entry that failed releases the delivery and answers 502",
			req: func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push.json") },
			setup: func(w *world) {
				w.events.put = func(*eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
					return &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []ebtypes.PutEventsResultEntry{
						{ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("try again")}}}, nil
				}
			},
			wantStatus: 502, wantMsg: "could not put the Git Push event", wantSecret: 1},
		{name: "a failed marker write answers 502 and puts nothing",
			req: func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push.json") },
			setup: func(w *world) {
				w.s3.put = func(*s3.PutObjectInput) error { return errors.New("AccessDenied: no") }
			},
			wantStatus: 502, wantMsg: "could not record the delivery", wantSecret: 1},
		{name: "an unavailable secret answers 500 and puts nothing",
			req: func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push.json") },
			setup: func(w *world) {
				w.secrets.get = func() (*secretsmanager.GetSecretValueOutput, error) { return nil, errors.New("AccessDeniedException") }
			},
			wantStatus: 500, wantMsg: "the webhook secret is unavailable", wantSecret: 1},
		{name: "an empty secret answers 500 and puts nothing",
			req: func(t *testing.T) events.LambdaFunctionURLRequest { return request(t, "github-push.json") },
			setup: func(w *world) {
				w.secrets.get = func() (*secretsmanager.GetSecretValueOutput, error) {
					return &secretsmanager.GetSecretValueOutput{SecretString: aws.String("")}, nil
				}
			},
			wantStatus: 500, wantMsg: "the webhook secret is unavailable", wantSecret: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &world{secrets: &fakeSecrets{}, s3: &fakeS3{}, events: &fakeEvents{}}
			if tc.setup != nil {
				tc.setup(w)
			}
			h := w.handler()
			h.MaxBodyBytes = tc.maxBody
			resp, err := h.Handle(context.Background(), tc.req(t))
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, resp.StatusCode, resp.Body)
			assert.Equal(t, "application/json", resp.Headers["content-type"])
			var reply webhook.Reply
			require.NoError(t, json.Unmarshal([]byte(resp.Body), &reply))
			assert.Contains(t, reply.Message, tc.wantMsg)
			assert.Equal(t, tc.wantSecret, w.secrets.calls)
			assert.Equal(t, 1, strings.Count(w.logs.String(), "\n"), "one log line per request")

			stored := []string{}
			for k := range w.s3.objects {
				stored = append(stored, k)
			}
			if tc.wantStored == nil {
				tc.wantStored = []string{}
			}
			assert.ElementsMatch(t, tc.wantStored, stored, "objects stored")
			if !tc.wantPut {
				if tc.wantStatus == 502 && w.events.put != nil {
					assert.Equal(t, []string{pushMarker}, w.s3.deleted, "the delivery is released")
				}
				assert.Empty(t, w.events.entries, "nothing is put on the bus")
				return
			}
			require.Len(t, w.events.entries, 1)
			assertGitPush(t, w.events.entries[0])
			assert.Equal(t, "6f1c2a8e-3b4d-4c1a-9e7f-2d5b8a0c4e11", reply.EventID)
			assert.Equal(t, "72d3162e-cc78-11e3-81ab-4c9367dc0958", reply.DeliveryID)
		})
	}
}

// assertGitPush checks the entry is the sample events/git-push.json.
func assertGitPush(t *testing.T, e ebtypes.PutEventsRequestEntry) {
	t.Helper()
	b, err := kilnevents.Sample("git-push.json")
	require.NoError(t, err)
	var want struct {
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Time       time.Time       `json:"time"`
		Detail     json.RawMessage `json:"detail"`
	}
	require.NoError(t, json.Unmarshal(b, &want))
	assert.Equal(t, want.Source, aws.ToString(e.Source))
	assert.Equal(t, want.DetailType, aws.ToString(e.DetailType))
	assert.Equal(t, bus, aws.ToString(e.EventBusName))
	assert.Equal(t, want.Time, aws.ToTime(e.Time))
	assert.JSONEq(t, string(want.Detail), aws.ToString(e.Detail))
}

func TestSignMatchesGitHubsTestVector(t *testing.T) {
	// From GitHub's documentation on validating webhook deliveries.
	got := webhook.Sign([]byte("It's a Secret to Everybody"), []byte("Hello, World!"))
	assert.Equal(t, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", got)
	_, ok := webhook.Verify([]byte("It's a Secret to Everybody"), []byte("Hello, World!"), got)
	assert.True(t, ok)
	_, ok = webhook.Verify([]byte("It's a Secret to Everybody"), []byte("Hello, World?"), got)
	assert.False(t, ok)
}

func TestTheSecretIsReadOnceAndRetriedAfterAFailure(t *testing.T) {
	fail := true
	w := &world{s3: &fakeS3{}, events: &fakeEvents{}, secrets: &fakeSecrets{}}
	w.secrets.get = func() (*secretsmanager.GetSecretValueOutput, error) {
		if fail {
			return nil, errors.New("InternalServiceError")
		}
		return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(testSecret)}, nil
	}
	h := w.handler()
	ping := request(t, "github-ping.json")

	resp, err := h.Handle(context.Background(), ping)
	require.NoError(t, err)
	assert.Equal(t, 500, resp.StatusCode)

	fail = false
	for range 3 {
		resp, err = h.Handle(context.Background(), ping)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
	}
	assert.Equal(t, 2, w.secrets.calls, "one failed read, then one read cached for every later request")
}

func TestTheSecretMayBeBinary(t *testing.T) {
	w := &world{s3: &fakeS3{}, events: &fakeEvents{}, secrets: &fakeSecrets{get: func() (*secretsmanager.GetSecretValueOutput, error) {
		return &secretsmanager.GetSecretValueOutput{SecretBinary: []byte(testSecret)}, nil
	}}}
	resp, err := w.handler().Handle(context.Background(), request(t, "github-ping.json"))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
}

func TestNormalisePushCollectsEveryChangedPathOnce(t *testing.T) {
	body := []byte(`{"ref":"refs/heads/release/1.4","before":"a","after":"4e1243bd22c66e76c2ba9eddc1f91394e57f9f83",
		"repository":{"full_name":"kiln-dev/abalone-model"},"pusher":{"name":"ada"},"forced":true,
		"head_commit":{"id":"4e1243bd22c66e76c2ba9eddc1f91394e57f9f83","message":"m","timestamp":"not a time","author":{"name":"Ada"}},
		"commits":[{"added":["b.go"],"removed":["a.go"],"modified":["c.go"]},{"added":[],"removed":[],"modified":["b.go","a.go"]}]}`)
	got, err := webhook.NormalisePush(body, "d1")
	require.NoError(t, err)
	assert.Equal(t, webhook.GitPush{
		Repository: "kiln-dev/abalone-model", Branch: "release/1.4", Ref: "refs/heads/release/1.4", Before: "a",
		After: "4e1243bd22c66e76c2ba9eddc1f91394e57f9f83", Forced: true,
		HeadCommit:   webhook.HeadCommit{ID: "4e1243bd22c66e76c2ba9eddc1f91394e57f9f83", Message: "m", Timestamp: "not a time", Author: "Ada"},
		ChangedPaths: []string{"a.go", "b.go", "c.go"}, Pusher: "ada", DeliveryID: "d1",
	}, got)
}

func TestConcurrentRequestsReadTheSecretOnce(t *testing.T) {
	w := &world{secrets: &fakeSecrets{}, s3: &fakeS3{}, events: &fakeEvents{}}
	h := w.handler()
	h.Log = slog.New(slog.DiscardHandler)
	ping := request(t, "github-ping.json")
	done := make(chan int, 8)
	for range 8 {
		go func() {
			resp, _ := h.Handle(context.Background(), ping)
			done <- resp.StatusCode
		}()
	}
	for range 8 {
		assert.Equal(t, 200, <-done)
	}
	assert.Equal(t, 1, w.secrets.calls)
}

// BenchmarkVerify measures the signature check of a body at the default 5 MiB limit: the
// webhook must answer GitHub within 10 seconds.
func BenchmarkVerify(b *testing.B) {
	body := bytes.Repeat([]byte("a"), webhook.DefaultMaxBodyBytes)
	secret := []byte(testSecret)
	sig := webhook.Sign(secret, body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, ok := webhook.Verify(secret, body, sig); !ok {
			b.Fatal("the signature does not verify")
		}
	}
}
