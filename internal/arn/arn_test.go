package arn_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/arn"
)

func TestExecution(t *testing.T) {
	tests := []struct{ name, machine, exec, want string }{
		{"an execution is named under its machine", "arn:aws:states:us-east-1:000000000000:stateMachine:kiln-prod-pipeline", "abc",
			"arn:aws:states:us-east-1:000000000000:execution:kiln-prod-pipeline:abc"},
		{"a star is every execution of the machine", "arn:aws-cn:states:cn-north-1:1:stateMachine:m", "*",
			"arn:aws-cn:states:cn-north-1:1:execution:m:*"},
		{"only the resource type is replaced", "arn:aws:states:r:1:stateMachine:stateMachine", "x",
			"arn:aws:states:r:1:execution:stateMachine:x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, arn.Execution(tt.machine, tt.exec)) })
	}
}
