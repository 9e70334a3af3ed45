package governor

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// Rule names, as a skipped Decision reports them.
const (
	RuleUnknownEvent  = "unknown-event"
	RuleUnknownModel  = "unknown-model"
	RuleFeatureBranch = "feature-branch"
	RuleOtherStage    = "other-stage"
	RuleDuplicate     = "duplicate"
	RuleInFlight      = "in-flight"
	RuleCooldown      = "cooldown"
	RuleBudget        = "budget"
	// RuleAttempts skips a key whose every allowed attempt failed (MaxAttempts).
	RuleAttempts = "attempts"
)

// Actions of a Decision.
const (
	ActionStarted = "started"
	ActionSkipped = "skipped"
)

// StatusRunning is the Step Functions status of an execution still in flight.
const StatusRunning = "RUNNING"

// none fills the lineage fields that do not apply to a trigger: the workflow reads every
// field with a path, and the registry's metadata refuses empty strings.
const none = "none"

// Governor decides for one stage. Policy is the release policy, Stage the stage whose
// pipeline this governor starts (KILN_STAGE), Bucket the stage's artifacts bucket.
type Governor struct {
	Policy *policy.Policy
	Stage  string
	Bucket string
}

// Decision is what the governor decided and why. A started decision carries the execution
// name and input (and, once the handler started it, the execution ARN); a skipped one the
// rule that skipped it.
type Decision struct {
	// Action is "started" or "skipped".
	Action string `json:"action"`
	// Rule names the rule that skipped the trigger; empty when started.
	Rule string `json:"rule,omitempty"`
	// Reason says in a sentence why.
	Reason string `json:"reason"`
	// Trigger is the trigger's reason (commit, schedule, new-data, drift), when known.
	Trigger string `json:"trigger,omitempty"`
	// Model and Stage locate the run.
	Model string `json:"model,omitempty"`
	Stage string `json:"stage"`
	// ExecutionName is the idempotency key; ExecutionARN is set once started.
	ExecutionName string `json:"executionName,omitempty"`
	ExecutionARN  string `json:"executionArn,omitempty"`
	// Input is the pipeline input of a started run (and of a run skipped after planning).
	Input *statemachines.PipelineInput `json:"input,omitempty"`
}

// Plan is a trigger resolved to a model, an execution name and a pipeline input, before the
// facts about existing executions are known.
type Plan struct {
	Trigger       Trigger
	Model         string
	Stage         string
	ExecutionName string
	Input         statemachines.PipelineInput
}

// Execution is what the governor needs to know about one pipeline execution.
type Execution struct {
	Name      string
	Status    string
	StartedAt time.Time
}

// Facts are the existing executions the decision depends on.
type Facts struct {
	// Existing is the latest attempt of Plan.ExecutionName (the key itself, or its
	// AttemptName n), nil when there is none. A failed one lets the trigger be retried.
	Existing *Execution
	// Attempt is the attempt number of Existing (1 for the key itself); 0 when Existing is nil.
	Attempt int
	// Executions are the pipeline's executions that are RUNNING or started at or after
	// Horizon; executions of other models and stages may be included and are ignored.
	Executions []Execution
}

// Validate reports a governor whose stage is not in its policy.
func (g Governor) Validate() error {
	if g.Policy == nil {
		return errors.New("governor: no policy")
	}
	if _, ok := g.Policy.Stages[g.Stage]; !ok {
		return fmt.Errorf("governor: stage %q is not in the policy (stages: %s)", g.Stage, strings.Join(g.Policy.StageNames(), ", "))
	}
	if g.Bucket == "" {
		return errors.New("governor: no artifacts bucket")
	}
	return nil
}

// Cooldown returns the drift cooldown of the policy.
func (g Governor) Cooldown() time.Duration {
	return time.Duration(g.Policy.Governor.DriftCooldownMinutes) * time.Minute
}

// Horizon returns the earliest start time Decide looks at besides running executions: the
// start of now's UTC day or the start of the drift cooldown, whichever is earlier.
func (g Governor) Horizon(now time.Time) time.Time {
	day := startOfDay(now)
	if c := now.UTC().Add(-g.Cooldown()); c.Before(day) {
		return c
	}
	return day
}

// Plan parses event and resolves it to a Plan. When a rule already decides (unknown-event,
// unknown-model, feature-branch, other-stage) it returns the skipped Decision instead. now is
// the time of a Scheduler input, which carries none.
func (g Governor) Plan(event []byte, now time.Time) (Plan, *Decision) {
	t, err := Parse(event)
	if err != nil {
		return Plan{}, g.skip(RuleUnknownEvent, "", "", err.Error())
	}
	if t.Time.IsZero() {
		t.Time = now.UTC()
	}
	m, d := g.resolveModel(t)
	if d != nil {
		return Plan{}, d
	}
	p := Plan{Trigger: t, Model: m.Name, Stage: g.Stage}
	switch t.Reason {
	case statemachines.ReasonCommit:
		p.ExecutionName = CommitExecutionName(m.Name, g.Stage, t.Commit)
	case statemachines.ReasonDrift:
		p.ExecutionName = DriftExecutionName(m.Name, g.Stage, t.Time, g.Cooldown())
	case statemachines.ReasonSchedule:
		p.ExecutionName = ScheduleExecutionName(m.Name, g.Stage, t.Time)
	case statemachines.ReasonNewData:
		p.ExecutionName = DataExecutionName(m.Name, g.Stage, t.DataVersion)
	}
	p.Input = BuildInput(g.Policy, g.Stage, g.Bucket, m, t)
	return p, nil
}

func (g Governor) skip(rule, reason, model, why string) *Decision {
	return &Decision{Action: ActionSkipped, Rule: rule, Reason: why, Trigger: reason, Model: model, Stage: g.Stage}
}

func (g Governor) resolveModel(t Trigger) (policy.Model, *Decision) {
	fail := func(rule, format string, args ...any) (policy.Model, *Decision) {
		return policy.Model{}, g.skip(rule, t.Reason, "", fmt.Sprintf(format, args...))
	}
	switch t.Reason {
	case statemachines.ReasonCommit:
		m, ok := g.modelForRepository(t.Repository)
		if !ok {
			return fail(RuleUnknownModel, "repository %s trains no model in the policy", t.Repository)
		}
		stage, ok := g.Policy.StageForBranch(t.Branch)
		if !ok {
			return policy.Model{}, g.skip(RuleFeatureBranch, t.Reason, m.Name,
				fmt.Sprintf("branch %s matches no branch rule: a feature branch trains nothing", t.Branch))
		}
		if stage != g.Stage {
			return policy.Model{}, g.skip(RuleOtherStage, t.Reason, m.Name,
				fmt.Sprintf("branch %s releases to stage %s; this governor serves %s", t.Branch, stage, g.Stage))
		}
		return m, nil
	case statemachines.ReasonNewData:
		if t.Bucket != g.Bucket {
			return fail(RuleUnknownModel, "bucket %s is not the %s artifacts bucket %s", t.Bucket, g.Stage, g.Bucket)
		}
		m, ok := g.Policy.ModelForDataKey(t.DataKey)
		if !ok {
			return fail(RuleUnknownModel, "key %s lies under no model's data prefix", t.DataKey)
		}
		return m, nil
	case statemachines.ReasonDrift:
		return g.modelForAlarm(t)
	case statemachines.ReasonSchedule:
		if t.Model != "" {
			m, ok := g.Policy.Model(t.Model)
			if !ok {
				return fail(RuleUnknownModel, "schedule %s names model %q, which is not in the policy", t.Schedule, t.Model)
			}
			return m, nil
		}
		for _, m := range g.Policy.Models {
			if strings.HasSuffix(t.Schedule, "-"+m.Name) {
				return m, nil
			}
		}
		return fail(RuleUnknownModel, "scheduled rule %s names no model in the policy", t.Schedule)
	}
	return fail(RuleUnknownEvent, "trigger reason %q is unknown", t.Reason)
}

// modelForRepository accepts a GitHub owner/name and a CodeCommit repository name (which
// has no owner) alike.
func (g Governor) modelForRepository(repo string) (policy.Model, bool) {
	if m, ok := g.Policy.ModelForRepository(repo); ok {
		return m, true
	}
	if strings.Contains(repo, "/") {
		return policy.Model{}, false
	}
	for _, m := range g.Policy.Models {
		if strings.EqualFold(path.Base(m.Repository), repo) {
			return m, true
		}
	}
	return policy.Model{}, false
}

// modelForAlarm reads kiln-drift-<stage>-<model>-<feature>.
func (g Governor) modelForAlarm(t Trigger) (policy.Model, *Decision) {
	rest, ok := strings.CutPrefix(t.Alarm, topology.DriftAlarmPrefix)
	if !ok {
		return policy.Model{}, g.skip(RuleUnknownModel, t.Reason, "", fmt.Sprintf("alarm %s is not a kiln drift alarm", t.Alarm))
	}
	if mine, ok := strings.CutPrefix(rest, g.Stage+"-"); ok {
		for _, m := range g.Policy.Models {
			for _, f := range m.Features {
				if mine == m.Name+"-"+f {
					return m, nil
				}
			}
		}
	}
	for _, s := range g.Policy.StageNames() {
		if s != g.Stage && strings.HasPrefix(rest, s+"-") {
			return policy.Model{}, g.skip(RuleOtherStage, t.Reason, "",
				fmt.Sprintf("alarm %s belongs to stage %s; this governor serves %s", t.Alarm, s, g.Stage))
		}
	}
	return policy.Model{}, g.skip(RuleUnknownModel, t.Reason, "", fmt.Sprintf("alarm %s watches no model feature in the policy", t.Alarm))
}

// Decide applies the rules that depend on existing executions (duplicate, in-flight,
// cooldown, budget) to p, in that order, and returns the decision: started (without ARN; the
// caller starts it) or skipped.
func (g Governor) Decide(p Plan, f Facts, now time.Time) Decision {
	d := Decision{Trigger: p.Trigger.Reason, Model: p.Model, Stage: p.Stage, ExecutionName: p.ExecutionName, Input: &p.Input}
	skip := func(rule, format string, args ...any) Decision {
		d.Action, d.Rule, d.Reason = ActionSkipped, rule, fmt.Sprintf(format, args...)
		return d
	}
	retry, hint := "", ""
	if f.Existing != nil {
		if !Failed(f.Existing.Status) {
			return skip(RuleDuplicate, "execution %s already exists (%s, started %s)", f.Existing.Name, f.Existing.Status, stamp(f.Existing.StartedAt))
		}
		attempt := max(f.Attempt, 1) + 1
		if attempt > MaxAttempts {
			return skip(RuleAttempts, "execution %s ended %s and it was attempt %d of at most %d: the trigger is not retried again%s",
				f.Existing.Name, f.Existing.Status, attempt-1, MaxAttempts, redriveHint(f.Existing.Name, p.Stage))
		}
		d.ExecutionName = AttemptName(p.ExecutionName, attempt)
		retry = fmt.Sprintf("retry %d of failed execution %s (%s, started %s): ", attempt, f.Existing.Name, f.Existing.Status, stamp(f.Existing.StartedAt))
		hint = redriveHint(f.Existing.Name, p.Stage)
	}
	var running []Execution
	var drift *Execution
	today := 0
	day := startOfDay(now)
	cooldownStart := now.UTC().Add(-g.Cooldown())
	for i, e := range f.Executions {
		reason, ok := ReasonOfExecution(e.Name, p.Model, p.Stage)
		if !ok {
			continue
		}
		if e.Status == StatusRunning {
			running = append(running, e)
		}
		if !e.StartedAt.Before(day) {
			today++
		}
		if reason == statemachines.ReasonDrift && e.StartedAt.After(cooldownStart) && (drift == nil || e.StartedAt.After(drift.StartedAt)) {
			drift = &f.Executions[i]
		}
	}
	automatic := p.Trigger.Reason != statemachines.ReasonCommit
	if automatic && len(running) > 0 {
		return skip(RuleInFlight, "execution %s for %s in %s is still running; a %s trigger waits for it", running[0].Name, p.Model, p.Stage, p.Trigger.Reason)
	}
	if p.Trigger.Reason == statemachines.ReasonDrift && drift != nil {
		return skip(RuleCooldown, "drift execution %s started %s, within the %d-minute cooldown (until %s)",
			drift.Name, stamp(drift.StartedAt), g.Policy.Governor.DriftCooldownMinutes, stamp(drift.StartedAt.Add(g.Cooldown())))
	}
	if budget := g.Policy.Governor.DailyBudget; automatic && budget > 0 && today >= budget {
		return skip(RuleBudget, "%d executions for %s in %s started today (UTC), the daily budget is %d", today, p.Model, p.Stage, budget)
	}
	d.Action = ActionStarted
	d.Reason = retry + startReason(p) + hint
	if !automatic && len(running) > 0 {
		d.Reason += fmt.Sprintf(" (execution %s is still running; commits are not held back by runs in flight)", running[0].Name)
	}
	return d
}

// Duplicate returns the skipped decision for a plan whose execution StartExecution reported
// as already existing (a race the facts could not see).
func (p Plan) Duplicate(why string) Decision {
	return Decision{Action: ActionSkipped, Rule: RuleDuplicate, Reason: why, Trigger: p.Trigger.Reason, Model: p.Model,
		Stage: p.Stage, ExecutionName: p.ExecutionName, Input: &p.Input}
}

func startReason(p Plan) string {
	t := p.Trigger
	switch t.Reason {
	case statemachines.ReasonCommit:
		return fmt.Sprintf("commit %s on %s of %s releases %s to %s", cut(t.Commit, 12), t.Branch, t.Repository, p.Model, p.Stage)
	case statemachines.ReasonDrift:
		return fmt.Sprintf("drift alarm %s retrains %s for %s", t.Alarm, p.Model, p.Stage)
	case statemachines.ReasonNewData:
		return fmt.Sprintf("new data s3://%s/%s retrains %s for %s", t.Bucket, t.DataKey, p.Model, p.Stage)
	default:
		return fmt.Sprintf("schedule %s retrains %s for %s", orNone(t.Schedule), p.Model, p.Stage)
	}
}

// BuildInput returns the full pipeline input for model m in stage, triggered by t: training
// from the model, registry group, approval and deployment from the stage.
func BuildInput(p *policy.Policy, stage, bucket string, m policy.Model, t Trigger) statemachines.PipelineInput {
	s := p.Stages[stage]
	d := s.Deployment
	trainingImage, servingImage := m.ImagesFor(stage)
	in := statemachines.PipelineInput{
		Model: m.Name,
		Stage: stage,
		Trigger: statemachines.Trigger{
			Reason: t.Reason, Source: t.Source, EventID: orNone(t.EventID), Commit: orNone(t.Commit),
			Branch: orNone(t.Branch), Repository: orNone(t.Repository), DataKey: orNone(t.DataKey),
			Alarm: orNone(t.Alarm), Time: t.Time.UTC().Format(time.RFC3339),
		},
		Training: statemachines.Training{
			Image:             trainingImage,
			InstanceType:      m.TrainingInstanceType,
			InstanceCount:     1,
			VolumeSizeGB:      30,
			MaxRuntimeSeconds: m.MaxRuntimeSeconds,
			Hyperparameters:   maps.Clone(m.Hyperparameters),
			DataS3URI:         "s3://" + bucket + "/" + m.DataPrefix,
			OutputS3URI:       "s3://" + bucket + "/training/" + m.Name + "/",
		},
		Registry: statemachines.Registry{Group: topology.PackageGroup(stage, m.Name)},
		Approval: statemachines.Approval{Mode: s.Approval.Mode, TimeoutSeconds: s.Approval.TimeoutSeconds},
		Deploy: statemachines.Deploy{
			Enabled:          s.Deploy,
			EndpointName:     topology.EndpointName(stage, m.Name),
			VariantName:      topology.VariantName,
			ServingImage:     servingImage,
			InstanceType:     d.InstanceType,
			InstanceCount:    d.InstanceCount,
			Strategy:         d.Strategy,
			DeploymentConfig: d.DeploymentConfig(topology.RollbackAlarmNames(stage, m.Name)),
			CaptureS3URI:     "s3://" + bucket + "/datacapture",
			PollSeconds:      d.PollSeconds,
		},
	}
	if in.Training.Hyperparameters == nil {
		in.Training.Hyperparameters = map[string]string{}
	}
	return in
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
