package sagemaker

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Training job statuses, as DescribeTrainingJob reports them.
const (
	JobInProgress = "InProgress"
	JobCompleted  = "Completed"
	JobFailed     = "Failed"
	JobStopping   = "Stopping"
	JobStopped    = "Stopped"
)

type trainingJob struct {
	TrainingJobName            string             `json:"TrainingJobName"`
	TrainingJobArn             string             `json:"TrainingJobArn"`
	TrainingJobStatus          string             `json:"TrainingJobStatus"`
	SecondaryStatus            string             `json:"SecondaryStatus"`
	SecondaryStatusTransitions []statusTransition `json:"SecondaryStatusTransitions"`
	HyperParameters            map[string]string  `json:"HyperParameters,omitempty"`
	AlgorithmSpecification     *algorithmSpec     `json:"AlgorithmSpecification"`
	RoleArn                    string             `json:"RoleArn"`
	InputDataConfig            []channel          `json:"InputDataConfig,omitempty"`
	OutputDataConfig           *outputDataConfig  `json:"OutputDataConfig"`
	ResourceConfig             *resourceConfig    `json:"ResourceConfig"`
	StoppingCondition          *stoppingCondition `json:"StoppingCondition"`
	Environment                map[string]string  `json:"Environment,omitempty"`
	CreationTime               *Time              `json:"CreationTime"`
	TrainingStartTime          *Time              `json:"TrainingStartTime,omitempty"`
	TrainingEndTime            *Time              `json:"TrainingEndTime,omitempty"`
	LastModifiedTime           *Time              `json:"LastModifiedTime"`
	TrainingTimeInSeconds      *int64             `json:"TrainingTimeInSeconds,omitempty"`
	BillableTimeInSeconds      *int64             `json:"BillableTimeInSeconds,omitempty"`
	ModelArtifacts             *modelArtifacts    `json:"ModelArtifacts"`
	FailureReason              string             `json:"FailureReason,omitempty"`
	FinalMetricDataList        []json.RawMessage  `json:"FinalMetricDataList,omitempty"`
	EnableNetworkIsolation     bool               `json:"EnableNetworkIsolation"`
}

type statusTransition struct {
	Status        string `json:"Status"`
	StartTime     *Time  `json:"StartTime"`
	EndTime       *Time  `json:"EndTime,omitempty"`
	StatusMessage string `json:"StatusMessage,omitempty"`
}

type algorithmSpec struct {
	TrainingImage     string            `json:"TrainingImage,omitempty"`
	AlgorithmName     string            `json:"AlgorithmName,omitempty"`
	TrainingInputMode string            `json:"TrainingInputMode"`
	MetricDefinitions []json.RawMessage `json:"MetricDefinitions,omitempty"`
}

type channel struct {
	ChannelName       string `json:"ChannelName"`
	ContentType       string `json:"ContentType,omitempty"`
	CompressionType   string `json:"CompressionType,omitempty"`
	InputMode         string `json:"InputMode,omitempty"`
	RecordWrapperType string `json:"RecordWrapperType,omitempty"`
	DataSource        struct {
		S3DataSource *struct {
			S3DataType             string `json:"S3DataType"`
			S3Uri                  string `json:"S3Uri"`
			S3DataDistributionType string `json:"S3DataDistributionType,omitempty"`
		} `json:"S3DataSource,omitempty"`
	} `json:"DataSource"`
}

type outputDataConfig struct {
	S3OutputPath    string `json:"S3OutputPath"`
	KmsKeyID        string `json:"KmsKeyId,omitempty"`
	CompressionType string `json:"CompressionType,omitempty"`
}

type resourceConfig struct {
	InstanceType   string `json:"InstanceType,omitempty"`
	InstanceCount  int    `json:"InstanceCount"`
	VolumeSizeInGB int    `json:"VolumeSizeInGB"`
}

type stoppingCondition struct {
	MaxRuntimeInSeconds  int `json:"MaxRuntimeInSeconds,omitempty"`
	MaxWaitTimeInSeconds int `json:"MaxWaitTimeInSeconds,omitempty"`
}

type modelArtifacts struct {
	S3ModelArtifacts string `json:"S3ModelArtifacts"`
}

type createTrainingJobInput struct {
	TrainingJobName        string              `json:"TrainingJobName"`
	HyperParameters        map[string]any      `json:"HyperParameters"`
	AlgorithmSpecification *algorithmSpec      `json:"AlgorithmSpecification"`
	RoleArn                string              `json:"RoleArn"`
	InputDataConfig        []channel           `json:"InputDataConfig"`
	OutputDataConfig       *outputDataConfig   `json:"OutputDataConfig"`
	ResourceConfig         *resourceConfig     `json:"ResourceConfig"`
	StoppingCondition      *stoppingCondition  `json:"StoppingCondition"`
	Environment            map[string]string   `json:"Environment"`
	EnableNetworkIsolation bool                `json:"EnableNetworkIsolation"`
	Tags                   []map[string]string `json:"Tags"`
}

// CreateTrainingJob starts a training job from a CreateTrainingJob JSON input and returns
// {"TrainingJobArn": ...}. The process runs in the background; see WaitTrainingJob.
func (s *Service) CreateTrainingJob(ctx context.Context, input []byte) ([]byte, error) {
	return s.Call(ctx, "CreateTrainingJob", input)
}

// WaitTrainingJob blocks until the named job is Completed, Failed or Stopped (or ctx ends)
// and returns its DescribeTrainingJob JSON. This is what sagemaker:createTrainingJob.sync
// waits on; the caller decides that a Failed or Stopped job fails the task.
func (s *Service) WaitTrainingJob(ctx context.Context, name string) ([]byte, error) {
	for {
		b, wake, err := s.jobOrWaiter(name)
		if err != nil || b != nil {
			return b, err
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for training job %s: %w", name, ctx.Err())
		}
	}
}

// jobOrWaiter returns the job's Describe JSON when it has ended, else a channel closed when
// it does.
func (s *Service) jobOrWaiter(name string) ([]byte, <-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[name]
	if !ok {
		return nil, nil, validationf("Requested resource not found: training job %s", name)
	}
	if terminalJob(j.TrainingJobStatus) {
		b, err := json.Marshal(j)
		if err != nil {
			return nil, nil, fmt.Errorf("marshal training job %s: %w", name, err)
		}
		return b, nil, nil
	}
	ch := make(chan struct{})
	s.waiters[name] = append(s.waiters[name], ch)
	return nil, ch, nil
}

func terminalJob(status string) bool {
	return status == JobCompleted || status == JobFailed || status == JobStopped
}

func (s *Service) opCreateTrainingJob(ctx context.Context, body []byte) (any, error) {
	var in createTrainingJobInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if err := validName("TrainingJobName", in.TrainingJobName); err != nil {
		return nil, err
	}
	if in.AlgorithmSpecification == nil || in.AlgorithmSpecification.TrainingImage == "" {
		return nil, validationf("1 validation error detected: AlgorithmSpecification.TrainingImage must be specified (kiln local runs images, not built-in algorithm names)")
	}
	if in.AlgorithmSpecification.TrainingInputMode == "" {
		in.AlgorithmSpecification.TrainingInputMode = "File"
	}
	if in.AlgorithmSpecification.TrainingInputMode != "File" {
		return nil, validationf("TrainingInputMode %s is not supported locally; use File", in.AlgorithmSpecification.TrainingInputMode)
	}
	if err := s.checkEnvironment("Environment", in.AlgorithmSpecification.TrainingImage, in.Environment, 512); err != nil {
		return nil, err
	}
	if err := required("RoleArn", in.RoleArn); err != nil {
		return nil, err
	}
	if in.OutputDataConfig == nil || in.OutputDataConfig.S3OutputPath == "" {
		return nil, validationf("1 validation error detected: Value null at 'outputDataConfig.s3OutputPath' failed to satisfy constraint: Member must not be null")
	}
	if _, _, err := parseS3URI(in.OutputDataConfig.S3OutputPath); err != nil {
		return nil, validationf("OutputDataConfig.S3OutputPath: %s", apiMessage(err))
	}
	if in.ResourceConfig == nil {
		return nil, validationf("1 validation error detected: Value null at 'resourceConfig' failed to satisfy constraint: Member must not be null")
	}
	if in.ResourceConfig.InstanceCount < 1 {
		in.ResourceConfig.InstanceCount = 1
	}
	if in.StoppingCondition == nil {
		return nil, validationf("1 validation error detected: Value null at 'stoppingCondition' failed to satisfy constraint: Member must not be null")
	}
	if in.StoppingCondition.MaxRuntimeInSeconds < 0 {
		return nil, validationf("StoppingCondition.MaxRuntimeInSeconds must be at least 1")
	}
	if in.StoppingCondition.MaxRuntimeInSeconds == 0 {
		in.StoppingCondition.MaxRuntimeInSeconds = 86400
	}
	hps := make(map[string]string, len(in.HyperParameters))
	for k, v := range in.HyperParameters {
		str, ok := v.(string)
		if !ok {
			return nil, validationf("1 validation error detected: Value at 'hyperParameters.%s' failed to satisfy constraint: Member must be a string (hyperparameter values are strings)", k)
		}
		hps[k] = str
	}
	seen := map[string]bool{}
	for i, c := range in.InputDataConfig {
		if err := validName(fmt.Sprintf("InputDataConfig.%d.ChannelName", i+1), c.ChannelName); err != nil {
			return nil, err
		}
		if seen[c.ChannelName] {
			return nil, validationf("channel names must be unique: %s appears twice", c.ChannelName)
		}
		seen[c.ChannelName] = true
		if c.DataSource.S3DataSource == nil {
			return nil, validationf("channel %s: only S3DataSource is supported locally", c.ChannelName)
		}
		if t := c.DataSource.S3DataSource.S3DataType; t != "S3Prefix" {
			return nil, validationf("channel %s: S3DataType %q is not supported locally; use S3Prefix", c.ChannelName, t)
		}
		if _, _, err := parseS3URI(c.DataSource.S3DataSource.S3Uri); err != nil {
			return nil, validationf("channel %s: %s", c.ChannelName, apiMessage(err))
		}
	}
	if err := s.images.Runs(in.AlgorithmSpecification.TrainingImage); err != nil {
		return nil, validationf("training %s", err)
	}

	now := newTime(s.now())
	j := &trainingJob{
		TrainingJobName:        in.TrainingJobName,
		TrainingJobArn:         s.arn("training-job", strings.ToLower(in.TrainingJobName)),
		TrainingJobStatus:      JobInProgress,
		SecondaryStatus:        "Starting",
		HyperParameters:        hps,
		AlgorithmSpecification: in.AlgorithmSpecification,
		RoleArn:                in.RoleArn,
		InputDataConfig:        in.InputDataConfig,
		OutputDataConfig:       in.OutputDataConfig,
		ResourceConfig:         in.ResourceConfig,
		StoppingCondition:      in.StoppingCondition,
		Environment:            in.Environment,
		EnableNetworkIsolation: in.EnableNetworkIsolation,
		CreationTime:           now,
		LastModifiedTime:       now,
		SecondaryStatusTransitions: []statusTransition{{
			Status: "Starting", StartTime: now, StatusMessage: "Starting the training job",
		}},
	}
	run, err := s.admitJob(j)
	if err != nil {
		return nil, err
	}
	s.emitJob(j)
	go func() {
		defer s.wg.Done()
		s.runTrainingJob(j.TrainingJobName, run)
	}()
	return map[string]string{"TrainingJobArn": j.TrainingJobArn}, nil
}

// admitJob records a new job and its run, and counts the run's goroutine in s.wg, under the
// lock and only while the service is open.
func (s *Service) admitJob(j *trainingJob) (*jobRun, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errShuttingDown()
	}
	if _, dup := s.jobs[j.TrainingJobName]; dup {
		return nil, inUsef("Training job names must be unique within an AWS account and region, and a training job with this name already exists (%s)", j.TrainingJobArn)
	}
	if err := putRecord(s, bucketJobs, s.jobs, j.TrainingJobName, j); err != nil {
		return nil, err
	}
	run := &jobRun{stop: make(chan string, 1)}
	s.running[j.TrainingJobName] = run
	s.wg.Add(1)
	return run, nil
}

func (s *Service) opDescribeTrainingJob(_ context.Context, body []byte) (any, error) {
	var in struct{ TrainingJobName string }
	if err := decodeRequired(body, &in, "TrainingJobName", &in.TrainingJobName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[in.TrainingJobName]
	if !ok {
		return nil, validationf("Requested resource not found: training job %s", in.TrainingJobName)
	}
	return cloneJSON(j)
}

func (s *Service) opListTrainingJobs(_ context.Context, body []byte) (any, error) {
	var in struct {
		NameContains                          string
		StatusEquals                          string
		SortBy                                string
		SortOrder                             string
		MaxResults                            int
		NextToken                             string
		CreationTimeAfter, CreationTimeBefore *Time
	}
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var list []*trainingJob
	for _, j := range s.jobs {
		if in.NameContains != "" && !strings.Contains(j.TrainingJobName, in.NameContains) {
			continue
		}
		if in.StatusEquals != "" && j.TrainingJobStatus != in.StatusEquals {
			continue
		}
		if !createdBetween(j.CreationTime, in.CreationTimeAfter, in.CreationTimeBefore) {
			continue
		}
		list = append(list, j)
	}
	type summary struct {
		TrainingJobName   string
		TrainingJobArn    string
		CreationTime      *Time
		TrainingEndTime   *Time `json:",omitempty"`
		LastModifiedTime  *Time
		TrainingJobStatus string
		SecondaryStatus   string
	}
	sortBy := orDefault(in.SortBy, "CreationTime")
	key := func(j *trainingJob) (string, time.Time) { return j.TrainingJobName, j.CreationTime.Time }
	if sortBy == "Status" { // SageMaker also sorts training jobs by status
		sortBy = "Name"
		key = func(j *trainingJob) (string, time.Time) {
			return j.TrainingJobStatus + "/" + j.TrainingJobName, j.CreationTime.Time
		}
	}
	sums, err := summarize(list, sortBy, in.SortOrder, key, func(j *trainingJob) summary {
		return summary{j.TrainingJobName, j.TrainingJobArn, j.CreationTime, j.TrainingEndTime, j.LastModifiedTime, j.TrainingJobStatus, j.SecondaryStatus}
	})
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return listPage("TrainingJobSummaries", sums, in.MaxResults, in.NextToken)
}

func (s *Service) opStopTrainingJob(_ context.Context, body []byte) (any, error) {
	var in struct{ TrainingJobName string }
	if err := decodeRequired(body, &in, "TrainingJobName", &in.TrainingJobName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[in.TrainingJobName]
	if !ok {
		return nil, notFoundf("Requested resource not found: training job %s", in.TrainingJobName)
	}
	if j.TrainingJobStatus != JobInProgress {
		return nil, validationf("The request was rejected because the training job is in status %s.", j.TrainingJobStatus)
	}
	run := s.running[j.TrainingJobName]
	j.TrainingJobStatus = JobStopping
	j.LastModifiedTime = newTime(s.now())
	s.mustSave(bucketJobs, j.TrainingJobName, j)
	if run != nil {
		select {
		case run.stop <- "Stopped by StopTrainingJob":
		default:
		}
	}
	s.emitJob(cloneJob(j))
	return struct{}{}, nil
}

func cloneJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal record: %w", err)
	}
	return b, nil
}

func cloneJob(j *trainingJob) *trainingJob {
	c := *j
	c.SecondaryStatusTransitions = append([]statusTransition(nil), j.SecondaryStatusTransitions...)
	return &c
}

// emitJob puts a "SageMaker Training Job State Change" event.
func (s *Service) emitJob(j *trainingJob) {
	detail := map[string]any{
		"TrainingJobName":        j.TrainingJobName,
		"TrainingJobArn":         j.TrainingJobArn,
		"TrainingJobStatus":      j.TrainingJobStatus,
		"SecondaryStatus":        j.SecondaryStatus,
		"HyperParameters":        j.HyperParameters,
		"AlgorithmSpecification": j.AlgorithmSpecification,
		"RoleArn":                j.RoleArn,
		"InputDataConfig":        j.InputDataConfig,
		"OutputDataConfig":       j.OutputDataConfig,
		"ResourceConfig":         j.ResourceConfig,
		"StoppingCondition":      j.StoppingCondition,
		"CreationTime":           epochMillis(j.CreationTime),
		"LastModifiedTime":       epochMillis(j.LastModifiedTime),
	}
	if j.TrainingStartTime != nil {
		detail["TrainingStartTime"] = epochMillis(j.TrainingStartTime)
	}
	if j.TrainingEndTime != nil {
		detail["TrainingEndTime"] = epochMillis(j.TrainingEndTime)
	}
	if j.ModelArtifacts != nil {
		detail["ModelArtifacts"] = j.ModelArtifacts
	}
	if j.FailureReason != "" {
		detail["FailureReason"] = j.FailureReason
	}
	s.emit("SageMaker Training Job State Change", detail, []string{j.TrainingJobArn})
}
