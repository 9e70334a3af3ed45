// Package policy is kiln's release policy: the stages (dev, staging, prod) with their approval
// and deployment rules, the Gitflow mapping from branches to stages, the retraining governor's
// limits, the models kiln trains and how their images run locally. One JSON document holds it
// (kiln.json, embedded as the default; a user's own file through kiln local --policy FILE or
// KILN_POLICY=@FILE). A JSON Schema (schema.json, embedded) describes every field; [Parse]
// checks a document against it first, reporting each violation with its path, then checks what
// a schema cannot say (cross references, SageMaker's name lengths, traffic steps against the
// instance count). docs/policy.md is the reference for users.
//
// A Policy is immutable after Load and safe for concurrent use.
package policy

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

//go:embed kiln.json
var defaultJSON []byte

// Policy is the whole release policy.
type Policy struct {
	// Stages maps a stage name (dev, staging, prod) to its rules.
	Stages map[string]Stage `json:"stages"`
	// Branches maps branch names to stages, first match wins; a branch no rule matches
	// (a feature branch) starts nothing.
	Branches []BranchRule `json:"branches"`
	// Governor limits how often retraining may start.
	Governor Governor `json:"governor"`
	// Models are the models kiln trains, by name.
	Models []Model `json:"models"`
	// Local says how images run under kiln local; AWS ignores it.
	Local Local `json:"local,omitzero"`
	// SchemaRef is the document's "$schema" (an editor hint), kept so a policy round-trips.
	SchemaRef string `json:"$schema,omitempty"`
	// Dir is the absolute folder of the file the policy was loaded from ("" for the embedded
	// default or an inline document): relative programs in Local resolve against it.
	Dir string `json:"-"`
}

// Local is the policy's local section: how kiln local runs a model's images.
type Local struct {
	// Images maps an image (as a model's trainingImage or servingImage names it) to the
	// command that stands in for it. An image without a mapping runs in Docker.
	Images map[string]LocalImage `json:"images,omitempty"`
}

// LocalImage is the local stand-in of one image.
type LocalImage struct {
	// Command is the program and its arguments; kiln appends "train" or "serve" as SageMaker
	// runs `docker run IMAGE train|serve`. A relative program (one holding a slash, such as
	// ./train.py or bin/serve) resolves against the policy file's folder, a bare name through
	// PATH; the process runs in the policy file's folder.
	Command []string `json:"command"`
}

// Stage is one stage's approval and deployment rules.
type Stage struct {
	// Approval says whether a registered model waits for a person.
	Approval Approval `json:"approval"`
	// Deploy is false for a stage that trains and registers only (dev).
	Deploy bool `json:"deploy"`
	// Deployment is how a new model reaches the stage's endpoint.
	Deployment Deployment `json:"deployment"`
}

// Approval modes.
const (
	ApprovalManual = "manual"
	ApprovalAuto   = "auto"
)

// Approval is a stage's approval rule.
type Approval struct {
	// Mode is "manual" (a person approves in the model registry) or "auto".
	Mode string `json:"mode"`
	// TimeoutSeconds ends the wait for a decision; 60 to 31,536,000 (a year, the Step
	// Functions maximum for a standard workflow).
	TimeoutSeconds int `json:"timeoutSeconds"`
}

// Deployment strategies, as SageMaker names its traffic routing types.
const (
	StrategyAllAtOnce = "ALL_AT_ONCE"
	StrategyCanary    = "CANARY"
	StrategyLinear    = "LINEAR"
)

// Deployment is a stage's blue/green deployment rule.
type Deployment struct {
	// Strategy is ALL_AT_ONCE, CANARY or LINEAR.
	Strategy string `json:"strategy"`
	// StepPercent is the canary size or the linear step, as a percentage of capacity:
	// 1 to 50 for a canary, 10 to 50 for a linear step (SageMaker's limits); unused otherwise.
	StepPercent int `json:"stepPercent,omitempty"`
	// WaitSeconds is the wait between traffic steps, 0 to 3600.
	WaitSeconds int `json:"waitSeconds"`
	// BakeSeconds is how long the old fleet is kept after all traffic moved (SageMaker's
	// TerminationWaitInSeconds), 0 to 3600.
	BakeSeconds int `json:"bakeSeconds"`
	// MaxExecutionTimeoutSeconds bounds the whole deployment, 600 to 28800.
	MaxExecutionTimeoutSeconds int `json:"maxExecutionTimeoutSeconds"`
	// PollSeconds is the deploy workflow's wait between DescribeEndpoint polls, 1 to 300.
	PollSeconds int `json:"pollSeconds"`
	// InstanceType and InstanceCount size the endpoint's variant.
	InstanceType  string `json:"instanceType"`
	InstanceCount int    `json:"instanceCount"`
	// WatchSeconds is how long after the bake kiln keeps watching the new release, 0 to
	// 86400 (0: no watch). An alarm of WatchAlarms that fires inside the window rolls the
	// stage back to the previous release (see internal/release, Watch).
	WatchSeconds int `json:"watchSeconds,omitempty"`
	// WatchAlarms are the alarm kinds watched (WatchErrors, WatchLatency, WatchDrift); empty
	// with WatchSeconds > 0 means all of them.
	WatchAlarms []string `json:"watchAlarms,omitempty"`
}

// Alarm kinds a watch can name in watchAlarms.
const (
	// WatchErrors is the endpoint's Invocation5XXErrors alarm (the model failing requests).
	WatchErrors = "errors"
	// WatchLatency is the endpoint's ModelLatency p99 alarm.
	WatchLatency = "latency"
	// WatchDrift is any of the model's feature drift alarms.
	WatchDrift = "drift"
)

// Watches reports whether the deployment watches alarms of kind after the bake.
func (d Deployment) Watches(kind string) bool {
	if d.WatchSeconds <= 0 {
		return false
	}
	return len(d.WatchAlarms) == 0 || slices.Contains(d.WatchAlarms, kind)
}

// BranchRule maps branches matching Pattern (path.Match syntax: "release/*") to Stage.
type BranchRule struct {
	Pattern string `json:"pattern"`
	Stage   string `json:"stage"`
}

// Governor holds the retraining governor's limits.
type Governor struct {
	// DriftCooldownMinutes is the window in which at most one drift retraining starts per
	// model; it also names the execution (model plus window), so racing alarms collapse.
	DriftCooldownMinutes int `json:"driftCooldownMinutes"`
	// DailyBudget caps the pipeline executions started per model per UTC day; 0 means no cap.
	DailyBudget int `json:"dailyBudget"`
}

// Model is one model kiln trains and releases.
type Model struct {
	// Name is short, lower-case letters, digits and hyphens (it becomes part of job,
	// endpoint and alarm names).
	Name string `json:"name"`
	// Repository is the git repository (owner/name) whose pushes train this model.
	Repository string `json:"repository"`
	// TrainingImage and ServingImage are container image references (on AWS, ECR ones, which
	// may hold ${Account}, ${Region} and ${Partition}: see image.go); locally each maps to a
	// command or runs in Docker.
	TrainingImage string `json:"trainingImage"`
	ServingImage  string `json:"servingImage"`
	// TrainingInstanceType sizes the training job.
	TrainingInstanceType string `json:"trainingInstanceType"`
	// MaxRuntimeSeconds stops a training job that runs longer.
	MaxRuntimeSeconds int `json:"maxRuntimeSeconds"`
	// DataPrefix is the key prefix of the training data in the artifacts bucket; an object
	// created under it is a new-data trigger.
	DataPrefix string `json:"dataPrefix"`
	// Hyperparameters are passed to training as strings, as SageMaker requires.
	Hyperparameters map[string]string `json:"hyperparameters"`
	// Gate is the evaluation gate.
	Gate Gate `json:"gate"`
	// Features are the request's columns, in order; each gets a drift metric and alarm.
	Features []string `json:"features"`
	// DriftThreshold is the distance above which a feature has drifted.
	DriftThreshold float64 `json:"driftThreshold"`
	// Stages overrides the images per stage (see [Model.ImagesFor]); optional.
	Stages map[string]ModelStage `json:"stages,omitempty"`
}

// Gate is the evaluation gate a candidate model must pass.
type Gate struct {
	// Metric is a dotted path into the evaluation report, e.g. regression_metrics.mse.value.
	Metric string `json:"metric"`
	// Threshold is the worst acceptable value of Metric.
	Threshold float64 `json:"threshold"`
	// HigherIsBetter is true for metrics such as accuracy, false for errors such as MSE.
	HigherIsBetter bool `json:"higherIsBetter"`
	// MaxRegression is how much worse than the model in production a candidate may be,
	// relative (0.05 = 5%); a negative value disables the comparison.
	MaxRegression float64 `json:"maxRegression"`
}

// Default returns the policy embedded in kiln (internal/policy/kiln.json).
func Default() *Policy {
	p, err := Parse(defaultJSON)
	if err != nil {
		panic(fmt.Sprintf("embedded policy is invalid: %v", err))
	}
	return p
}

// DefaultJSON returns the embedded policy document, for infra to hand to the Lambdas.
func DefaultJSON() []byte { return slices.Clone(defaultJSON) }

// Load returns the policy from the KILN_POLICY environment variable: a JSON document, or
// "@path" naming a file; the embedded default when it is unset.
func Load() (*Policy, error) {
	v := os.Getenv("KILN_POLICY")
	switch {
	case v == "":
		return Default(), nil
	case strings.HasPrefix(v, "@"):
		return LoadFile(v[1:])
	default:
		return Parse([]byte(v))
	}
}

// LoadFile reads and validates the policy file at name and records its folder in Dir.
// Errors name the file.
func LoadFile(name string) (*Policy, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("policy file %s:\n%w", name, err)
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, fmt.Errorf("read policy %s: %w", name, err)
	}
	p.Dir = filepath.Dir(abs)
	return p, nil
}

// Parse checks a policy document against the schema (every violation at once, each with
// its path), decodes it, and validates what the schema cannot express. It returns nil and
// the joined problems when anything is wrong.
func Parse(b []byte) (*Policy, error) {
	if err := checkSchema(b); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decode policy: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate reports every problem in p, each naming its field, joined into one error.
func (p *Policy) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("policy %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if len(p.Stages) == 0 {
		bad("stages", "at least one stage is required")
	}
	for _, name := range p.StageNames() {
		validateStage(name, p.Stages[name], bad)
	}
	for i, r := range p.Branches {
		f := fmt.Sprintf("branches[%d]", i)
		if _, err := path.Match(r.Pattern, ""); err != nil || r.Pattern == "" {
			bad(f+".pattern", "%q is not a valid branch pattern", r.Pattern)
		}
		if _, ok := p.Stages[r.Stage]; !ok {
			bad(f+".stage", "no stage named %q", r.Stage)
		}
	}
	if p.Governor.DriftCooldownMinutes < 1 || p.Governor.DriftCooldownMinutes > 10080 {
		bad("governor.driftCooldownMinutes", "%d is outside 1..10080", p.Governor.DriftCooldownMinutes)
	}
	if p.Governor.DailyBudget < 0 {
		bad("governor.dailyBudget", "must not be negative")
	}
	seen := map[string]bool{}
	for i, m := range p.Models {
		p.validateModel(fmt.Sprintf("models[%d]", i), m, seen, bad)
	}
	errs = append(errs, p.validateImages()...)
	for image, li := range p.Local.Images {
		f := "local.images." + image
		if len(li.Command) == 0 || li.Command[0] == "" {
			bad(f+".command", "needs a program")
		}
	}
	return errors.Join(errs...)
}

// validateStage reports the problems of stage name through bad.
func validateStage(name string, s Stage, bad func(field, format string, args ...any)) {
	f := "stages." + name
	if !validName(name) {
		bad(f, "stage names are lower-case letters, digits and hyphens")
	}
	if s.Approval.Mode != ApprovalManual && s.Approval.Mode != ApprovalAuto {
		bad(f+".approval.mode", "%q is not manual or auto", s.Approval.Mode)
	}
	if s.Approval.TimeoutSeconds < 60 || s.Approval.TimeoutSeconds > 31536000 {
		bad(f+".approval.timeoutSeconds", "%d is outside 60..31536000", s.Approval.TimeoutSeconds)
	}
	d := s.Deployment
	switch d.Strategy {
	case StrategyAllAtOnce:
	case StrategyCanary:
		if d.StepPercent < 1 || d.StepPercent > 50 {
			bad(f+".deployment.stepPercent", "a canary is 1..50 percent, got %d", d.StepPercent)
		}
	case StrategyLinear:
		if d.StepPercent < 10 || d.StepPercent > 50 {
			bad(f+".deployment.stepPercent", "a linear step is 10..50 percent, got %d", d.StepPercent)
		}
	default:
		bad(f+".deployment.strategy", "%q is not ALL_AT_ONCE, CANARY or LINEAR", d.Strategy)
	}
	if d.WaitSeconds < 0 || d.WaitSeconds > 3600 {
		bad(f+".deployment.waitSeconds", "%d is outside 0..3600", d.WaitSeconds)
	}
	if d.BakeSeconds < 0 || d.BakeSeconds > 3600 {
		bad(f+".deployment.bakeSeconds", "%d is outside 0..3600", d.BakeSeconds)
	}
	if d.MaxExecutionTimeoutSeconds < 600 || d.MaxExecutionTimeoutSeconds > 28800 {
		bad(f+".deployment.maxExecutionTimeoutSeconds", "%d is outside 600..28800", d.MaxExecutionTimeoutSeconds)
	}
	if d.PollSeconds < 1 || d.PollSeconds > 300 {
		bad(f+".deployment.pollSeconds", "%d is outside 1..300", d.PollSeconds)
	}
	checkWatch(d, f+".deployment", bad)
	if d.InstanceType == "" {
		bad(f+".deployment.instanceType", "is required")
	}
	if d.InstanceCount < 1 {
		bad(f+".deployment.instanceCount", "must be at least 1")
	} else if msg := stepFits(d); msg != "" && s.Deploy {
		bad(f+".deployment.stepPercent", "%s", msg)
	}
}

// validateModel reports the problems of model m at field f through bad; seen holds the
// names of the models before it.
func (p *Policy) validateModel(f string, m Model, seen map[string]bool, bad func(field, format string, args ...any)) {
	if !validName(m.Name) || len(m.Name) > 16 {
		bad(f+".name", "%q must be 1..16 lower-case letters, digits and hyphens", m.Name)
	}
	if seen[m.Name] {
		bad(f+".name", "model %q is defined twice", m.Name)
	}
	seen[m.Name] = true
	if m.TrainingImage == "" {
		bad(f+".trainingImage", "is required")
	}
	if m.ServingImage == "" {
		bad(f+".servingImage", "is required")
	}
	if m.TrainingInstanceType == "" {
		bad(f+".trainingInstanceType", "is required")
	}
	if m.MaxRuntimeSeconds < 1 {
		bad(f+".maxRuntimeSeconds", "must be positive")
	}
	if m.DataPrefix == "" || !strings.HasSuffix(m.DataPrefix, "/") {
		bad(f+".dataPrefix", "%q must be a key prefix ending in /", m.DataPrefix)
	}
	if m.Gate.Metric == "" {
		bad(f+".gate.metric", "is required")
	}
	if len(m.Features) == 0 {
		bad(f+".features", "at least one feature is required")
	}
	if m.DriftThreshold <= 0 || m.DriftThreshold > 1 {
		bad(f+".driftThreshold", "%v is outside (0, 1]", m.DriftThreshold)
	}
	for _, stage := range p.StageNames() {
		if n := len(m.Name) + len(stage); n > MaxModelAndStage {
			bad(f+".name", "model %q with stage %q makes endpoint config names of %d characters, over SageMaker's %d: "+
				"model and stage names together may have %d characters", m.Name, stage, n+ReleaseNameOverhead+len(EndpointConfigSuffix),
				MaxSageMakerName, MaxModelAndStage)
		}
	}
}

// ForAWS returns a copy of p without what only the local stack reads (local, $schema), as
// the deployed stack hands it to the Lambdas: their policy must stay small.
func (p *Policy) ForAWS() *Policy {
	cp := *p
	cp.Local = Local{}
	cp.SchemaRef = ""
	cp.Dir = ""
	return &cp
}

// StageNames returns the stage names, sorted.
func (p *Policy) StageNames() []string {
	names := make([]string, 0, len(p.Stages))
	for n := range p.Stages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// StageForBranch returns the stage the first matching branch rule names, and false for a
// branch no rule matches (a feature branch).
func (p *Policy) StageForBranch(branch string) (string, bool) {
	for _, r := range p.Branches {
		if ok, _ := path.Match(r.Pattern, branch); ok {
			return r.Stage, true
		}
	}
	return "", false
}

// Model returns the model named name.
func (p *Policy) Model(name string) (Model, bool) {
	for _, m := range p.Models {
		if m.Name == name {
			return m, true
		}
	}
	return Model{}, false
}

// ModelForRepository returns the model trained from the repository (owner/name).
func (p *Policy) ModelForRepository(repo string) (Model, bool) {
	for _, m := range p.Models {
		if strings.EqualFold(m.Repository, repo) {
			return m, true
		}
	}
	return Model{}, false
}

// ModelForDataKey returns the model whose DataPrefix the object key lies under.
func (p *Policy) ModelForDataKey(key string) (Model, bool) {
	for _, m := range p.Models {
		if strings.HasPrefix(key, m.DataPrefix) {
			return m, true
		}
	}
	return Model{}, false
}

// MaxSageMakerName is SageMaker's limit on training job, model, endpoint config and endpoint names.
const MaxSageMakerName = 63

// ReleaseNameOverhead is what a release's name (the pipeline execution's name, governor's
// <model>-<stage>-<kind>-<suffix>) adds to the model and stage names at most: two hyphens and
// 19 characters of kind and suffix ("commit-" with 12 hex digits, "drift-" or "sched-" with
// a 13-character time). The governor's tests check this against its name functions.
const ReleaseNameOverhead = 2 + 19

// EndpointConfigSuffix is what the deploy workflow appends to a release's name to name its
// endpoint config (statemachines/deploy.asl.json, state Plan).
const EndpointConfigSuffix = "-config"

// MaxModelAndStage is how many characters a model's and a stage's names may have together
// so that every name derived from them fits SageMaker's 63: the endpoint config name
// (<release>-config) is the longest.
const MaxModelAndStage = MaxSageMakerName - ReleaseNameOverhead - len(EndpointConfigSuffix)

// stepFits says why a canary or linear step cannot be met with the stage's instance count,
// or "" when it can. SageMaker shifts traffic by whole instances: a CAPACITY_PERCENT step is
// ceil(count × percent / 100) instances (at least one), and the step may hold at most half
// of the fleet (CanarySize ≤ 50%, LinearStepSize 10–50% of the variant's instance count).
func stepFits(d Deployment) string {
	if d.Strategy != StrategyCanary && d.Strategy != StrategyLinear {
		return ""
	}
	step := (d.InstanceCount*d.StepPercent + 99) / 100
	if step < 1 {
		step = 1
	}
	if 2*step > d.InstanceCount {
		return fmt.Sprintf("a %d%% %s step of %d instance(s) is %d instances rounded up to whole ones, more than half of "+
			"instanceCount %d: SageMaker needs the step to be at most half the fleet (use instanceCount %d or more, or ALL_AT_ONCE)",
			d.StepPercent, strings.ToLower(d.Strategy), d.InstanceCount, step, d.InstanceCount, max(2, 2*step))
	}
	return ""
}

func validName(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}
