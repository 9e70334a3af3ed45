package container

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// OptML is where SageMaker mounts a job's directory inside a container.
const OptML = "/opt/ml"

// Job is one training run as a runtime sees it: what the program is given, where its
// directory is, and where its output goes.
type Job struct {
	// Name and ARN name the training job.
	Name, ARN string
	// Image is the training image.
	Image string
	// Dir is the job directory on the host, laid out as /opt/ml by [Layout].
	Dir string
	// HyperParameters are the job's hyperparameters (values are strings).
	HyperParameters map[string]string
	// Channels are the input channels, in request order.
	Channels []Channel
	// InputMode is the training input mode (File).
	InputMode string
	// InstanceType is the requested instance type.
	InstanceType string
	// Environment is the request's Environment.
	Environment map[string]string
	// Line, when set, receives every line the program prints (the lines also go to
	// <Dir>/logs/training.log). Called from one goroutine.
	Line func(line string)
}

// Channel is one input channel of a training job.
type Channel struct {
	Name, ContentType, DistributionType, RecordWrapperType, CompressionType string
}

// ChannelDir returns where a channel's data lives under root (a job directory or /opt/ml).
func ChannelDir(root, channel string) string { return filepath.Join(root, "input", "data", channel) }

// LogPath returns the training log of the job directory dir.
func LogPath(dir string) string { return filepath.Join(dir, "logs", "training.log") }

// Layout empties job.Dir and lays it out as SageMaker lays out /opt/ml: input/config with
// hyperparameters.json, resourceconfig.json and inputdataconfig.json, input/data, model,
// output/data, code, and logs (kiln's, outside the contract). The channels' data is the
// caller's to download into [ChannelDir].
func Layout(job Job) error {
	dir := job.Dir
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clean job directory: %w", err)
	}
	for _, d := range []string{"input/config", "input/data", "model", "output/data", "code", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return fmt.Errorf("create job directory: %w", err)
		}
	}
	for name, v := range configFiles(job) {
		b, _ := json.MarshalIndent(v, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, "input", "config", name), b, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// configFiles returns the contents of input/config.
func configFiles(job Job) map[string]any {
	hps := job.HyperParameters
	if hps == nil {
		hps = map[string]string{}
	}
	inputCfg := map[string]any{}
	for _, c := range job.Channels {
		inputCfg[c.Name] = map[string]string{
			"ContentType":            c.ContentType,
			"TrainingInputMode":      job.InputMode,
			"S3DistributionType":     c.DistributionType,
			"RecordWrapperType":      orDefault(c.RecordWrapperType, "None"),
			"CompressionType":        orDefault(c.CompressionType, "None"),
			"S3DataDistributionType": c.DistributionType,
		}
	}
	return map[string]any{
		"hyperparameters.json": hps,
		"resourceconfig.json":  resourceConfig(job),
		"inputdataconfig.json": inputCfg,
	}
}

// resourceConfig is resourceconfig.json: one host, algo-1.
func resourceConfig(job Job) map[string]any {
	return map[string]any{
		"current_host": "algo-1", "current_instance_type": job.InstanceType, "current_group_name": "homogeneousCluster",
		"hosts": []string{"algo-1"}, "network_interface_name": "lo",
	}
}

// TrainingContract returns the variables SageMaker gives a training program whose /opt/ml is
// root (the job directory for a local process, [OptML] in a container): SM_MODEL_DIR,
// SM_CHANNEL_<NAME>, SM_CHANNELS, SM_HPS, SM_INPUT_DIR, SM_INPUT_CONFIG_DIR, SM_OUTPUT_DIR,
// SM_OUTPUT_DATA_DIR, SM_CURRENT_HOST, SM_HOSTS, TRAINING_JOB_NAME, TRAINING_JOB_ARN, and what
// the training toolkit adds (see toolkitEnv).
func TrainingContract(job Job, root string) []string {
	channels := make([]string, 0, len(job.Channels))
	var env []string
	for _, c := range job.Channels {
		channels = append(channels, c.Name)
		env = append(env, "SM_CHANNEL_"+strings.ToUpper(strings.ReplaceAll(c.Name, "-", "_"))+"="+ChannelDir(root, c.Name))
	}
	chJSON, _ := json.Marshal(channels)
	hpJSON, _ := json.Marshal(job.HyperParameters)
	if job.HyperParameters == nil {
		hpJSON = []byte("{}")
	}
	env = append(env,
		"SM_MODEL_DIR="+filepath.Join(root, "model"),
		"SM_CHANNELS="+string(chJSON),
		"SM_HPS="+string(hpJSON),
		"SM_INPUT_DIR="+filepath.Join(root, "input"),
		"SM_INPUT_CONFIG_DIR="+filepath.Join(root, "input", "config"),
		"SM_OUTPUT_DIR="+filepath.Join(root, "output"),
		"SM_OUTPUT_DATA_DIR="+filepath.Join(root, "output", "data"),
		"SM_CURRENT_HOST=algo-1",
		`SM_HOSTS=["algo-1"]`,
		"TRAINING_JOB_NAME="+job.Name,
		"TRAINING_JOB_ARN="+job.ARN,
	)
	return append(env, toolkitEnv(job, root)...)
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
