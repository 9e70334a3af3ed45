package eventbus

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentPutsRuleChangesAndReplays runs puts, rule changes, target edits and replays
// at once; under -race it proves the service's locking, and at the end every accepted event
// reached the rule that never changed.
func TestConcurrentPutsRuleChangesAndReplays(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.PutRule(Rule{Name: "steady", EventPattern: `{"source":["kiln.test"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("steady")}}}))
	const writers, perWriter = 4, 25
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				res, err := f.svc.PutEvents(context.Background(), []Entry{{Source: "kiln.test", DetailType: "T",
					Detail: fmt.Sprintf(`{"w":%d,"i":%d}`, w, i)}})
				assert.NoError(t, err)
				assert.Zero(t, res.FailedEntryCount)
			}
		}(w)
	}
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			name := fmt.Sprintf("churn-%d", i%3)
			assert.NoError(t, f.svc.PutRule(Rule{Name: name, EventPattern: `{"detail":{"w":[0,1]}}`,
				Targets: []Target{{ID: "t", ARN: lambdaARN("churn")}}}))
			f.svc.DeleteRule("", fmt.Sprintf("churn-%d", (i+1)%3))
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 30; i++ {
			_ = f.svc.PutTargets("", "churn-0", []Target{{ID: fmt.Sprint("x", i%5), ARN: lambdaARN("churn")}})
			_, _ = f.svc.ListRules("", "")
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			_, err := f.svc.Replay(context.Background(), t0.Add(-time.Hour), t0.Add(time.Hour), "steady")
			assert.NoError(t, err)
		}
	}()
	wg.Wait()
	f.wait(t)
	archived, err := f.svc.Archived(time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Len(t, archived, writers*perWriter)
	assert.GreaterOrEqual(t, f.lambda.count("steady"), writers*perWriter, "each event reached the steady rule, replays add more")
}
