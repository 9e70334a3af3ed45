package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// summary is step 4: what happened, as tables, and where to read more.
func (d *demo) summary(ctx context.Context) error {
	c := d.st.Clients()
	var rows [][]string
	pipelines := 0
	for _, wf := range []string{"pipeline", "deploy"} {
		xs, err := d.executions(ctx, wf)
		if err != nil {
			return err
		}
		for _, x := range xs {
			trigger := "pipeline " + short(x.Name)
			if wf == "pipeline" {
				pipelines++
				desc, err := c.StepFunctions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(x.ARN)})
				if err != nil {
					return fmt.Errorf("describe %s: %w", x.Name, err)
				}
				var in statemachines.PipelineInput
				if err := json.Unmarshal([]byte(aws.ToString(desc.Input)), &in); err == nil {
					trigger = in.Trigger.Reason
				}
			} else {
				trigger = "nested"
			}
			took := "running"
			if !x.Stop.IsZero() {
				took = fmt.Sprintf("%.1fs", x.Stop.Sub(x.Start).Seconds())
			}
			rows = append(rows, []string{wf, x.Name, trigger, x.Status, took})
		}
	}
	d.p.line("  executions:")
	d.p.table([]string{"workflow", "execution", "trigger", "status", "duration"}, rows)
	if pipelines != 3 {
		return fmt.Errorf("%d pipeline executions, want 3 (the push, the drift retraining, the redriven release)", pipelines)
	}

	group := topology.PackageGroup(Stage, Model)
	pkgs, err := c.SageMaker.ListModelPackages(ctx, &awssm.ListModelPackagesInput{
		ModelPackageGroupName: aws.String(group), SortBy: smtypes.ModelPackageSortByCreationTime, SortOrder: smtypes.SortOrderAscending,
	})
	if err != nil {
		return fmt.Errorf("list %s: %w", group, err)
	}
	rows = nil
	for _, s := range pkgs.ModelPackageSummaryList {
		p, err := c.SageMaker.DescribeModelPackage(ctx, &awssm.DescribeModelPackageInput{ModelPackageName: s.ModelPackageArn})
		if err != nil {
			return err
		}
		md := p.CustomerMetadataProperties
		rows = append(rows, []string{
			fmt.Sprint(aws.ToInt32(p.ModelPackageVersion)), string(p.ModelApprovalStatus), num(md["kiln:mse"]),
			num(md["kiln:championValue"]), md["kiln:trigger"], short(aws.ToString(p.MetadataProperties.CommitId)),
			aws.ToString(p.ApprovalDescription),
		})
	}
	d.p.line("  model versions in %s:", group)
	d.p.table([]string{"version", "approval", "test mse", "champion mse", "trigger", "commit", "approval note"}, rows)
	if len(rows) != 3 {
		return fmt.Errorf("%d model versions, want 3", len(rows))
	}

	endpoint := topology.EndpointName(Stage, Model)
	hist, err := d.st.SageMaker().DeploymentHistory(endpoint)
	if err != nil {
		return err
	}
	rows = nil
	for _, h := range hist {
		rows = append(rows, []string{h.Time.Format(time.TimeOnly), h.Phase, h.ToConfig, fmt.Sprintf("%.0f%%", h.NewShare*100)})
	}
	d.p.line("  deployment history of %s:", endpoint)
	d.p.table([]string{"time", "phase", "config", "new fleet share"}, rows)

	d.p.line("  read more:")
	d.p.line("    go run ./cmd/kiln status                      (executions, models, endpoints from %s/)", d.o.Dir)
	d.p.line("    go run ./cmd/kiln local                       (serve this state on 127.0.0.1:4566), then:")
	d.p.line("    aws --endpoint-url http://127.0.0.1:4566 --region us-east-1 stepfunctions get-execution-history \\")
	d.p.line("        --execution-arn %s", firstExecution(ctx, d))
	return nil
}

// firstExecution returns the first pipeline execution's ARN, for the example command.
func firstExecution(ctx context.Context, d *demo) string {
	xs, err := d.executions(ctx, "pipeline")
	if err != nil || len(xs) == 0 {
		return "<execution arn>"
	}
	return xs[0].ARN
}
