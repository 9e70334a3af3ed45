package container

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestToolkitEnvSetsWhatTheTrainingToolkitSets(t *testing.T) {
	j := Job{Name: "scaffold-prod-commit-abc-0", HyperParameters: map[string]string{"learning-rate": "0.1", "epochs": "3"},
		InputMode: "File", Channels: []Channel{{Name: "train", ContentType: "text/csv"}}, InstanceType: "ml.m5.large"}
	env := map[string]string{}
	for _, kv := range toolkitEnv(j, "/jobs/x") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	assert.Equal(t, "0.1", env["SM_HP_LEARNING_RATE"])
	assert.Equal(t, "3", env["SM_HP_EPOCHS"])
	assert.Equal(t, `["--epochs","3","--learning-rate","0.1"]`, env["SM_USER_ARGS"])
	assert.Equal(t, "0", env["SM_NUM_GPUS"])
	assert.Equal(t, "/jobs/x/output/intermediate", env["SM_OUTPUT_INTERMEDIATE_DIR"])
	assert.JSONEq(t, `{"train":{"ContentType":"text/csv","TrainingInputMode":"File","S3DistributionType":"","RecordWrapperType":"None"}}`, env["SM_INPUT_DATA_CONFIG"])
	var training map[string]any
	require.NoError(t, json.Unmarshal([]byte(env["SM_TRAINING_ENV"]), &training))
	assert.Equal(t, "/jobs/x/model", training["model_dir"])
	assert.Equal(t, map[string]any{"train": "/jobs/x/input/data/train"}, training["channel_input_dirs"])
	assert.NotEmpty(t, env["SM_NUM_CPUS"])
}

func TestWithRoleAppendsTrainOrServeOnlyWhenAsked(t *testing.T) {
	assert.Equal(t, []string{"train.py", "train"}, withRole(Command{AppendRole: true}, []string{"train.py"}, RoleTrain))
	assert.Equal(t, []string{"--port", "1"}, withRole(Command{}, []string{"--port", "1"}, RoleServe))
}
