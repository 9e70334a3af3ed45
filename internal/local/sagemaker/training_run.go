package sagemaker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// jobRun is a training job with a live process.
type jobRun struct {
	stop chan string // a reason to stop (StopTrainingJob)

	mu      sync.Mutex
	cmd     *exec.Cmd
	closing bool // the service is closing: leave the record as it is
}

// kill ends the job's process because the service is closing.
func (r *jobRun) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closing = true
	if r.cmd != nil && r.cmd.Process != nil {
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	}
}

func (r *jobRun) isClosing() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closing
}

// jobDir returns <Root>/jobs/<name>.
func (s *Service) jobDir(name string) string { return filepath.Join(s.cfg.Root, "jobs", name) }

// transition moves the job to a secondary status (and, when status is not "", a primary
// one), persisting it; it returns a copy for the event.
func (s *Service) transition(name, status, secondary, message string) *trainingJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[name]
	now := newTime(s.now())
	if n := len(j.SecondaryStatusTransitions); n > 0 && j.SecondaryStatusTransitions[n-1].EndTime == nil {
		j.SecondaryStatusTransitions[n-1].EndTime = now
	}
	if secondary != "" {
		j.SecondaryStatus = secondary
		tr := statusTransition{Status: secondary, StartTime: now, StatusMessage: message}
		if terminalJob(status) {
			tr.EndTime = now
		}
		j.SecondaryStatusTransitions = append(j.SecondaryStatusTransitions, tr)
	}
	if status != "" {
		j.TrainingJobStatus = status
	}
	j.LastModifiedTime = now
	s.mustSave(bucketJobs, name, j)
	return cloneJob(j)
}

func (s *Service) finishJob(name string, run *jobRun, status, secondary, message, reason string, artifacts *modelArtifacts) {
	if run.isClosing() {
		return
	}
	s.mu.Lock()
	j := s.jobs[name]
	now := newTime(s.now())
	if j.TrainingStartTime != nil {
		j.TrainingEndTime = now
		secs := int64(now.Sub(j.TrainingStartTime.Time).Seconds())
		j.TrainingTimeInSeconds = &secs
		j.BillableTimeInSeconds = &secs
	}
	if reason != "" {
		j.FailureReason = reason
	}
	if artifacts != nil {
		j.ModelArtifacts = artifacts
	}
	delete(s.running, name)
	s.mu.Unlock()
	final := s.transition(name, status, secondary, message)
	s.emitJob(final)
	s.mu.Lock()
	for _, ch := range s.waiters[name] {
		close(ch)
	}
	delete(s.waiters, name)
	s.mu.Unlock()
	if status == JobFailed {
		s.log.Warn("training job failed", "job", name, "reason", reason)
	} else {
		s.log.Info("training job ended", "job", name, "status", status)
	}
}

func (s *Service) runTrainingJob(name string, run *jobRun) {
	s.mu.Lock()
	j := cloneJob(s.jobs[name])
	s.mu.Unlock()
	ctx := WithRole(s.ctx, j.RoleArn) // channels and output are read and written under the job's role
	dir := s.jobDir(name)
	fail := func(reason string) {
		s.finishJob(name, run, JobFailed, "Failed", "Training job failed", truncate(reason, 1024), nil)
	}
	cmdSpec := s.cfg.Images[j.AlgorithmSpecification.TrainingImage]

	s.transition(name, "", "Downloading", "Downloading input data")
	if err := s.prepareJobDir(ctx, j, dir); err != nil {
		if run.isClosing() {
			return
		}
		fail("ClientError: " + err.Error())
		return
	}
	s.mu.Lock()
	s.jobs[name].TrainingStartTime = newTime(s.now())
	s.mu.Unlock()
	s.transition(name, "", "Training", "Training image download completed. Training in progress.")

	exitErr, stopReason, err := s.runProcess(j, dir, cmdSpec, run)
	if run.isClosing() {
		return
	}
	if err != nil {
		fail("ClientError: " + err.Error())
		return
	}
	if stopReason != "" {
		artifacts, uerr := s.uploadOutputs(ctx, j, dir)
		secondary := "Stopped"
		if strings.HasPrefix(stopReason, "MaxRuntimeExceeded") {
			secondary = "MaxRuntimeExceeded"
		}
		if uerr != nil {
			s.log.Warn("upload outputs of stopped training job", "job", name, "err", uerr)
			artifacts = nil
		}
		s.finishJob(name, run, JobStopped, secondary, stopReason, "", artifacts)
		return
	}
	if exitErr != nil {
		fail(failureReason(dir, exitErr))
		return
	}
	s.transition(name, "", "Uploading", "Uploading generated training model")
	artifacts, err := s.uploadOutputs(ctx, j, dir)
	if err != nil {
		if run.isClosing() {
			return
		}
		fail("ClientError: " + err.Error())
		return
	}
	s.finishJob(name, run, JobCompleted, "Completed", "Training job completed", "", artifacts)
}

// failureReason reads /opt/ml/output/failure (its first 1024 bytes) or describes the exit.
func failureReason(dir string, exitErr error) string {
	if b, err := os.ReadFile(filepath.Join(dir, "output", "failure")); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return "AlgorithmError: " + truncate(strings.TrimSpace(string(b)), 1024-len("AlgorithmError: "))
	}
	var ee *exec.ExitError
	if errors.As(exitErr, &ee) {
		if st, ok := ee.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			return fmt.Sprintf("AlgorithmError: the training process was killed by signal %s (see logs/training.log)", st.Signal())
		}
		return fmt.Sprintf("AlgorithmError: the training process exited with code %d (see logs/training.log)", ee.ExitCode())
	}
	return "AlgorithmError: " + exitErr.Error()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// prepareJobDir lays out the job directory as /opt/ml and downloads every channel.
func (s *Service) prepareJobDir(ctx context.Context, j *trainingJob, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clean job directory: %w", err)
	}
	for _, d := range []string{"input/config", "input/data", "model", "output/data", "code", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return fmt.Errorf("create job directory: %w", err)
		}
	}
	hps := j.HyperParameters
	if hps == nil {
		hps = map[string]string{}
	}
	inputCfg := map[string]any{}
	for _, c := range j.InputDataConfig {
		inputCfg[c.ChannelName] = map[string]string{
			"ContentType":            c.ContentType,
			"TrainingInputMode":      j.AlgorithmSpecification.TrainingInputMode,
			"S3DistributionType":     c.DataSource.S3DataSource.S3DataDistributionType,
			"RecordWrapperType":      orDefault(c.RecordWrapperType, "None"),
			"CompressionType":        orDefault(c.CompressionType, "None"),
			"S3DataDistributionType": c.DataSource.S3DataSource.S3DataDistributionType,
		}
	}
	files := map[string]any{
		"hyperparameters.json": hps,
		"resourceconfig.json": map[string]any{
			"current_host":           "algo-1",
			"current_instance_type":  j.ResourceConfig.InstanceType,
			"current_group_name":     "homogeneousCluster",
			"hosts":                  []string{"algo-1"},
			"network_interface_name": "lo",
		},
		"inputdataconfig.json": inputCfg,
	}
	for name, v := range files {
		b, _ := json.MarshalIndent(v, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, "input", "config", name), b, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	for _, c := range j.InputDataConfig {
		uri := c.DataSource.S3DataSource.S3Uri
		n, err := s.downloadPrefix(ctx, uri, filepath.Join(dir, "input", "data", c.ChannelName))
		if err != nil {
			return fmt.Errorf("download channel %s from %s: %w", c.ChannelName, uri, err)
		}
		if n == 0 {
			return fmt.Errorf("no objects under %s for channel %s", uri, c.ChannelName)
		}
	}
	return nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// downloadPrefix copies every object under an s3:// prefix into dest, each at its key's path
// after the prefix (a prefix naming one object gives that object's base name).
func (s *Service) downloadPrefix(ctx context.Context, uri, dest string) (int, error) {
	bucket, prefix, err := parseS3URI(uri)
	if err != nil {
		return 0, err
	}
	keys, err := s.cfg.Blobs.List(ctx, bucket, prefix)
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", uri, err)
	}
	sort.Strings(keys)
	n := 0
	for _, key := range keys {
		if strings.HasSuffix(key, "/") {
			continue
		}
		rel := strings.TrimLeft(strings.TrimPrefix(key, prefix), "/")
		if rel == "" { // the prefix names one object
			rel = key[strings.LastIndex(key, "/")+1:]
		}
		target := filepath.Join(dest, filepath.FromSlash(rel))
		if !strings.HasPrefix(target, dest+string(filepath.Separator)) {
			return n, fmt.Errorf("key %s escapes the channel directory", key)
		}
		body, err := s.cfg.Blobs.Get(ctx, bucket, key)
		if err != nil {
			return n, fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return n, err
		}
		if err := os.WriteFile(target, body, 0o600); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// expand replaces the {root}, {model_dir} and {port} tokens.
func expand(v string, root, modelDir, port string) string {
	return strings.NewReplacer("{root}", root, "{model_dir}", modelDir, "{port}", port).Replace(v)
}

// runProcess runs the training command until it exits, is stopped, or exceeds its
// maximum runtime. It returns the process's exit error, a stop reason when it was stopped,
// or an error when it could not start.
func (s *Service) runProcess(j *trainingJob, dir string, spec Command, run *jobRun) (exitErr error, stopReason string, err error) {
	modelDir := filepath.Join(dir, "model")
	args := make([]string, len(spec.Args))
	for i, a := range spec.Args {
		args[i] = expand(a, dir, modelDir, "")
	}
	args = withRole(spec, args, roleTrain)
	cmd := exec.Command(expand(spec.Path, dir, modelDir, ""), args...)
	cmd.Dir = dir
	if spec.Dir != "" {
		cmd.Dir = expand(spec.Dir, dir, modelDir, "")
	}
	cmd.SysProcAttr = childAttr()
	channels := make([]string, 0, len(j.InputDataConfig))
	var contract []string
	for _, c := range j.InputDataConfig {
		channels = append(channels, c.ChannelName)
		contract = append(contract, "SM_CHANNEL_"+strings.ToUpper(strings.ReplaceAll(c.ChannelName, "-", "_"))+"="+filepath.Join(dir, "input", "data", c.ChannelName))
	}
	chJSON, _ := json.Marshal(channels)
	hpJSON, _ := json.Marshal(j.HyperParameters)
	if j.HyperParameters == nil {
		hpJSON = []byte("{}")
	}
	contract = append(contract,
		"SM_MODEL_DIR="+modelDir,
		"SM_CHANNELS="+string(chJSON),
		"SM_HPS="+string(hpJSON),
		"SM_INPUT_DIR="+filepath.Join(dir, "input"),
		"SM_INPUT_CONFIG_DIR="+filepath.Join(dir, "input", "config"),
		"SM_OUTPUT_DIR="+filepath.Join(dir, "output"),
		"SM_OUTPUT_DATA_DIR="+filepath.Join(dir, "output", "data"),
		"SM_CURRENT_HOST=algo-1",
		`SM_HOSTS=["algo-1"]`,
		"TRAINING_JOB_NAME="+j.TrainingJobName,
		"TRAINING_JOB_ARN="+j.TrainingJobArn,
	)
	contract = append(contract, toolkitEnv(j, dir)...)
	command := make([]string, len(spec.Env))
	for i, e := range spec.Env {
		command[i] = expand(e, dir, modelDir, "")
	}
	env, dropped := composeEnv(os.Environ(), j.Environment, command, contract)
	if len(dropped) > 0 {
		s.log.Warn("training job environment variables not passed to the process", "trainingJob", j.TrainingJobName, "variables", dropped)
	}
	cmd.Env = env

	logFile, err := os.OpenFile(filepath.Join(dir, "logs", "training.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("open training log: %w", err)
	}
	defer logFile.Close()
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			_, _ = logFile.WriteString(line + "\n")
			if s.cfg.TrainingLog != nil {
				s.cfg.TrainingLog(j.TrainingJobName, line)
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()

	run.mu.Lock()
	if run.closing {
		run.mu.Unlock()
		pw.Close()
		<-logDone
		return nil, "", errors.New("kiln local is shutting down")
	}
	if err := cmd.Start(); err != nil {
		run.mu.Unlock()
		pw.Close()
		<-logDone
		return nil, "", fmt.Errorf("start %s: %w", spec.Path, err)
	}
	run.cmd = cmd
	run.mu.Unlock()
	trackChild(s.cfg.Root, s.log, cmd.Process.Pid, spec.Path)

	var waitResult error
	waited := make(chan struct{})
	go func() {
		waitResult = cmd.Wait()
		untrackChild(s.cfg.Root, cmd.Process.Pid)
		pw.Close()
		close(waited)
	}()
	limit := s.cfg.Clock.After(time.Duration(j.StoppingCondition.MaxRuntimeInSeconds) * time.Second)
	select {
	case <-waited:
		<-logDone
		return waitResult, "", nil
	case reason := <-run.stop:
		stopReason = reason
	case <-limit:
		stopReason = fmt.Sprintf("MaxRuntimeExceeded: the training job ran longer than MaxRuntimeInSeconds (%d)", j.StoppingCondition.MaxRuntimeInSeconds)
	}
	// SageMaker sends SIGTERM and gives the algorithm time to save its model; locally
	// a few seconds.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-waited
	}
	<-logDone
	return nil, stopReason, nil
}

// uploadOutputs packs model/ and output/data/ and uploads them under
// <S3OutputPath>/<job>/output/.
func (s *Service) uploadOutputs(ctx context.Context, j *trainingJob, dir string) (*modelArtifacts, error) {
	base := joinS3(j.OutputDataConfig.S3OutputPath, j.TrainingJobName, "output")
	for _, item := range []struct{ src, name string }{
		{filepath.Join(dir, "model"), "model.tar.gz"},
		{filepath.Join(dir, "output", "data"), "output.tar.gz"},
	} {
		body, err := packDir(item.src)
		if err != nil {
			return nil, fmt.Errorf("pack %s: %w", item.name, err)
		}
		uri := joinS3(base, item.name)
		bucket, key, err := parseS3URI(uri)
		if err != nil {
			return nil, err
		}
		if err := s.cfg.Blobs.Put(ctx, bucket, key, body); err != nil {
			return nil, fmt.Errorf("put %s: %w", uri, err)
		}
	}
	return &modelArtifacts{S3ModelArtifacts: joinS3(base, "model.tar.gz")}, nil
}
