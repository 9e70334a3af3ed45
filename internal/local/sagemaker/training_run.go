package sagemaker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
)

// jobRun is a training job with a live process.
type jobRun struct {
	stop chan string // a reason to stop (StopTrainingJob)

	mu      sync.Mutex
	proc    container.Process
	closing bool // the service is closing: leave the record as it is
}

// kill ends the job's process because the service is closing.
func (r *jobRun) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closing = true
	if r.proc != nil {
		r.proc.Kill()
	}
}

// start starts the job's program unless the service is closing, and keeps it for kill.
func (r *jobRun) start(start func() (container.Process, error)) (container.Process, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return nil, errors.New("kiln local is shutting down")
	}
	p, err := start()
	if err != nil {
		return nil, err
	}
	r.proc = p
	return p, nil
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
	s.endJob(name, reason, artifacts)
	final := s.transition(name, status, secondary, message)
	s.emitJob(final)
	s.releaseWaiters(name)
	if status == JobFailed {
		s.log.Warn("training job failed", "job", name, "reason", reason)
	} else {
		s.log.Info("training job ended", "job", name, "status", status)
	}
}

// endJob records the end of the job's training time, its failure reason and artifacts, and
// forgets its run.
func (s *Service) endJob(name, reason string, artifacts *modelArtifacts) {
	s.mu.Lock()
	defer s.mu.Unlock()
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
}

// releaseWaiters wakes every WaitTrainingJob of the job.
func (s *Service) releaseWaiters(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.waiters[name] {
		close(ch)
	}
	delete(s.waiters, name)
}

// jobCopy returns a copy of the job's record.
func (s *Service) jobCopy(name string) *trainingJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneJob(s.jobs[name])
}

// markTrainingStart records that the job's program starts now.
func (s *Service) markTrainingStart(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[name].TrainingStartTime = newTime(s.now())
}

func (s *Service) runTrainingJob(name string, run *jobRun) {
	j := s.jobCopy(name)
	ctx := WithRole(s.ctx, j.RoleArn) // channels and output are read and written under the job's role
	dir := s.jobDir(name)
	fail := func(reason string) {
		s.finishJob(name, run, JobFailed, "Failed", "Training job failed", truncate(reason, 1024), nil)
	}

	s.transition(name, "", "Downloading", "Downloading input data")
	if err := s.pullImage(ctx, j.RoleArn, j.AlgorithmSpecification.TrainingImage); err != nil {
		fail("ClientError: " + err.Error())
		return
	}
	if err := s.prepareJobDir(ctx, j, dir); err != nil {
		if run.isClosing() {
			return
		}
		fail("ClientError: " + err.Error())
		return
	}
	s.markTrainingStart(name)
	s.transition(name, "", "Training", "Training image download completed. Training in progress.")

	exitErr, stopReason, err := s.runProcess(j, dir, run)
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

// containerJob is what the runtime needs of j, run in the job directory dir.
func (s *Service) containerJob(j *trainingJob, dir string) container.Job {
	job := container.Job{Name: j.TrainingJobName, ARN: j.TrainingJobArn, Image: j.AlgorithmSpecification.TrainingImage,
		Dir: dir, HyperParameters: j.HyperParameters, InputMode: j.AlgorithmSpecification.TrainingInputMode,
		InstanceType: j.ResourceConfig.InstanceType, Environment: j.Environment}
	for _, c := range j.InputDataConfig {
		job.Channels = append(job.Channels, container.Channel{Name: c.ChannelName, ContentType: c.ContentType,
			DistributionType: c.DataSource.S3DataSource.S3DataDistributionType, RecordWrapperType: c.RecordWrapperType,
			CompressionType: c.CompressionType})
	}
	if s.cfg.TrainingLog != nil {
		job.Line = func(line string) { s.cfg.TrainingLog(j.TrainingJobName, line) }
	}
	return job
}

// prepareJobDir lays out the job directory as /opt/ml and downloads every channel.
func (s *Service) prepareJobDir(ctx context.Context, j *trainingJob, dir string) error {
	if err := container.Layout(s.containerJob(j, dir)); err != nil {
		return err
	}
	for _, c := range j.InputDataConfig {
		uri := c.DataSource.S3DataSource.S3Uri
		n, err := s.downloadPrefix(ctx, uri, container.ChannelDir(dir, c.ChannelName))
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

// runProcess runs the training program until it exits, is stopped, or exceeds its
// maximum runtime. It returns the program's exit error, a stop reason when it was stopped,
// or an error when it could not start.
func (s *Service) runProcess(j *trainingJob, dir string, run *jobRun) (exitErr error, stopReason string, err error) {
	job := s.containerJob(j, dir)
	proc, err := run.start(func() (container.Process, error) { return s.images.Train(s.ctx, job) })
	if err != nil {
		return nil, "", err
	}
	limit := s.cfg.Clock.After(time.Duration(j.StoppingCondition.MaxRuntimeInSeconds) * time.Second)
	select {
	case <-proc.Done():
		return proc.Err(), "", nil
	case reason := <-run.stop:
		stopReason = reason
	case <-limit:
		stopReason = fmt.Sprintf("MaxRuntimeExceeded: the training job ran longer than MaxRuntimeInSeconds (%d)", j.StoppingCondition.MaxRuntimeInSeconds)
	}
	// SageMaker sends SIGTERM and gives the algorithm time to save its model; locally
	// a few seconds.
	proc.Stop(5 * time.Second)
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
		body, err := container.Pack(item.src)
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
