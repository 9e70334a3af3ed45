// Command train is the abalone sample's SageMaker training program: it reads the "train"
// channel's CSV files, trains gradient-boosted trees for Rings, and writes the model, an
// evaluation report and a Model Monitor baseline, following the SageMaker training container
// contract.
//
// Paths default to SageMaker's under /opt/ml; --root DIR treats DIR as /opt/ml (the local stack
// runs the program as a plain process in a job directory), and SageMaker's environment
// variables override single paths and win over --root:
//
//	SM_INPUT_DIR         DIR/input
//	SM_INPUT_CONFIG_DIR  $SM_INPUT_DIR/config         (hyperparameters.json)
//	SM_CHANNEL_TRAIN     $SM_INPUT_DIR/data/train     (every *.csv, header as abalone.csv)
//	SM_MODEL_DIR         DIR/model                    (model.json)
//	SM_OUTPUT_DATA_DIR   DIR/output/data              (evaluation.json, baseline/*.json)
//	SM_OUTPUT_DIR        DIR/output                   (failure, on error)
//
// Hyperparameters (all JSON strings, as SageMaker passes them): num_round, max_depth, eta,
// min_child_weight, subsample, lambda, gamma, tree_method (exact|hist), max_bin, seed,
// test_fraction (default 0.2), baseline_buckets (default 20), drift_threshold (default 0.1).
// Keys starting with "sagemaker_" are ignored; any other unknown key is an error.
//
// On failure the reason goes to $SM_OUTPUT_DIR/failure and to stderr, and the exit code is 1.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run trains as the command line and environment say and returns the exit code.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	paths, err := resolvePaths(args, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "train: %v\n", err)
		return 2
	}
	if err := train(paths, stdout); err != nil {
		fmt.Fprintf(stderr, "train: %v\n", err)
		if werr := writeFailure(paths.output, err); werr != nil {
			fmt.Fprintf(stderr, "train: %v\n", werr)
		}
		return 1
	}
	return 0
}
