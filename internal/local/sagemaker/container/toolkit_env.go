package container

import (
	"encoding/json"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// toolkitEnv returns the variables the SageMaker training toolkit sets besides the paths
// TrainingContract sets itself: SM_HP_<NAME> per hyperparameter, SM_USER_ARGS, SM_NUM_CPUS,
// SM_NUM_GPUS, SM_LOG_LEVEL, SM_NETWORK_INTERFACE_NAME, SM_OUTPUT_INTERMEDIATE_DIR,
// SM_INPUT_DATA_CONFIG, SM_RESOURCE_CONFIG and SM_TRAINING_ENV (all of it as one JSON object).
// root is /opt/ml as the program sees it.
func toolkitEnv(j Job, root string) []string {
	hps := j.HyperParameters
	if hps == nil {
		hps = map[string]string{}
	}
	names := make([]string, 0, len(hps))
	for k := range hps {
		names = append(names, k)
	}
	sort.Strings(names)
	var env []string
	userArgs := []string{}
	for _, k := range names {
		env = append(env, "SM_HP_"+envName(k)+"="+hps[k])
		userArgs = append(userArgs, "--"+k, hps[k])
	}
	inputCfg := map[string]any{}
	channelDirs := map[string]string{}
	for _, c := range j.Channels {
		inputCfg[c.Name] = map[string]string{
			"ContentType":        c.ContentType,
			"TrainingInputMode":  j.InputMode,
			"S3DistributionType": c.DistributionType,
			"RecordWrapperType":  orDefault(c.RecordWrapperType, "None"),
		}
		channelDirs[c.Name] = ChannelDir(root, c.Name)
	}
	resource := resourceConfig(j)
	ua, _ := json.Marshal(userArgs)
	ic, _ := json.Marshal(inputCfg)
	rc, _ := json.Marshal(resource)
	cpus := strconv.Itoa(runtime.NumCPU())
	training, _ := json.Marshal(map[string]any{
		"job_name": j.Name, "hyperparameters": hps, "channel_input_dirs": channelDirs,
		"current_host": "algo-1", "hosts": []string{"algo-1"}, "num_cpus": runtime.NumCPU(), "num_gpus": 0,
		"model_dir": filepath.Join(root, "model"), "input_dir": filepath.Join(root, "input"),
		"input_config_dir": filepath.Join(root, "input", "config"), "input_data_config": inputCfg,
		"output_dir": filepath.Join(root, "output"), "output_data_dir": filepath.Join(root, "output", "data"),
		"output_intermediate_dir": filepath.Join(root, "output", "intermediate"), "resource_config": resource,
		"network_interface_name": "lo", "log_level": 20,
	})
	return append(env,
		"SM_USER_ARGS="+string(ua),
		"SM_NUM_CPUS="+cpus,
		"SM_NUM_GPUS=0",
		"SM_LOG_LEVEL=20",
		"SM_NETWORK_INTERFACE_NAME=lo",
		"SM_OUTPUT_INTERMEDIATE_DIR="+filepath.Join(root, "output", "intermediate"),
		"SM_INPUT_DATA_CONFIG="+string(ic),
		"SM_RESOURCE_CONFIG="+string(rc),
		"SM_TRAINING_ENV="+string(training),
	)
}

// envName is a hyperparameter or channel name as the toolkit puts it in a variable name:
// upper case, hyphens and dots as underscores.
func envName(s string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(s))
}
