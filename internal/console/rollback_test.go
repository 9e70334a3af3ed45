package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/console"
	"github.com/kiln-dev/kiln/internal/release"
)

// fakeReleases records rollbacks and answers with err.
type fakeReleases struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeReleases) Rollback(_ context.Context, model, stage string, to int, who, why string) (release.Rolled, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("%s %s %d %s: %s", model, stage, to, who, why))
	if f.err != nil {
		return release.Rolled{}, f.err
	}
	return release.Rolled{ExecutionARN: "arn:x:rb", Model: model, Stage: stage}, nil
}

func TestTheRollbackButtonTakesTheSamePathAsKilnRollback(t *testing.T) {
	tests := []struct {
		name, body string
		err        error
		code       int
		want       string // the call made, or the error's words
	}{
		{"a rollback with a reason goes to the previous release", `{"endpoint":"kiln-prod-abalone","reason":"slow","who":"Ada"}`, nil, 200, "abalone prod 0 Ada: slow"},
		{"a rollback to a named version names it", `{"endpoint":"kiln-prod-abalone","to":3,"reason":"v3 was fine"}`, nil, 200, "abalone prod 3 console: v3 was fine"},
		{"a rollback without a reason changes nothing", `{"endpoint":"kiln-prod-abalone","reason":" "}`, nil, 400, "a reason is required"},
		{"another stage's endpoint changes nothing", `{"endpoint":"kiln-staging-abalone","reason":"x"}`, nil, 400, "not an endpoint of stage prod"},
		{"a negative version changes nothing", `{"endpoint":"kiln-prod-abalone","to":-1,"reason":"x"}`, nil, 400, "not a package version"},
		{"a body that is not JSON changes nothing", `roll back`, nil, 400, "not a JSON object"},
		{"a rejected package is refused with the releaser's reason", `{"endpoint":"kiln-prod-abalone","to":2,"reason":"x"}`,
			fmt.Errorf("roll back: %w: p/2 is Rejected", release.ErrNotApproved), 400, "p/2 is Rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := &fakeReleases{err: tt.err}
			h := &console.Handler{Releases: rel, Stage: "prod"}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/console/api/rollback", strings.NewReader(tt.body)))
			assert.Equal(t, tt.code, rec.Code, rec.Body.String())
			if tt.code != 200 {
				assert.Contains(t, rec.Body.String(), tt.want)
				if tt.err == nil {
					assert.Empty(t, rel.calls, "nothing was asked of the releaser")
				}
				return
			}
			require.Equal(t, []string{tt.want}, rel.calls)
			assert.Contains(t, rec.Body.String(), `"executionArn":"arn:x:rb"`, "the answer names the deploy execution at once")
		})
	}
}
