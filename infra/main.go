// Command infra is kiln's AWS CDK app: one stack per stage (dev, staging, prod) with the whole
// control plane, built by looping over the topology table. Synthesis needs no credentials:
//
//	CDK_OUTDIR=cdk.out KILN_STAGE=prod go run ./infra
//
// KILN_STAGE picks the stage (default dev); KILN_BUILD_DIR is where `make build` put each
// function's bootstrap (default build/ at the repository root).
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/kiln-dev/kiln/internal/policy"
)

func main() {
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
}

func run() error {
	stage := os.Getenv("KILN_STAGE")
	if stage == "" {
		stage = "dev"
	}
	pol, err := policy.Load()
	if err != nil {
		return err
	}
	if _, ok := pol.Stages[stage]; !ok {
		return fmt.Errorf("stage %q is not in the policy (stages: %v)", stage, pol.StageNames())
	}
	if _, err := stageImages(pol, stage); err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	buildDir := os.Getenv("KILN_BUILD_DIR")
	if buildDir == "" {
		buildDir = filepath.Join(root, "build")
	}
	app := newApp("")
	NewKilnStack(app, "kiln-"+stage, &KilnStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("kiln MLOps control plane, stage " + stage),
		},
		Stage:    stage,
		Policy:   pol,
		BuildDir: buildDir,
	})
	app.Synth(nil)
	return nil
}

// assetMetadataContext is the context key that makes CDK write aws:asset:path and
// aws:asset:property Metadata on each resource with a local asset. The CDK CLI sets it; a plain
// `go run ./infra` must set it itself, or the template tells SAM CLI nothing about where the
// functions' code is (SAM's "Using the AWS SAM CLI with the AWS CDK" relies on that metadata,
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-cdk.html).
const assetMetadataContext = "aws:cdk:enable-asset-metadata"

// pathMetadataContext makes CDK write aws:cdk:path Metadata (stack/construct/Resource), which
// lets `sam local invoke TriggerFunction` name a function by its construct id instead of its
// hashed logical id. The CDK CLI sets it too.
const pathMetadataContext = "aws:cdk:enable-path-metadata"

// newApp returns the CDK app with asset and path metadata on; outdir "" leaves the output directory to
// CDK_OUTDIR (or CDK's default).
func newApp(outdir string) awscdk.App {
	props := &awscdk.AppProps{Context: &map[string]any{assetMetadataContext: true, pathMetadataContext: true}}
	if outdir != "" {
		props.Outdir = jsii.String(outdir)
	}
	return awscdk.NewApp(props)
}

// repoRoot walks up from the working directory to the folder holding go.mod, so the app
// finds build/ whether it runs from the root (go run ./infra) or from infra/ (go test).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}
