package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// paths are the directories of the SageMaker training contract.
type paths struct {
	config, channel, model, outputData, output string
}

// resolvePaths applies --root, then the SM_* environment variables.
func resolvePaths(args []string, getenv func(string) string) (paths, error) {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", "/opt/ml", "directory to treat as /opt/ml")
	if err := fs.Parse(args); err != nil {
		return paths{}, fmt.Errorf("parse flags: %w", err)
	}
	if fs.NArg() > 0 && fs.Arg(0) != "train" {
		// SageMaker starts a container as "<entrypoint> train"; anything else is a mistake.
		return paths{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	input := env("SM_INPUT_DIR", filepath.Join(*root, "input"))
	output := env("SM_OUTPUT_DIR", filepath.Join(*root, "output"))
	return paths{
		config:     env("SM_INPUT_CONFIG_DIR", filepath.Join(input, "config")),
		channel:    env("SM_CHANNEL_TRAIN", filepath.Join(input, "data", "train")),
		model:      env("SM_MODEL_DIR", filepath.Join(*root, "model")),
		outputData: env("SM_OUTPUT_DATA_DIR", filepath.Join(output, "data")),
		output:     output,
	}, nil
}

// writeFailure writes the failure reason where SageMaker reads it (at most 1 KiB is shown).
func writeFailure(dir string, reason error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write failure: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "failure"), []byte(reason.Error()+"\n"), 0o644); err != nil {
		return fmt.Errorf("write failure: %w", err)
	}
	return nil
}
