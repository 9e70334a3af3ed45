package asl

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/lambdaerr"
)

// rejected is a handler error that declares a name, as kiln's handlers' errors do.
type rejected struct{}

func (rejected) Error() string     { return "mse over the gate" }
func (rejected) ErrorName() string { return "ModelRejectedError" }

// TestLambdaErrorsAreNamedByTheRuntimeRule pins which name a Catch sees for a Lambda task: a
// function's error by the Lambda Go runtime's rule (so an unwrapped wrapper is "wrapError",
// exactly as on AWS), and a SendTaskFailure on a callback task by the name its caller gave.
func TestLambdaErrorsAreNamedByTheRuntimeRule(t *testing.T) {
	tests := []struct {
		name     string
		resource string
		fail     func(e *Engine, token string) error
		want     string
	}{
		{"a wrapped named error the handler did not pass through lambdaerr.Wrap is wrapError",
			"arn:aws:states:::lambda:invoke", func(*Engine, string) error { return fmt.Errorf("evaluate: %w", rejected{}) }, "wrapError"},
		{"lambdaerr.Wrap gives the declared name", "arn:aws:states:::lambda:invoke",
			func(*Engine, string) error { return lambdaerr.Wrap(fmt.Errorf("evaluate: %w", rejected{})) }, "ModelRejectedError"},
		{"an error type returned as is is its Go type name, whatever ErrorName says",
			"arn:aws:states:::lambda:invoke", func(*Engine, string) error { return rejected{} }, "rejected"},
		{"a SendTaskFailure keeps the caller's error name", "arn:aws:states:::lambda:invoke.waitForTaskToken",
			func(e *Engine, token string) error {
				go func() { _ = e.SendTaskFailure(token, "ModelPackageRejected", "rejected by a reviewer") }()
				return nil
			}, "ModelPackageRejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e *Engine
			res := NewResources()
			res.Handle("lambda:invoke", LambdaHandler(func(ctx context.Context, fn string, payload any) (any, error) {
				token, _ := payload.(map[string]any)["token"].(string)
				if err := tt.fail(e, token); err != nil {
					return nil, err
				}
				return map[string]any{}, nil
			}))
			payload := `{}`
			if strings.HasSuffix(tt.resource, ".waitForTaskToken") {
				payload = `{"token.$":"$$.Task.Token"}` // the context has a token only on callback tasks
			}
			m, err := Parse([]byte(`{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"` + tt.resource + `",
				"Parameters":{"FunctionName":"f","Payload":` + payload + `},
				"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.caught","Next":"Caught"}],"End":true},
				"Caught":{"Type":"Pass","OutputPath":"$.caught.Error","End":true}}}`))
			require.NoError(t, err)
			e = NewEngine(Options{Resources: res, Clock: clock.NewVirtual(time.Time{}), Seed: 1})
			_, r, err := e.Run(context.Background(), m, StartInput{Name: "x", Input: []byte(`{}`)})
			require.NoError(t, err)
			require.Equal(t, StatusSucceeded, r.Status, "%s %s", r.Error, r.Cause)
			assert.JSONEq(t, `"`+tt.want+`"`, string(r.Output))
		})
	}
}
