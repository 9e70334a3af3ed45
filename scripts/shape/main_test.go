package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunMeasuresFunctionsFilesAndNameLiterals(t *testing.T) {
	dir := t.TempDir()
	long := "package x\n\nfunc long() {\n" + strings.Repeat("\t_ = 1\n", 800) + "}\n\nfunc short() { _ = \"trigger\" }\n\n" +
		"type s struct {\n\tA int `json:\"trigger\"`\n}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.go"), []byte(long), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x_test.go"), []byte("package x\n\nfunc helper() { _ = \"webhook\" }\n"), 0o600))
	var out bytes.Buffer
	require.NoError(t, run(&out, dir, 1))
	got := out.String()
	assert.Contains(t, got, "functions: 2  p90 length: 802  max: 802  over 120: 1")
	assert.Contains(t, got, "non-test files over 700 lines: 1")
	assert.Contains(t, got, "function-name string literals: 1 in 1 files", "the tag and the test file do not count")
}

func TestRunRefusesATreeWithoutFunctions(t *testing.T) {
	assert.ErrorContains(t, run(&bytes.Buffer{}, t.TempDir(), 1), "no functions under")
}
