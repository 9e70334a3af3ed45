package lambdaenv

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPathStyleS3(t *testing.T) {
	tests := []struct {
		name          string
		all, s3       string
		wantPathStyle bool
	}{
		{"on AWS, virtual-hosted addressing", "", "", false},
		{"a global endpoint override means kiln local", "http://127.0.0.1:4566", "", true},
		{"an S3-only override counts too", "", "http://127.0.0.1:4566", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", tt.all)
			t.Setenv("AWS_ENDPOINT_URL_S3", tt.s3)
			assert.Equal(t, tt.wantPathStyle, PathStyleS3())
		})
	}
}

func TestABadPolicyEndsTheColdStart(t *testing.T) {
	code := -1
	exit = func(c int) { code = c }
	t.Cleanup(func() { exit = realExit })
	t.Setenv("KILN_POLICY", `{"stages":{}}`)
	t.Setenv("AWS_REGION", "us-east-1")
	env := Load()
	assert.Equal(t, -1, code, "the AWS config loads from the environment")
	assert.Nil(t, env.Policy())
	assert.Equal(t, 1, code, "an invalid policy exits with 1")
}

var realExit = exit
