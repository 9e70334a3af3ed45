package governor_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

var bucket = topology.ArtifactsBucket(topology.Local("prod"))

// sample returns the sample event name, changed by edit (which may be nil).
func sample(t *testing.T, name string, edit func(map[string]any)) []byte {
	t.Helper()
	b, err := events.Sample(name)
	require.NoError(t, err)
	if edit == nil {
		return b
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	edit(m)
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

func detail(m map[string]any) map[string]any { return m["detail"].(map[string]any) }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestGovernorDecides(t *testing.T) {
	// The samples happen on 2026-11-20; the drift alarm at 14:05:40, in the 12:00 window of
	// the default 360-minute cooldown.
	now := at("2026-11-20T14:06:00Z")
	tests := []struct {
		name     string
		event    func(t *testing.T) []byte
		facts    governor.Facts
		stage    string
		wantRule string // empty: started
		wantExec string
		wantWhy  string
	}{
		{name: "a push to main starts a prod run named after the commit",
			event:    func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			wantExec: "abalone-prod-commit-4e1243bd22c6", wantWhy: "commit 4e1243bd22c6 on main"},
		{name: "a CodeCommit update of main starts a run named after its commit",
			event:    func(t *testing.T) []byte { return sample(t, "codecommit-reference-updated.json", nil) },
			wantExec: "abalone-prod-commit-7c2d5e8f1a3b", wantWhy: "on main of abalone-model"},
		{name: "a CodeCommit branch creation starts a run too",
			event: func(t *testing.T) []byte {
				return sample(t, "codecommit-reference-updated.json", func(m map[string]any) { detail(m)["event"] = "referenceCreated" })
			},
			wantExec: "abalone-prod-commit-7c2d5e8f1a3b"},
		{name: "new data under the model's prefix starts a run named after its etag",
			event:    func(t *testing.T) []byte { return sample(t, "s3-object-created.json", nil) },
			wantExec: "abalone-prod-data-b1946ac92492", wantWhy: "new data s3://" + bucket + "/data/abalone/"},
		{name: "new data without an etag is named after its sequencer",
			event: func(t *testing.T) []byte {
				return sample(t, "s3-object-created.json", func(m map[string]any) { delete(detail(m)["object"].(map[string]any), "etag") })
			},
			wantExec: "abalone-prod-data-0067d3a1f2b6"},
		{name: "a drift alarm starts a run named after its cooldown window",
			event:    func(t *testing.T) []byte { return sample(t, "drift-alarm-alarm.json", nil) },
			wantExec: "abalone-prod-drift-20261120T1200", wantWhy: "drift alarm kiln-drift-prod-abalone-Length"},
		{name: "the scheduler's input starts a run named after the clock",
			event:    func(t *testing.T) []byte { return sample(t, "scheduled-retrain.json", nil) },
			wantExec: "abalone-prod-sched-20261120T1406", wantWhy: "schedule retrain"},
		{name: "a Scheduled Event envelope starts a run named after its time",
			event:    func(t *testing.T) []byte { return sample(t, "scheduled-event.json", nil) },
			wantExec: "abalone-prod-sched-20261123T0300"},
		{name: "a push to develop starts a dev run in the dev governor", stage: "dev",
			event: func(t *testing.T) []byte {
				return sample(t, "git-push.json", func(m map[string]any) { detail(m)["branch"] = "develop" })
			},
			wantExec: "abalone-dev-commit-4e1243bd22c6"},

		{name: "malformed JSON is an unknown event",
			event:    func(*testing.T) []byte { return []byte(`{"source": "kiln.git", `) },
			wantRule: governor.RuleUnknownEvent, wantWhy: "decode event"},
		{name: "an event from another source is an unknown event",
			event: func(t *testing.T) []byte {
				return sample(t, "git-push.json", func(m map[string]any) { m["source"] = "aws.ec2" })
			},
			wantRule: governor.RuleUnknownEvent, wantWhy: `"Git Push" events from aws.ec2 do not trigger training`},
		{name: "an envelope without a time is an unknown event",
			event: func(t *testing.T) []byte {
				return sample(t, "git-push.json", func(m map[string]any) { delete(m, "time") })
			},
			wantRule: governor.RuleUnknownEvent, wantWhy: "has no time"},
		{name: "a push that deletes a branch is an unknown event",
			event: func(t *testing.T) []byte {
				return sample(t, "git-push.json", func(m map[string]any) { detail(m)["deleted"] = true })
			},
			wantRule: governor.RuleUnknownEvent, wantWhy: "deletes branch main"},
		{name: "a push whose commit is not a SHA is an unknown event",
			event: func(t *testing.T) []byte {
				return sample(t, "git-push.json", func(m map[string]any) {
					detail(m)["headCommit"] = nil
					detail(m)["after"] = "HEAD"
				})
			},
			wantRule: governor.RuleUnknownEvent, wantWhy: `"HEAD" is not a commit SHA`},
		{name: "a CodeCommit tag is an unknown event",
			event: func(t *testing.T) []byte {
				return sample(t, "codecommit-reference-updated.json", func(m map[string]any) { detail(m)["referenceType"] = "tag" })
			},
			wantRule: governor.RuleUnknownEvent, wantWhy: "is a tag, not a branch"},
		{name: "a CodeCommit branch deletion is an unknown event",
			event: func(t *testing.T) []byte {
				return sample(t, "codecommit-reference-updated.json", func(m map[string]any) { detail(m)["event"] = "referenceDeleted" })
			},
			wantRule: governor.RuleUnknownEvent, wantWhy: "referenceDeleted"},
		{name: "a drift alarm returning to OK is an unknown event",
			event:    func(t *testing.T) []byte { return sample(t, "drift-alarm-ok.json", nil) },
			wantRule: governor.RuleUnknownEvent, wantWhy: "changed to OK; only ALARM starts retraining"},
		{name: "a scheduler input of another kind is an unknown event",
			event:    func(*testing.T) []byte { return []byte(`{"kind":"deploy","model":"abalone"}`) },
			wantRule: governor.RuleUnknownEvent, wantWhy: `kind "deploy"`},
		{name: "a folder marker under the data prefix is an unknown event",
			event: func(t *testing.T) []byte {
				return sample(t, "s3-object-created.json", func(m map[string]any) {
					detail(m)["object"].(map[string]any)["key"] = "data/abalone/2026-11-20/"
				})
			},
			wantRule: governor.RuleUnknownEvent, wantWhy: "folder marker"},

		{name: "a push to a repository no model trains from is an unknown model",
			event: func(t *testing.T) []byte {
				return sample(t, "git-push.json", func(m map[string]any) { detail(m)["repository"] = "kiln-dev/other" })
			},
			wantRule: governor.RuleUnknownModel, wantWhy: "repository kiln-dev/other trains no model"},
		{name: "data outside every model's prefix is an unknown model",
			event: func(t *testing.T) []byte {
				return sample(t, "s3-object-created.json", func(m map[string]any) {
					detail(m)["object"].(map[string]any)["key"] = "data/iris/iris.csv"
				})
			},
			wantRule: governor.RuleUnknownModel, wantWhy: "key data/iris/iris.csv lies under no model's data prefix"},
		{name: "data in another bucket is an unknown model",
			event: func(t *testing.T) []byte {
				return sample(t, "s3-object-created.json", func(m map[string]any) {
					detail(m)["bucket"].(map[string]any)["name"] = "someone-elses-bucket"
				})
			},
			wantRule: governor.RuleUnknownModel, wantWhy: "bucket someone-elses-bucket is not the prod artifacts bucket"},
		{name: "an alarm on a feature the model does not have is an unknown model",
			event: func(t *testing.T) []byte {
				return sample(t, "drift-alarm-alarm.json", func(m map[string]any) { detail(m)["alarmName"] = "kiln-drift-prod-abalone-Colour" })
			},
			wantRule: governor.RuleUnknownModel, wantWhy: "watches no model feature"},
		{name: "an alarm that is not a drift alarm is an unknown model",
			event: func(t *testing.T) []byte {
				return sample(t, "drift-alarm-alarm.json", func(m map[string]any) { detail(m)["alarmName"] = "kiln-prod-abalone-5xx" })
			},
			wantRule: governor.RuleUnknownModel, wantWhy: "is not a kiln drift alarm"},
		{name: "a schedule for a model not in the policy is an unknown model",
			event:    func(*testing.T) []byte { return []byte(`{"kind":"schedule","model":"iris","schedule":"retrain"}`) },
			wantRule: governor.RuleUnknownModel, wantWhy: `model "iris"`},
		{name: "a scheduled rule naming no model is an unknown model",
			event: func(t *testing.T) []byte {
				return sample(t, "scheduled-event.json", func(m map[string]any) {
					m["resources"] = []any{"arn:aws:events:us-east-1:000000000000:rule/nightly"}
				})
			},
			wantRule: governor.RuleUnknownModel, wantWhy: "scheduled rule nightly"},

		{name: "a push to a feature branch trains nothing",
			event: func(t *testing.T) []byte {
				return sample(t, "git-push.json", func(m map[string]any) { detail(m)["branch"] = "feature/bigger-trees" })
			},
			wantRule: governor.RuleFeatureBranch, wantWhy: "branch feature/bigger-trees matches no branch rule"},
		{name: "a push to a release branch is left to the staging governor",
			event: func(t *testing.T) []byte {
				return sample(t, "git-push.json", func(m map[string]any) { detail(m)["branch"] = "release/1.4" })
			},
			wantRule: governor.RuleOtherStage, wantWhy: "releases to stage staging; this governor serves prod"},
		{name: "a drift alarm of the staging endpoint is left to the staging governor",
			event: func(t *testing.T) []byte {
				return sample(t, "drift-alarm-alarm.json", func(m map[string]any) { detail(m)["alarmName"] = "kiln-drift-staging-abalone-Length" })
			},
			wantRule: governor.RuleOtherStage, wantWhy: "belongs to stage staging"},

		{name: "a redelivered push is a duplicate",
			event:    func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts:    governor.Facts{Existing: &governor.Execution{Name: "abalone-prod-commit-4e1243bd22c6", Status: "SUCCEEDED", StartedAt: at("2026-11-20T09:15:03Z")}},
			wantRule: governor.RuleDuplicate, wantExec: "abalone-prod-commit-4e1243bd22c6",
			wantWhy: "execution abalone-prod-commit-4e1243bd22c6 already exists (SUCCEEDED"},
		{name: "a push whose run failed is retried under the next attempt name, and says which run failed",
			event:    func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts:    governor.Facts{Attempt: 1, Existing: &governor.Execution{Name: "abalone-prod-commit-4e1243bd22c6", Status: "FAILED", StartedAt: at("2026-11-20T09:15:03Z")}},
			wantExec: "abalone-prod-commit-4e1243bd22c6-a2",
			wantWhy:  "retry 2 of failed execution abalone-prod-commit-4e1243bd22c6 (FAILED, started 2026-11-20T09:15:03Z): commit 4e1243bd22c6"},
		{name: "a push whose run timed out is retried",
			event:    func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts:    governor.Facts{Attempt: 1, Existing: &governor.Execution{Name: "abalone-prod-commit-4e1243bd22c6", Status: "TIMED_OUT", StartedAt: at("2026-11-20T09:15:03Z")}},
			wantExec: "abalone-prod-commit-4e1243bd22c6-a2", wantWhy: "(TIMED_OUT"},
		{name: "a push whose run failed points to redriving that run instead",
			event:    func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts:    governor.Facts{Attempt: 1, Existing: &governor.Execution{Name: "abalone-prod-commit-4e1243bd22c6", Status: "FAILED", StartedAt: at("2026-11-20T09:15:03Z")}},
			wantExec: "abalone-prod-commit-4e1243bd22c6-a2",
			wantWhy:  "run kiln redrive abalone-prod-commit-4e1243bd22c6 --stage prod (Step Functions RedriveExecution)"},
		{name: "a push whose every attempt failed points to redriving the last one",
			event: func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts: governor.Facts{Attempt: governor.MaxAttempts, Existing: &governor.Execution{
				Name: governor.AttemptName("abalone-prod-commit-4e1243bd22c6", governor.MaxAttempts), Status: "FAILED", StartedAt: at("2026-11-20T10:15:03Z")}},
			wantRule: governor.RuleAttempts, wantWhy: "kiln redrive abalone-prod-commit-4e1243bd22c6-a20 --stage prod"},
		{name: "a push whose second attempt was aborted is retried as the third",
			event:    func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts:    governor.Facts{Attempt: 2, Existing: &governor.Execution{Name: "abalone-prod-commit-4e1243bd22c6-a2", Status: "ABORTED", StartedAt: at("2026-11-20T10:15:03Z")}},
			wantExec: "abalone-prod-commit-4e1243bd22c6-a3", wantWhy: "retry 3 of failed execution abalone-prod-commit-4e1243bd22c6-a2 (ABORTED"},
		{name: "a push whose retry is running is a duplicate of the retry",
			event:    func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts:    governor.Facts{Attempt: 2, Existing: &governor.Execution{Name: "abalone-prod-commit-4e1243bd22c6-a2", Status: "RUNNING", StartedAt: at("2026-11-20T10:15:03Z")}},
			wantRule: governor.RuleDuplicate, wantExec: "abalone-prod-commit-4e1243bd22c6",
			wantWhy: "execution abalone-prod-commit-4e1243bd22c6-a2 already exists (RUNNING"},
		{name: "a push whose every allowed attempt failed is not retried again",
			event: func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts: governor.Facts{Attempt: governor.MaxAttempts, Existing: &governor.Execution{
				Name: governor.AttemptName("abalone-prod-commit-4e1243bd22c6", governor.MaxAttempts), Status: "FAILED", StartedAt: at("2026-11-20T10:15:03Z")}},
			wantRule: governor.RuleAttempts, wantWhy: "attempt 20 of at most 20"},
		{name: "a drift alarm whose window's run failed is held back by the cooldown, not retried at once",
			event: func(t *testing.T) []byte { return sample(t, "drift-alarm-alarm.json", nil) },
			facts: governor.Facts{Attempt: 1,
				Existing:   &governor.Execution{Name: "abalone-prod-drift-20261120T1200", Status: "FAILED", StartedAt: at("2026-11-20T12:10:00Z")},
				Executions: []governor.Execution{{Name: "abalone-prod-drift-20261120T1200", Status: "FAILED", StartedAt: at("2026-11-20T12:10:00Z")}}},
			wantRule: governor.RuleCooldown},
		{name: "a drift alarm while a run is in flight starts nothing",
			event: func(t *testing.T) []byte { return sample(t, "drift-alarm-alarm.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "abalone-prod-commit-4e1243bd22c6", Status: "RUNNING", StartedAt: at("2026-11-13T09:15:03Z")}}},
			wantRule: governor.RuleInFlight, wantExec: "abalone-prod-drift-20261120T1200",
			wantWhy: "execution abalone-prod-commit-4e1243bd22c6 for abalone in prod is still running"},
		{name: "new data while a run is in flight starts nothing",
			event: func(t *testing.T) []byte { return sample(t, "s3-object-created.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "abalone-prod-sched-20261120T0300", Status: "RUNNING", StartedAt: at("2026-11-20T03:00:02Z")}}},
			wantRule: governor.RuleInFlight},
		{name: "a schedule while a run is in flight starts nothing",
			event: func(t *testing.T) []byte { return sample(t, "scheduled-retrain.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "abalone-prod-data-b1946ac92492", Status: "RUNNING", StartedAt: at("2026-11-20T11:42:09Z")}}},
			wantRule: governor.RuleInFlight},
		{name: "a commit is not held back by a run in flight, and says so",
			event: func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "abalone-prod-drift-20261120T0600", Status: "RUNNING", StartedAt: at("2026-11-20T06:10:00Z")}}},
			wantExec: "abalone-prod-commit-4e1243bd22c6", wantWhy: "commits are not held back by runs in flight"},
		{name: "a run of another model or stage does not hold a drift run back",
			event: func(t *testing.T) []byte { return sample(t, "drift-alarm-alarm.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "iris-prod-drift-20261120T1200", Status: "RUNNING", StartedAt: at("2026-11-20T12:10:00Z")},
				{Name: "abalone-staging-drift-20261120T1200", Status: "RUNNING", StartedAt: at("2026-11-20T12:10:00Z")}}},
			wantExec: "abalone-prod-drift-20261120T1200"},
		{name: "a drift alarm within the cooldown of the last drift run starts nothing",
			event: func(t *testing.T) []byte { return sample(t, "drift-alarm-alarm.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "abalone-prod-drift-20261120T0600", Status: "SUCCEEDED", StartedAt: at("2026-11-20T11:30:00Z")}}},
			wantRule: governor.RuleCooldown,
			wantWhy:  "drift execution abalone-prod-drift-20261120T0600 started 2026-11-20T11:30:00Z, within the 360-minute cooldown (until 2026-11-20T17:30:00Z)"},
		{name: "a drift alarm after the cooldown starts a run",
			event: func(t *testing.T) []byte { return sample(t, "drift-alarm-alarm.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "abalone-prod-drift-20261120T0000", Status: "SUCCEEDED", StartedAt: at("2026-11-20T05:30:00Z")}}},
			wantExec: "abalone-prod-drift-20261120T1200"},
		{name: "a schedule after the daily budget is spent starts nothing",
			event: func(t *testing.T) []byte { return sample(t, "scheduled-retrain.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "abalone-prod-commit-aaaaaaaaaaaa", Status: "SUCCEEDED", StartedAt: at("2026-11-20T01:00:00Z")},
				{Name: "abalone-prod-commit-bbbbbbbbbbbb", Status: "FAILED", StartedAt: at("2026-11-20T02:00:00Z")},
				{Name: "abalone-prod-data-cccccccccccc", Status: "SUCCEEDED", StartedAt: at("2026-11-20T03:00:00Z")},
				{Name: "abalone-prod-commit-dddddddddddd", Status: "SUCCEEDED", StartedAt: at("2026-11-20T04:00:00Z")},
				{Name: "abalone-prod-commit-eeeeeeeeeeee", Status: "SUCCEEDED", StartedAt: at("2026-11-19T23:59:59Z")}}},
			wantRule: governor.RuleBudget, wantWhy: "4 executions for abalone in prod started today (UTC), the daily budget is 4"},
		{name: "a commit after the daily budget is spent still starts",
			event: func(t *testing.T) []byte { return sample(t, "git-push.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "abalone-prod-commit-aaaaaaaaaaaa", Status: "SUCCEEDED", StartedAt: at("2026-11-20T01:00:00Z")},
				{Name: "abalone-prod-commit-bbbbbbbbbbbb", Status: "FAILED", StartedAt: at("2026-11-20T02:00:00Z")},
				{Name: "abalone-prod-data-cccccccccccc", Status: "SUCCEEDED", StartedAt: at("2026-11-20T03:00:00Z")},
				{Name: "abalone-prod-commit-dddddddddddd", Status: "SUCCEEDED", StartedAt: at("2026-11-20T04:00:00Z")}}},
			wantExec: "abalone-prod-commit-4e1243bd22c6"},
		{name: "yesterday's runs do not count against today's budget",
			event: func(t *testing.T) []byte { return sample(t, "s3-object-created.json", nil) },
			facts: governor.Facts{Executions: []governor.Execution{
				{Name: "abalone-prod-commit-aaaaaaaaaaaa", Status: "SUCCEEDED", StartedAt: at("2026-11-19T21:00:00Z")},
				{Name: "abalone-prod-commit-bbbbbbbbbbbb", Status: "SUCCEEDED", StartedAt: at("2026-11-19T22:00:00Z")},
				{Name: "abalone-prod-commit-cccccccccccc", Status: "SUCCEEDED", StartedAt: at("2026-11-19T23:00:00Z")},
				{Name: "abalone-prod-commit-dddddddddddd", Status: "SUCCEEDED", StartedAt: at("2026-11-19T23:30:00Z")}}},
			wantExec: "abalone-prod-data-b1946ac92492"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stage := tc.stage
			if stage == "" {
				stage = "prod"
			}
			g := governor.Governor{Policy: policy.Default(), Stage: stage, Bucket: topology.ArtifactsBucket(topology.Local(stage))}
			require.NoError(t, g.Validate())
			plan, d := g.Plan(tc.event(t), now)
			if d == nil {
				got := g.Decide(plan, tc.facts, now)
				d = &got
			}
			if tc.wantRule == "" {
				assert.Equal(t, governor.ActionStarted, d.Action, "reason: %s", d.Reason)
				assert.Empty(t, d.Rule)
				require.NotNil(t, d.Input)
			} else {
				assert.Equal(t, governor.ActionSkipped, d.Action)
				assert.Equal(t, tc.wantRule, d.Rule, "reason: %s", d.Reason)
			}
			if tc.wantExec != "" {
				assert.Equal(t, tc.wantExec, d.ExecutionName)
				assert.LessOrEqual(t, len(d.ExecutionName), 48)
			}
			assert.Contains(t, d.Reason, tc.wantWhy)
			assert.Equal(t, stage, d.Stage)
		})
	}
}

func TestPlanBuildsTheFullPipelineInput(t *testing.T) {
	pol := policy.Default()
	// A per-stage override replaces the serving image in prod only; training keeps the model's.
	pol.Models[0].Stages = map[string]policy.ModelStage{"prod": {ServingImage: "kiln/abalone-serve:prod"}}
	g := governor.Governor{Policy: pol, Stage: "prod", Bucket: bucket}
	plan, d := g.Plan(sample(t, "git-push.json", nil), at("2026-11-20T09:15:05Z"))
	require.Nil(t, d)
	in := plan.Input
	assert.Equal(t, "abalone", in.Model)
	assert.Equal(t, "prod", in.Stage)
	assert.Equal(t, statemachines.Trigger{
		Reason: "commit", Source: "kiln.git", EventID: "6f1c2a8e-3b4d-4c1a-9e7f-2d5b8a0c4e11",
		Commit: "4e1243bd22c66e76c2ba9eddc1f91394e57f9f83", Branch: "main", Repository: "kiln-dev/abalone-model",
		DataKey: "none", Alarm: "none", Time: "2026-11-20T09:15:02Z",
	}, in.Trigger)
	assert.Equal(t, statemachines.Training{
		Image: pol.Models[0].TrainingImage, InstanceType: "ml.m5.large", InstanceCount: 1, VolumeSizeGB: 30,
		MaxRuntimeSeconds: 3600, Hyperparameters: policy.Default().Models[0].Hyperparameters,
		DataS3URI:   "s3://kiln-prod-artifacts-000000000000-us-east-1/data/abalone/",
		OutputS3URI: "s3://kiln-prod-artifacts-000000000000-us-east-1/training/abalone/",
	}, in.Training)
	assert.Equal(t, "kiln-prod-abalone", in.Registry.Group)
	assert.Equal(t, statemachines.Approval{Mode: "manual", TimeoutSeconds: 604800}, in.Approval)
	dep := in.Deploy
	assert.True(t, dep.Enabled)
	assert.Equal(t, "kiln-prod-abalone", dep.EndpointName)
	assert.Equal(t, "AllTraffic", dep.VariantName)
	assert.Equal(t, "kiln/abalone-serve:prod", dep.ServingImage)
	assert.Equal(t, "ml.m5.large", dep.InstanceType)
	assert.Equal(t, 2, dep.InstanceCount)
	assert.Equal(t, "CANARY", dep.Strategy)
	assert.Equal(t, "s3://kiln-prod-artifacts-000000000000-us-east-1/datacapture", dep.CaptureS3URI)
	assert.Equal(t, 30, dep.PollSeconds)

	cfg, err := json.Marshal(dep.DeploymentConfig)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"BlueGreenUpdatePolicy": {
			"TrafficRoutingConfiguration": {"Type": "CANARY", "WaitIntervalInSeconds": 300, "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 20}},
			"TerminationWaitInSeconds": 600,
			"MaximumExecutionTimeoutInSeconds": 3600
		},
		"AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "kiln-prod-abalone-5xx"}, {"AlarmName": "kiln-prod-abalone-latency"}]}
	}`, string(cfg))
}

func TestPlanRecordsNoneForLineageThatDoesNotApply(t *testing.T) {
	g := governor.Governor{Policy: policy.Default(), Stage: "dev", Bucket: topology.ArtifactsBucket(topology.Local("dev"))}
	now := at("2026-11-20T03:00:09Z")
	plan, d := g.Plan(sample(t, "scheduled-retrain.json", nil), now)
	require.Nil(t, d)
	assert.Equal(t, statemachines.Trigger{
		Reason: "schedule", Source: "kiln.schedule", EventID: "none", Commit: "none", Branch: "none",
		Repository: "none", DataKey: "none", Alarm: "none", Time: "2026-11-20T03:00:09Z",
	}, plan.Input.Trigger)
	assert.False(t, plan.Input.Deploy.Enabled, "dev registers only")
	assert.Equal(t, "auto", plan.Input.Approval.Mode)
}

func TestValidateRejectsAStageNotInThePolicy(t *testing.T) {
	g := governor.Governor{Policy: policy.Default(), Stage: "qa", Bucket: bucket}
	assert.ErrorContains(t, g.Validate(), `stage "qa" is not in the policy (stages: dev, prod, staging)`)
}

func TestHorizonReachesBackToTheDayOrTheCooldown(t *testing.T) {
	g := governor.Governor{Policy: policy.Default(), Stage: "prod", Bucket: bucket}
	assert.Equal(t, at("2026-11-20T00:00:00Z"), g.Horizon(at("2026-11-20T14:00:00Z")), "the day began before the cooldown")
	assert.Equal(t, at("2026-11-19T20:00:00Z"), g.Horizon(at("2026-11-20T02:00:00Z")), "the cooldown began yesterday")
}
