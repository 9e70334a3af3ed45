package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/scaffold"
)

func TestRunInitPrintsWhatItWroteAndWhatComesNext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fraud")
	var out bytes.Buffer
	require.NoError(t, runInit(&out, dir, "", scaffold.Python))
	assert.Contains(t, out.String(), `kiln init: model "fraud" in `+dir)
	assert.Contains(t, out.String(), "  kiln.json")
	assert.Contains(t, out.String(), "next: cd "+dir+" && kiln local --policy kiln.json --stage staging")
	assert.FileExists(t, filepath.Join(dir, "kiln.json"))
}

func TestRunHistoryAndRollbackRefuseBadFlagsBeforeCallingAnything(t *testing.T) {
	ctx, target := context.Background(), opsTarget{stage: "prod"}
	var out bytes.Buffer
	tests := []struct {
		name, wantErr string
		run           func() error
	}{
		{"a history time that is not RFC 3339 is refused", "--at \"yesterday\" is not an RFC 3339 time",
			func() error { return runHistory(ctx, &out, target, "abalone", "yesterday", "table") }},
		{"a history output other than table or json is refused", "--output is table or json, not \"yaml\"",
			func() error { return runHistory(ctx, &out, target, "abalone", "", "yaml") }},
		{"a rollback without a reason is refused", "--reason is required",
			func() error { return runRollback(ctx, &out, target, rollbackArgs{model: "abalone", reason: "  "}) }},
		{"a rollback to a negative version is refused", "--to -1 is not a package version",
			func() error {
				return runRollback(ctx, &out, target, rollbackArgs{model: "abalone", reason: "bad", to: -1})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Empty(t, out.String())
		})
	}
}
