package statemachines

// PipelineInput is the input of the pipeline workflow, as the trigger function starts it.
// Everything a run needs travels in it, so one definition serves every model and stage.
type PipelineInput struct {
	// Model is the policy's model name; Stage the stage the run releases to.
	Model string `json:"model"`
	Stage string `json:"stage"`
	// Trigger says why the run started (lineage for the registry and the notifications).
	Trigger Trigger `json:"trigger"`
	// Training is the SageMaker training job's request.
	Training Training `json:"training"`
	// Registry names the model package group.
	Registry Registry `json:"registry"`
	// Approval is the stage's approval rule.
	Approval Approval `json:"approval"`
	// Deploy is the deployment request; Enabled is false for a stage that only registers.
	Deploy Deploy `json:"deploy"`
}

// Trigger reasons.
const (
	ReasonCommit   = "commit"
	ReasonSchedule = "schedule"
	ReasonNewData  = "new-data"
	ReasonDrift    = "drift"
)

// Trigger records why a pipeline run started. Every field is always present (empty when it
// does not apply), because the workflow reads them with paths.
type Trigger struct {
	// Reason is commit, schedule, new-data or drift.
	Reason string `json:"reason"`
	// Source is the event's source (kiln.git, aws.codecommit, aws.s3, aws.cloudwatch, kiln.schedule).
	Source string `json:"source"`
	// EventID is the id of the event that started the run.
	EventID string `json:"eventId"`
	// Commit is the commit SHA that was trained ("none" for a trigger without one).
	Commit string `json:"commit"`
	// Branch and Repository locate the commit ("none" when not applicable).
	Branch     string `json:"branch"`
	Repository string `json:"repository"`
	// DataKey is the S3 key of new training data, for a new-data trigger.
	DataKey string `json:"dataKey"`
	// Alarm is the drift alarm's name, for a drift trigger.
	Alarm string `json:"alarm"`
	// Time is when the triggering event happened (RFC 3339).
	Time string `json:"time"`
}

// Training is the training job's request.
type Training struct {
	Image             string            `json:"image"`
	InstanceType      string            `json:"instanceType"`
	InstanceCount     int               `json:"instanceCount"`
	VolumeSizeGB      int               `json:"volumeSizeGB"`
	MaxRuntimeSeconds int               `json:"maxRuntimeSeconds"`
	Hyperparameters   map[string]string `json:"hyperparameters"`
	// DataS3URI is the S3 prefix of the train channel; OutputS3URI where SageMaker writes
	// <job>/output/model.tar.gz and output.tar.gz.
	DataS3URI   string `json:"dataS3Uri"`
	OutputS3URI string `json:"outputS3Uri"`
}

// Registry names the model package group a run registers into.
type Registry struct {
	Group string `json:"group"`
}

// Approval is the stage's approval rule as the workflow and request-approval read it.
type Approval struct {
	// Mode is manual or auto.
	Mode string `json:"mode"`
	// TimeoutSeconds is the RequestApproval state's TimeoutSecondsPath.
	TimeoutSeconds int `json:"timeoutSeconds"`
}

// Deploy is the deployment request, also the deploy workflow's deploy field.
type Deploy struct {
	Enabled       bool   `json:"enabled"`
	EndpointName  string `json:"endpointName"`
	VariantName   string `json:"variantName"`
	ServingImage  string `json:"servingImage"`
	InstanceType  string `json:"instanceType"`
	InstanceCount int    `json:"instanceCount"`
	// Strategy is ALL_AT_ONCE, CANARY or LINEAR, for records and messages.
	Strategy string `json:"strategy"`
	// DeploymentConfig is SageMaker's UpdateEndpoint DeploymentConfig, in the API's shape
	// (policy.Deployment.DeploymentConfig).
	DeploymentConfig map[string]any `json:"deploymentConfig"`
	// CaptureS3URI is where the endpoint captures requests and responses.
	CaptureS3URI string `json:"captureS3Uri"`
	// PollSeconds is the wait between DescribeEndpoint polls.
	PollSeconds int `json:"pollSeconds"`
}

// DeployInput is the input of the deploy workflow, as the pipeline's Deploy state builds it.
type DeployInput struct {
	// ReleaseID is the pipeline execution's name; model and endpoint config names derive from it.
	ReleaseID       string   `json:"releaseId"`
	Model           string   `json:"model"`
	Stage           string   `json:"stage"`
	ModelPackageARN string   `json:"modelPackageArn"`
	Baseline        Baseline `json:"baseline"`
	Deploy          Deploy   `json:"deploy"`
	// Rollback is set when the deploy puts an earlier release back (release.Releaser). The
	// workflow does not read it: it travels in the execution's input so that the execution's
	// "Step Functions Execution Status Change" event says whose rollback ended, and why.
	Rollback *RollbackRequest `json:"rollback,omitempty"`
}

// RollbackRequest is who asked for a rollback and why, and the package it takes out.
type RollbackRequest struct {
	FromPackageARN string `json:"fromPackageArn,omitempty"`
	RequestedBy    string `json:"requestedBy"`
	Reason         string `json:"reason"`
}

// Baseline locates a model's drift baseline (Model Monitor's formats).
type Baseline struct {
	StatisticsS3URI  string `json:"statisticsS3Uri"`
	ConstraintsS3URI string `json:"constraintsS3Uri"`
}

// EvaluateRequest is the evaluate function's payload from the EvaluateModel state.
type EvaluateRequest struct {
	Model           string `json:"model"`
	Stage           string `json:"stage"`
	TrainingJobName string `json:"trainingJobName"`
	OutputS3URI     string `json:"outputS3Uri"`
	ModelArtifacts  string `json:"modelArtifacts"`
}

// Evaluation is the evaluate function's result, at $.evaluation.report in the pipeline.
type Evaluation struct {
	// Passed is true; a candidate that fails is the named error ModelRejectedError instead.
	Passed bool `json:"passed"`
	// Metric, Value and Threshold are the gate's metric, the candidate's value and the limit.
	Metric    string  `json:"metric"`
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
	// Champion is the model in production, nil when there is none yet.
	Champion *Champion `json:"champion"`
	// Delta is Value minus the champion's value; RelativeDelta divides it by the champion's (0 without one).
	Delta         float64 `json:"delta"`
	RelativeDelta float64 `json:"relativeDelta"`
	// Reason says in a sentence why the candidate passed.
	Reason string `json:"reason"`
	// ReportS3URI is the evaluation report (evaluation.json) copied out of the job's output.
	ReportS3URI string `json:"reportS3Uri"`
	// Baseline is the drift baseline copied out of the job's output.
	Baseline Baseline `json:"baseline"`
	// CustomerMetadata goes to the model package's CustomerMetadataProperties (string values).
	CustomerMetadata map[string]string `json:"customerMetadata"`
}

// Champion is the model now in production as the registry knows it.
type Champion struct {
	ModelPackageARN string  `json:"modelPackageArn"`
	Value           float64 `json:"value"`
}

// ApprovalRequest is the request-approval function's payload from the RequestApproval state.
type ApprovalRequest struct {
	TaskToken       string      `json:"taskToken"`
	ExecutionARN    string      `json:"executionArn"`
	ModelPackageARN string      `json:"modelPackageArn"`
	Model           string      `json:"model"`
	Stage           string      `json:"stage"`
	Approval        Approval    `json:"approval"`
	Evaluation      Evaluation  `json:"evaluation"`
	Trigger         Trigger     `json:"trigger"`
	TrainingJob     TrainingJob `json:"trainingJob"`
	DataS3URI       string      `json:"dataS3Uri"`
}

// TrainingJob is the pipeline's summary of the finished training job ($.trainingJob).
type TrainingJob struct {
	TrainingJobName string `json:"TrainingJobName"`
	TrainingJobArn  string `json:"TrainingJobArn"`
	ModelArtifacts  string `json:"ModelArtifacts"`
}

// Decision is the output the approval function sends with SendTaskSuccess ($.decision).
type Decision struct {
	Status          string `json:"status"`
	ModelPackageARN string `json:"modelPackageArn"`
	DecidedBy       string `json:"decidedBy"`
	Description     string `json:"description"`
	DecidedAt       string `json:"decidedAt"`
}

// Named errors the workflows react to (ErrorEquals) or end with.
const (
	// ErrModelRejected is the evaluate function's error for a candidate that fails the gate.
	ErrModelRejected = "ModelRejectedError"
	// ErrPackageRejected is the SendTaskFailure error when an approver rejects the package.
	ErrPackageRejected = "ModelPackageRejected"
	// ErrRolledBack ends the deploy workflow when SageMaker rolled the update back.
	ErrRolledBack = "DeploymentRolledBackError"
	// ErrEndpointFailed ends the deploy workflow when the endpoint reached Failed.
	ErrEndpointFailed = "EndpointFailedError"
	// ErrUpdateRollbackFailed ends the deploy workflow when the endpoint is
	// UpdateRollbackFailed: an update failed and so did SageMaker's rollback.
	ErrUpdateRollbackFailed = "EndpointUpdateRollbackFailedError"
)
