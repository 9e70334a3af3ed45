// Package webhook is the webhook Lambda's handler: behind a Lambda function URL it verifies
// GitHub's X-Hub-Signature-256, drops redelivered deliveries, answers ping, and turns a push
// into a normalised "Git Push" event (source kiln.git) on the kiln bus.
//
// A Handler is safe for concurrent use; it caches the webhook secret after the first
// successful read.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// DefaultMaxBodyBytes is the body limit when Handler.MaxBodyBytes is zero: 5 MiB.
const DefaultMaxBodyBytes = 5 << 20

// Event source and detail type of the events the webhook puts on the kiln bus.
const (
	Source     = "kiln.git"
	DetailType = "Git Push"
)

// DeliveryPrefix is the key prefix of the dedupe markers in the artifacts bucket.
const DeliveryPrefix = "webhook/deliveries/"

// GitHub's headers, as a function URL delivers them (lower case).
const (
	headerEvent     = "x-github-event"
	headerDelivery  = "x-github-delivery"
	headerSignature = "x-hub-signature-256"
)

// SecretsAPI is the part of the Secrets Manager client the handler uses.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, params *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// ObjectsAPI is the part of the S3 client the handler uses for dedupe markers.
type ObjectsAPI interface {
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, params *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// EventsAPI is the part of the EventBridge client the handler uses.
type EventsAPI interface {
	PutEvents(ctx context.Context, params *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var (
	_ SecretsAPI = (*secretsmanager.Client)(nil)
	_ ObjectsAPI = (*s3.Client)(nil)
	_ EventsAPI  = (*eventbridge.Client)(nil)
)

// Handler handles GitHub webhook deliveries. Build it with its fields set; its zero cache
// reads the secret on the first request.
type Handler struct {
	// Secrets reads the webhook secret named SecretARN (KILN_WEBHOOK_SECRET_ARN) once.
	Secrets   SecretsAPI
	SecretARN string
	// S3 stores the dedupe markers in Bucket (KILN_ARTIFACTS_BUCKET).
	S3     ObjectsAPI
	Bucket string
	// Events puts Git Push events on BusName (KILN_BUS_NAME).
	Events  EventsAPI
	BusName string
	// MaxBodyBytes limits the (decoded) body; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int
	// Clock returns the current time (the event's time, the marker's receivedAt).
	Clock func() time.Time
	// Log receives one line per request.
	Log *slog.Logger

	mu     sync.Mutex
	secret []byte
}

// GitPush is the detail of a "Git Push" event (events/git-push.json).
type GitPush struct {
	Repository   string     `json:"repository"`
	Branch       string     `json:"branch"`
	Ref          string     `json:"ref"`
	Before       string     `json:"before"`
	After        string     `json:"after"`
	Forced       bool       `json:"forced"`
	Deleted      bool       `json:"deleted"`
	HeadCommit   HeadCommit `json:"headCommit"`
	ChangedPaths []string   `json:"changedPaths"`
	Pusher       string     `json:"pusher"`
	DeliveryID   string     `json:"deliveryId"`
}

// HeadCommit is the pushed branch's newest commit; Timestamp is RFC 3339 in UTC.
type HeadCommit struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	Timestamp string `json:"timestamp"`
	Author    string `json:"author"`
}

// Reply is the JSON body of every response.
type Reply struct {
	Message    string `json:"message"`
	DeliveryID string `json:"deliveryId,omitempty"`
	EventID    string `json:"eventId,omitempty"`
}

// outcome is one request's answer and what the log line says about it.
type outcome struct {
	status  int
	reply   Reply
	event   string
	problem error
}

// Handle answers one delivery. It never returns an error: every outcome is an HTTP status
// (401 bad signature, 413 too large, 400 malformed, 202 ignored, 200 done, 5xx when a
// dependency failed), logged once.
func (h *Handler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	o := h.handle(ctx, req)
	attrs := []any{slog.Int("status", o.status), slog.String("githubEvent", o.event),
		slog.String("deliveryId", header(req.Headers, headerDelivery)), slog.String("message", o.reply.Message)}
	if o.reply.EventID != "" {
		attrs = append(attrs, slog.String("eventId", o.reply.EventID))
	}
	switch {
	case o.status >= 500:
		h.Log.ErrorContext(ctx, "webhook failed", append(attrs, slog.Any("error", o.problem))...)
	case o.status >= 400:
		h.Log.WarnContext(ctx, "webhook rejected", attrs...)
	default:
		h.Log.InfoContext(ctx, "webhook handled", attrs...)
	}
	body, _ := json.Marshal(o.reply)
	return events.LambdaFunctionURLResponse{
		StatusCode: o.status,
		Headers:    map[string]string{"content-type": "application/json"},
		Body:       string(body),
	}, nil
}

func (h *Handler) handle(ctx context.Context, req events.LambdaFunctionURLRequest) outcome {
	event := header(req.Headers, headerEvent)
	answer := func(status int, format string, args ...any) outcome {
		return outcome{status: status, reply: Reply{Message: fmt.Sprintf(format, args...)}, event: event}
	}
	body, err := h.body(req)
	if err != nil {
		return answer(err.status, "%s", err.msg)
	}
	secret, serr := h.webhookSecret(ctx)
	if serr != nil {
		o := answer(http.StatusInternalServerError, "the webhook secret is unavailable")
		o.problem = serr
		return o
	}
	if msg, ok := Verify(secret, body, header(req.Headers, headerSignature)); !ok {
		return answer(http.StatusUnauthorized, "%s", msg)
	}
	switch event {
	case "ping":
		return answer(http.StatusOK, "pong")
	case "push":
	case "":
		return answer(http.StatusBadRequest, "missing X-GitHub-Event header")
	default:
		return answer(http.StatusAccepted, "event %q ignored: kiln acts on push and ping only", event)
	}
	delivery := header(req.Headers, headerDelivery)
	if !validDelivery(delivery) {
		return answer(http.StatusBadRequest, "missing or malformed X-GitHub-Delivery header %q", delivery)
	}
	push, perr := NormalisePush(body, delivery)
	if perr != nil {
		return answer(http.StatusBadRequest, "%v", perr)
	}
	if push.Deleted {
		return answer(http.StatusAccepted, "branch deleted, nothing to train")
	}
	if push.Branch == "" {
		return answer(http.StatusAccepted, "ref %s is not a branch, nothing to train", push.Ref)
	}
	return h.publish(ctx, push, event)
}

type bodyError struct {
	status int
	msg    string
}

func (h *Handler) maxBody() int {
	if h.MaxBodyBytes > 0 {
		return h.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

func header(headers map[string]string, name string) string {
	if v, ok := headers[name]; ok {
		return v
	}
	for k, v := range headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func validDelivery(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && r != '-' {
			return false
		}
	}
	return true
}

// webhookSecret returns the cached secret, reading it on first use; a failed read is not
// cached, so the next request tries again.
func (h *Handler) webhookSecret(ctx context.Context) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.secret != nil {
		return h.secret, nil
	}
	out, err := h.Secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &h.SecretARN})
	if err != nil {
		return nil, fmt.Errorf("get secret value %s: %w", h.SecretARN, err)
	}
	var s []byte
	switch {
	case out.SecretString != nil:
		s = []byte(*out.SecretString)
	default:
		s = out.SecretBinary
	}
	if len(s) == 0 {
		return nil, fmt.Errorf("get secret value %s: the secret is empty", h.SecretARN)
	}
	h.secret = s
	return s, nil
}
