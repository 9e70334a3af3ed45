package logs

import (
	"context"
	"log/slog"
	"strings"
)

// Handler returns a slog.Handler that writes every record at info level or above, as one
// line of slog's JSON form, into group (stream "local"), besides passing it to next (nil: no
// one). Put failures are dropped: logging never fails the function.
func (s *Service) Handler(group string, next slog.Handler) slog.Handler {
	return &teeHandler{json: slog.NewJSONHandler(&lineWriter{svc: s, group: group}, nil), next: next}
}

// lineWriter puts each write (slog's JSON handler writes one whole line per record) as an event.
type lineWriter struct {
	svc   *Service
	group string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	_ = w.svc.Put(w.group, "local", w.svc.clock.Now(), strings.TrimSuffix(string(p), "\n"))
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
		_ = t.json.Handle(ctx, r)
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
