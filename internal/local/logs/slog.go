package logs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Handler returns a slog.Handler that writes every record at info level or above, as one
// line of slog's JSON form, into stream of group, besides passing it to next (nil: no one).
// A record logged with a Lambda context (an invocation's) carries its requestId. Put failures
// are dropped: logging never fails the function.
func (s *Service) Handler(group, stream string, next slog.Handler) slog.Handler {
	return &teeHandler{json: slog.NewJSONHandler(&lineWriter{svc: s, group: group, stream: stream}, nil), next: next}
}

// EnvironmentStream returns a log stream name as Lambda names an execution environment's
// stream: the day it started, the version, and 32 random hex digits
// (2026/12/06/[$LATEST]0f3c...).
func EnvironmentStream(started time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return started.UTC().Format("2006/01/02") + "/[$LATEST]" + hex.EncodeToString(b[:])
}

// lineWriter puts each write (slog's JSON handler writes one whole line per record) as an event.
type lineWriter struct {
	svc           *Service
	group, stream string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	_ = w.svc.Put(w.group, w.stream, w.svc.clock.Now(), strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

type teeHandler struct {
	json slog.Handler
	next slog.Handler
}

func (t *teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || (t.next != nil && t.next.Enabled(ctx, l))
}

func (t *teeHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelInfo {
		rec := r
		if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
			rec = r.Clone()
			rec.AddAttrs(slog.String("requestId", lc.AwsRequestID))
		}
		_ = t.json.Handle(ctx, rec)
	}
	if t.next != nil && t.next.Enabled(ctx, r.Level) {
		return t.next.Handle(ctx, r)
	}
	return nil
}

func (t *teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := &teeHandler{json: t.json.WithAttrs(as)}
	if t.next != nil {
		c.next = t.next.WithAttrs(as)
	}
	return c
}

func (t *teeHandler) WithGroup(name string) slog.Handler {
	c := &teeHandler{json: t.json.WithGroup(name)}
	if t.next != nil {
		c.next = t.next.WithGroup(name)
	}
	return c
}
