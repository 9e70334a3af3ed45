package opsevents

import "time"

// Sources of kiln's operational events.
const (
	// SourceRelease is the source of rollback and watch events.
	SourceRelease = "kiln.release"
	// SourceDrift is the source of drift check events.
	SourceDrift = "kiln.drift"
)

// Detail types of kiln's operational events.
const (
	// RollbackCompleted: a rollback's deploy execution ended (Status says how).
	RollbackCompleted = "kiln Rollback Completed"
	// WatchBreached: an alarm fired inside a release's watch window after the bake.
	WatchBreached = "kiln Watch Breached"
	// DriftChecked: the drift job compared a window of captured traffic with the baseline.
	DriftChecked = "kiln Drift Checked"
)

// Rollback is the detail of a "kiln Rollback Completed" event.
type Rollback struct {
	Model        string `json:"model"`
	Stage        string `json:"stage"`
	EndpointName string `json:"endpointName"`
	// Status is the deploy execution's status: SUCCEEDED when the endpoint serves
	// ToPackageARN again, else FAILED, TIMED_OUT or ABORTED with Error and Cause.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	Cause  string `json:"cause,omitempty"`
	// FromPackageARN is the package taken out of service; ToPackageARN the one put back.
	FromPackageARN string `json:"fromPackageArn"`
	ToPackageARN   string `json:"toPackageArn"`
	ToVersion      int    `json:"toVersion"`
	// RequestedBy and Reason say who asked for the rollback and why.
	RequestedBy  string `json:"requestedBy"`
	Reason       string `json:"reason"`
	ExecutionARN string `json:"executionArn"`
	// RequestedAt and CompletedAt bound the rollback; Seconds is the time between them.
	RequestedAt time.Time `json:"requestedAt"`
	CompletedAt time.Time `json:"completedAt"`
	Seconds     float64   `json:"seconds"`
}

// Watch actions, as a Breach reports them.
const (
	// ActionRolledBack: the stage rolls back to the previous release.
	ActionRolledBack = "rolled-back"
	// ActionAlreadyRollingBack: the same rollback had started already (a repeated alarm).
	ActionAlreadyRollingBack = "already-rolling-back"
	// ActionNoEarlierRelease: no earlier Approved release exists; nothing was changed.
	ActionNoEarlierRelease = "no-earlier-release"
)

// Breach is the detail of a "kiln Watch Breached" event.
type Breach struct {
	Model        string `json:"model"`
	Stage        string `json:"stage"`
	EndpointName string `json:"endpointName"`
	// AlarmName is the alarm that fired; AlarmKind is errors, latency or drift.
	AlarmName string `json:"alarmName"`
	AlarmKind string `json:"alarmKind"`
	// Cause is the alarm's state reason, as CloudWatch wrote it.
	Cause string `json:"cause"`
	// PackageARN is the release being watched; DeployedAt when its deployment settled.
	PackageARN   string    `json:"packageArn"`
	DeployedAt   time.Time `json:"deployedAt"`
	BreachedAt   time.Time `json:"breachedAt"`
	WatchSeconds int       `json:"watchSeconds"`
	// SecondsIntoWatch is BreachedAt minus DeployedAt.
	SecondsIntoWatch float64 `json:"secondsIntoWatch"`
	// Action is rolled-back, already-rolling-back or no-earlier-release.
	Action string `json:"action"`
	// RollbackExecutionARN and ToPackageARN name the rollback, when there is one.
	RollbackExecutionARN string `json:"rollbackExecutionArn,omitempty"`
	ToPackageARN         string `json:"toPackageArn,omitempty"`
}

// Feature is one feature's drift in a "kiln Drift Checked" event.
type Feature struct {
	Name      string  `json:"name"`
	Distance  float64 `json:"distance"`
	Threshold float64 `json:"threshold"`
	Drifted   bool    `json:"drifted"`
}

// Drift is the detail of a "kiln Drift Checked" event.
type Drift struct {
	Model        string `json:"model"`
	Stage        string `json:"stage"`
	EndpointName string `json:"endpointName"`
	// Status is the drift job's: Completed, InsufficientData or NoDeployment.
	Status          string    `json:"status"`
	Message         string    `json:"message,omitempty"`
	WindowStart     time.Time `json:"windowStart"`
	WindowEnd       time.Time `json:"windowEnd"`
	Rows            int       `json:"rows"`
	Features        []Feature `json:"features"`
	DriftedFeatures []string  `json:"driftedFeatures"`
	MaxDistance     float64   `json:"maxDistance"`
	ViolationsS3URI string    `json:"violationsS3Uri,omitempty"`
}
