package container

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestComposeEnvPutsTheContractLastAndDropsRefusedVariables(t *testing.T) {
	env, dropped := ComposeEnv([]string{"HOME=/home/u"}, map[string]string{"LD_PRELOAD": "x.so", "SM_MODEL_DIR": "/tmp", "MY": "1"},
		[]string{"CMD=1"}, []string{"SM_MODEL_DIR=/job/model"})
	assert.Equal(t, []string{"HOME=/home/u", "MY=1", "CMD=1", "SM_MODEL_DIR=/job/model"}, env)
	assert.Equal(t, []string{"LD_PRELOAD", "SM_MODEL_DIR"}, dropped)
}

func TestRefusedVariableNamesLoaderAndContractVariablesInAnyCase(t *testing.T) {
	for _, tc := range []struct {
		name, variable string
		refused        bool
	}{
		{"the dynamic loader's preload is refused", "LD_PRELOAD", true},
		{"PATH in lower case is refused", "path", true},
		{"a contract variable is refused", "SM_MODEL_DIR", true},
		{"an ordinary variable is accepted", "MODEL_THRESHOLD", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.refused, RefusedVariable(tc.variable) != "", "got %q", RefusedVariable(tc.variable))
		})
	}
}
