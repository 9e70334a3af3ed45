package governor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/statemachines"
)

// Event sources and detail types the governor understands.
const (
	SourceGit        = "kiln.git"
	SourceCodeCommit = "aws.codecommit"
	SourceS3         = "aws.s3"
	SourceCloudWatch = "aws.cloudwatch"
	SourceEvents     = "aws.events"
	// SourceSchedule is the trigger source recorded for the Scheduler's bare input.
	SourceSchedule = "kiln.schedule"

	DetailGitPush         = "Git Push"
	DetailCodeCommit      = "CodeCommit Repository State Change"
	DetailObjectCreated   = "Object Created"
	DetailAlarmState      = "CloudWatch Alarm State Change"
	DetailScheduledEvent  = "Scheduled Event"
	alarmStateAlarm       = "ALARM"
	referenceTypeBranch   = "branch"
	scheduleKind          = "schedule"
	codeCommitRefCreated  = "referenceCreated"
	codeCommitRefUpdated  = "referenceUpdated"
	zeroSHA               = "0000000000000000000000000000000000000000"
	minimumCommitIDLength = 12
)

// Trigger is one event the governor may turn into a pipeline run, normalised. Fields that do
// not apply to its Reason are empty.
type Trigger struct {
	// Reason is statemachines.ReasonCommit, ReasonSchedule, ReasonNewData or ReasonDrift.
	Reason string
	// Source is the event's source; EventID its id (empty for the Scheduler's bare input).
	Source  string
	EventID string
	// Time is when the event happened; zero for the Scheduler's bare input, whose time is
	// the governor's clock.
	Time time.Time
	// Repository, Branch and Commit locate a pushed commit.
	Repository string
	Branch     string
	Commit     string
	// Bucket, DataKey and DataVersion (ETag, else sequencer) locate new training data.
	Bucket      string
	DataKey     string
	DataVersion string
	// Alarm is the drift alarm's name.
	Alarm string
	// Model names the model of a scheduled trigger given by the Scheduler's input; Schedule
	// is the schedule (or, for a Scheduled Event envelope, the rule) that fired.
	Model    string
	Schedule string
}

// EventError is an event the governor does not understand; Parse returns it and the governor
// skips the event under the unknown-event rule with its message.
type EventError struct{ Problem string }

// Error returns the problem, naming what is wrong with the event.
func (e *EventError) Error() string { return e.Problem }

func unknown(format string, args ...any) error {
	return &EventError{Problem: fmt.Sprintf(format, args...)}
}

type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Time       string          `json:"time"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
	// Kind, Model and Schedule are the Scheduler's bare input.
	Kind     string `json:"kind"`
	Model    string `json:"model"`
	Schedule string `json:"schedule"`
}

type gitPushDetail struct {
	Repository string `json:"repository"`
	Branch     string `json:"branch"`
	Ref        string `json:"ref"`
	After      string `json:"after"`
	Deleted    bool   `json:"deleted"`
	HeadCommit *struct {
		ID string `json:"id"`
	} `json:"headCommit"`
}

type codeCommitDetail struct {
	Event          string `json:"event"`
	RepositoryName string `json:"repositoryName"`
	ReferenceType  string `json:"referenceType"`
	ReferenceName  string `json:"referenceName"`
	CommitID       string `json:"commitId"`
}

type objectCreatedDetail struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key       string `json:"key"`
		ETag      string `json:"etag"`
		Sequencer string `json:"sequencer"`
	} `json:"object"`
}

type alarmDetail struct {
	AlarmName string `json:"alarmName"`
	State     struct {
		Value string `json:"value"`
	} `json:"state"`
}

// Parse decodes one event delivered to the trigger function: an EventBridge envelope (Git
// Push, CodeCommit Repository State Change, S3 Object Created, CloudWatch Alarm State Change,
// Scheduled Event) or the Scheduler's bare input {"kind":"schedule","model":...}. An event it
// does not understand gives an *EventError naming the problem.
func Parse(event []byte) (Trigger, error) {
	var env envelope
	if err := json.Unmarshal(event, &env); err != nil {
		return Trigger{}, unknown("decode event: %v", err)
	}
	if env.Kind != "" {
		return parseSchedulerInput(env)
	}
	if env.Source == "" || env.DetailType == "" {
		return Trigger{}, unknown("event has no source or detail-type, and is not a scheduler input")
	}
	t := Trigger{Source: env.Source, EventID: env.ID}
	if env.Time == "" {
		return Trigger{}, unknown("%s event %s has no time", env.DetailType, env.ID)
	}
	at, err := time.Parse(time.RFC3339, env.Time)
	if err != nil {
		return Trigger{}, unknown("%s event %s: time %q is not RFC 3339", env.DetailType, env.ID, env.Time)
	}
	t.Time = at.UTC()
	switch {
	case env.Source == SourceGit && env.DetailType == DetailGitPush:
		return parseGitPush(t, env)
	case env.Source == SourceCodeCommit && env.DetailType == DetailCodeCommit:
		return parseCodeCommit(t, env)
	case env.Source == SourceS3 && env.DetailType == DetailObjectCreated:
		return parseObjectCreated(t, env)
	case env.Source == SourceCloudWatch && env.DetailType == DetailAlarmState:
		return parseAlarm(t, env)
	case env.Source == SourceEvents && env.DetailType == DetailScheduledEvent:
		return parseScheduledEvent(t, env)
	}
	return Trigger{}, unknown("%q events from %s do not trigger training", env.DetailType, env.Source)
}

func decodeDetail(env envelope, v any) error {
	if len(bytes.TrimSpace(env.Detail)) == 0 {
		return unknown("%s event %s has no detail", env.DetailType, env.ID)
	}
	if err := json.Unmarshal(env.Detail, v); err != nil {
		return unknown("decode %s detail: %v", env.DetailType, err)
	}
	return nil
}

func parseSchedulerInput(env envelope) (Trigger, error) {
	if env.Kind != scheduleKind {
		return Trigger{}, unknown("scheduler input kind %q is not %q", env.Kind, scheduleKind)
	}
	if env.Model == "" {
		return Trigger{}, unknown("scheduler input names no model")
	}
	return Trigger{Reason: statemachines.ReasonSchedule, Source: SourceSchedule, Model: env.Model, Schedule: env.Schedule}, nil
}

func parseGitPush(t Trigger, env envelope) (Trigger, error) {
	var d gitPushDetail
	if err := decodeDetail(env, &d); err != nil {
		return Trigger{}, err
	}
	if d.Deleted {
		return Trigger{}, unknown("push %s deletes branch %s: nothing to train", env.ID, d.Branch)
	}
	commit := d.After
	if d.HeadCommit != nil && d.HeadCommit.ID != "" {
		commit = d.HeadCommit.ID
	}
	branch := d.Branch
	if branch == "" {
		var ok bool
		if branch, ok = strings.CutPrefix(d.Ref, "refs/heads/"); !ok {
			return Trigger{}, unknown("push %s: ref %q is not a branch", env.ID, d.Ref)
		}
	}
	t.Reason, t.Repository, t.Branch, t.Commit = statemachines.ReasonCommit, d.Repository, branch, commit
	return t, checkCommit(t)
}

func parseCodeCommit(t Trigger, env envelope) (Trigger, error) {
	var d codeCommitDetail
	if err := decodeDetail(env, &d); err != nil {
		return Trigger{}, err
	}
	if d.Event != codeCommitRefCreated && d.Event != codeCommitRefUpdated {
		return Trigger{}, unknown("CodeCommit %s of %s: only referenceCreated and referenceUpdated train", d.Event, d.ReferenceName)
	}
	if d.ReferenceType != referenceTypeBranch {
		return Trigger{}, unknown("CodeCommit %s is a %s, not a branch", d.ReferenceName, d.ReferenceType)
	}
	t.Reason, t.Repository, t.Branch, t.Commit = statemachines.ReasonCommit, d.RepositoryName, d.ReferenceName, d.CommitID
	return t, checkCommit(t)
}

func checkCommit(t Trigger) error {
	switch {
	case t.Repository == "":
		return unknown("commit event %s names no repository", t.EventID)
	case t.Branch == "":
		return unknown("commit event %s names no branch", t.EventID)
	case len(t.Commit) < minimumCommitIDLength || !isHex(t.Commit) || t.Commit == zeroSHA:
		return unknown("commit event %s: %q is not a commit SHA", t.EventID, t.Commit)
	}
	return nil
}

func parseObjectCreated(t Trigger, env envelope) (Trigger, error) {
	var d objectCreatedDetail
	if err := decodeDetail(env, &d); err != nil {
		return Trigger{}, err
	}
	switch {
	case d.Bucket.Name == "" || d.Object.Key == "":
		return Trigger{}, unknown("Object Created event %s names no bucket or key", env.ID)
	case strings.HasSuffix(d.Object.Key, "/"):
		return Trigger{}, unknown("object %s is a folder marker, not training data", d.Object.Key)
	}
	version := d.Object.ETag
	if version == "" {
		version = d.Object.Sequencer
	}
	if version == "" {
		return Trigger{}, unknown("Object Created event %s has neither etag nor sequencer", env.ID)
	}
	t.Reason, t.Bucket, t.DataKey, t.DataVersion = statemachines.ReasonNewData, d.Bucket.Name, d.Object.Key, version
	return t, nil
}

func parseAlarm(t Trigger, env envelope) (Trigger, error) {
	var d alarmDetail
	if err := decodeDetail(env, &d); err != nil {
		return Trigger{}, err
	}
	if d.AlarmName == "" {
		return Trigger{}, unknown("alarm event %s names no alarm", env.ID)
	}
	if d.State.Value != alarmStateAlarm {
		return Trigger{}, unknown("alarm %s changed to %s; only ALARM starts retraining", d.AlarmName, d.State.Value)
	}
	t.Reason, t.Alarm = statemachines.ReasonDrift, d.AlarmName
	return t, nil
}

func parseScheduledEvent(t Trigger, env envelope) (Trigger, error) {
	if len(env.Resources) == 0 {
		return Trigger{}, unknown("Scheduled Event %s names no rule in resources", env.ID)
	}
	rule := env.Resources[0]
	if i := strings.LastIndex(rule, "/"); i >= 0 {
		rule = rule[i+1:]
	}
	t.Reason, t.Schedule = statemachines.ReasonSchedule, rule
	return t, nil
}

func isHex(s string) bool {
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') && (r < 'A' || r > 'F') {
			return false
		}
	}
	return true
}
