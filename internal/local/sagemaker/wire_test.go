package sagemaker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeRequired(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{"a set name is decoded", `{"ModelName":"abalone"}`, "abalone", ""},
		{"an empty body names the missing member", ``, "", "Value null at 'modelName' failed to satisfy constraint: Member must not be null"},
		{"a blank name counts as missing", `{"ModelName":"  "}`, "  ", "Value null at 'modelName'"},
		{"a name of the wrong type is named", `{"ModelName":7}`, "", "Value at 'ModelName' failed to satisfy constraint: Member must be of type string"},
		{"a body that is not JSON is refused", `{`, "", "the request body is not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in struct{ ModelName string }
			err := decodeRequired([]byte(tc.body), &in, "ModelName", &in.ModelName)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Equal(t, CodeValidation, ErrorCode(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, in.ModelName)
		})
	}
}
