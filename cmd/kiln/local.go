package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/driftcheck"
	"github.com/kiln-dev/kiln/internal/local/server"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/policy"
)

// localAddr returns the address flag's default: $KILN_ADDR, else 127.0.0.1:4566.
func localAddr() string {
	if a := os.Getenv("KILN_ADDR"); a != "" {
		return a
	}
	return server.DefaultAddr
}

// loadPolicy reads the policy file, or policy.Load() (KILN_POLICY or the default) when empty.
func loadPolicy(path string) (*policy.Policy, error) {
	if path == "" {
		return policy.Load()
	}
	return policy.LoadFile(path)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// newLocalCmd builds `kiln local`: the local stack in the foreground until SIGINT or SIGTERM.
func newLocalCmd() *cobra.Command {
	var dir, addr, stage, policyFile, logLevel, iamMode, template, runtimeMode string
	var corsOrigins []string
	var allowRemote, noImages bool
	var sfnMocks string
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Run the local AWS-compatible stack (Step Functions, SageMaker, EventBridge, S3, CloudWatch, SNS) in the foreground",
		Long: "Run kiln's local stack on one loopback address (default 127.0.0.1:4566, or $KILN_ADDR):\n" +
			"the kiln workflows on the local Step Functions engine, the Lambdas in process, and stand-ins\n" +
			"for SageMaker, EventBridge, S3, CloudWatch and SNS, with state under --dir. Point the AWS SDK\n" +
			"or CLI at it with --endpoint-url (credentials test/test, region us-east-1). Secrets Manager is\n" +
			"not emulated: the webhook secret is the file <dir>/webhook-secret. Executions waiting when the\n" +
			"stack stops resume when it starts again. Stop with Ctrl-C.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(cmd.ErrOrStderr(), logLevel)
			if err != nil {
				return err
			}
			privateFiles()
			p, err := loadPolicy(policyFile)
			if err != nil {
				return err
			}
			mocks, err := loadMockConfig(sfnMocks)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var rt stack.Runtime
			if !noImages {
				if rt, err = stack.ResolveRuntime(ctx, runtimeMode, p, dir, log); err != nil {
					return fmt.Errorf("%w (or pass --no-images: training and endpoints then fail)", err)
				}
			}
			authz, err := openLocalIAM(ctx, cmd.OutOrStdout(), iamMode, template, stage, p)
			if err != nil {
				return err
			}
			defer func() {
				if err := writeIAMReport(authz, dir); err != nil {
					log.Error("IAM report", "err", err)
				}
			}()
			st, err := stack.Open(stack.Options{Dir: dir, Addr: addr, AllowRemote: allowRemote, CORSOrigins: corsOrigins,
				Stage: stage, Policy: p, Images: rt.Images, Docker: rt.Docker, Log: log, IAM: authz, SFNMocks: mocks})
			if err != nil {
				return err
			}
			if err := st.Start(ctx); err != nil {
				st.Close()
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "kiln local (stage %s) listening on %s, state in %s\n", stage, st.Endpoint(), dir)
			for _, line := range st.Served() {
				fmt.Fprintln(out, "  "+line)
			}
			fmt.Fprintf(out, "console: %s\n", st.ConsoleURL())
			fmt.Fprintf(out, "try: aws --endpoint-url %s stepfunctions list-state-machines\n", st.Endpoint())
			<-ctx.Done()
			fmt.Fprintln(out, "stopping: running executions stay RUNNING and resume on the next start")
			return st.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "dir", ".kiln", "state directory")
	f.StringVar(&addr, "addr", localAddr(), "listen address (loopback only unless --allow-remote); $KILN_ADDR")
	f.BoolVar(&allowRemote, "allow-remote", false, "allow a non-loopback listen address (the stack has no authentication)")
	f.StringArrayVar(&corsOrigins, "cors-origin", nil, "allow cross-origin requests from this origin (e.g. http://localhost:3000, your own tool); repeatable; none by default")
	f.StringVar(&stage, "stage", "prod", "the policy stage the stack runs")
	f.StringVar(&policyFile, "policy", "", "policy file (default $KILN_POLICY or the embedded kiln.json)")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug (access log too), info, warn, error")
	addIAMFlags(cmd, &iamMode, &template)
	runtimeFlag(cmd, &runtimeMode, stack.RuntimeAuto)
	f.StringVar(&sfnMocks, "sfn-mocks", "", "Step Functions Local mock file: StartExecution on STATE_MACHINE_ARN#TestCase answers Task states from it")
	f.BoolVar(&noImages, "no-images", false, "run no model images (training and endpoints then fail); default: the policy's local.images, and the sample's programs built from a kiln checkout")
	return cmd
}

// endpointFlag adds --endpoint (default http://$KILN_ADDR or http://127.0.0.1:4566).
func endpointFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "endpoint", "http://"+localAddr(), "the running kiln local's endpoint")
}

// reachable reports whether something listens at endpoint.
func reachable(endpoint string) bool {
	host := strings.TrimPrefix(strings.TrimPrefix(endpoint, "http://"), "https://")
	host, _, _ = strings.Cut(host, "/")
	c, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// newStatusCmd builds `kiln status`. It asks the running stack through the real SDK clients;
// when none is running it opens the state directory itself, serves it on a free loopback port
// for the duration of the command (without resuming executions or running schedules; the
// endpoints' serving programs start and stop again, so the sample's images are built as under
// kiln local), and asks that the same way.
func newStatusCmd() *cobra.Command {
	var endpoint, dir, policyFile string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show executions, model packages and endpoints of the local stack",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			source := "kiln local at " + endpoint
			if !reachable(endpoint) {
				if _, err := os.Stat(dir); err != nil {
					return fmt.Errorf("no kiln local at %s and no state directory %s: run kiln local or kiln demo first", endpoint, dir)
				}
				// The endpoints restart with the stack, so they need their images as under
				// kiln local (otherwise the stand-in would report them Failed).
				p, err := loadPolicy(policyFile)
				if err != nil {
					return err
				}
				images, err := stack.LocalImages(ctx, p, dir)
				if err != nil {
					return fmt.Errorf("no kiln local at %s, and reading %s needs the model images: %w", endpoint, dir, err)
				}
				st, err := stack.Open(stack.Options{Dir: dir, Addr: "127.0.0.1:0", Policy: p, Images: images, Inspect: true})
				if err != nil {
					return err
				}
				defer st.Close()
				if err := st.Start(ctx); err != nil {
					return err
				}
				endpoint, source = st.Endpoint(), dir+" (no kiln local was running)"
			}
			return printStatus(ctx, cmd.OutOrStdout(), stack.NewClients(endpoint), source)
		},
	}
	endpointFlag(cmd, &endpoint)
	cmd.Flags().StringVar(&dir, "dir", ".kiln", "state directory, read when no kiln local is running")
	cmd.Flags().StringVar(&policyFile, "policy", "", "policy file, when no kiln local is running (default $KILN_POLICY or the embedded kiln.json)")
	return cmd
}

func duration(start, stop *time.Time) string {
	if start == nil {
		return ""
	}
	end := time.Now()
	if stop != nil {
		end = *stop
	}
	return end.Sub(*start).Round(100 * time.Millisecond).String()
}

func printStatus(ctx context.Context, out io.Writer, c *stack.Clients, source string) error {
	fmt.Fprintf(out, "kiln status from %s\n\n", source)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EXECUTION\tSTATE MACHINE\tSTATUS\tSTARTED\tDURATION")
	sms, err := c.StepFunctions.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil {
		return fmt.Errorf("list state machines: %w", err)
	}
	for _, m := range sms.StateMachines {
		p := sfn.NewListExecutionsPaginator(c.StepFunctions, &sfn.ListExecutionsInput{StateMachineArn: m.StateMachineArn})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("list executions of %s: %w", aws.ToString(m.Name), err)
			}
			for _, x := range page.Executions {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", aws.ToString(x.Name), aws.ToString(m.Name), x.Status,
					x.StartDate.UTC().Format(time.RFC3339), duration(x.StartDate, x.StopDate))
			}
		}
	}
	tw.Flush()

	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL PACKAGE\tVERSION\tAPPROVAL\tCREATED\tARN")
	groups, err := c.SageMaker.ListModelPackageGroups(ctx, &sagemaker.ListModelPackageGroupsInput{})
	if err != nil {
		return fmt.Errorf("list model package groups: %w", err)
	}
	for _, g := range groups.ModelPackageGroupSummaryList {
		pkgs, err := c.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{ModelPackageGroupName: g.ModelPackageGroupName,
			SortBy: smtypes.ModelPackageSortByCreationTime, SortOrder: smtypes.SortOrderAscending})
		if err != nil {
			return fmt.Errorf("list model packages of %s: %w", aws.ToString(g.ModelPackageGroupName), err)
		}
		for _, p := range pkgs.ModelPackageSummaryList {
			created := ""
			if p.CreationTime != nil {
				created = p.CreationTime.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", aws.ToString(g.ModelPackageGroupName), aws.ToInt32(p.ModelPackageVersion),
				p.ModelApprovalStatus, created, aws.ToString(p.ModelPackageArn))
		}
	}
	tw.Flush()

	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tCONFIG\tSTATUS\tVARIANTS\tUPDATED")
	eps, err := c.SageMaker.ListEndpoints(ctx, &sagemaker.ListEndpointsInput{})
	if err != nil {
		return fmt.Errorf("list endpoints: %w", err)
	}
	sort.Slice(eps.Endpoints, func(i, j int) bool {
		return aws.ToString(eps.Endpoints[i].EndpointName) < aws.ToString(eps.Endpoints[j].EndpointName)
	})
	for _, e := range eps.Endpoints {
		d, err := c.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: e.EndpointName})
		if err != nil {
			return fmt.Errorf("describe endpoint %s: %w", aws.ToString(e.EndpointName), err)
		}
		var variants []string
		for _, v := range d.ProductionVariants {
			variants = append(variants, fmt.Sprintf("%s weight %.2f", aws.ToString(v.VariantName), aws.ToFloat32(v.CurrentWeight)))
		}
		updated := ""
		if d.LastModifiedTime != nil {
			updated = d.LastModifiedTime.UTC().Format(time.RFC3339)
		}
		status := string(d.EndpointStatus)
		if d.FailureReason != nil {
			status += " (" + aws.ToString(d.FailureReason) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", aws.ToString(d.EndpointName), aws.ToString(d.EndpointConfigName), status,
			strings.Join(variants, ", "), updated)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return driftcheck.PrintLast(ctx, out, c.S3)
}

// newApproveCmd builds `kiln approve ARN`.
func newApproveCmd() *cobra.Command {
	var endpoint, reason string
	cmd := &cobra.Command{
		Use:   "approve MODEL_PACKAGE_ARN",
		Short: "Approve a model package in the running local stack's registry, as a person would in SageMaker",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return decide(cmd, endpoint, args[0], smtypes.ModelApprovalStatusApproved, reason)
		},
	}
	endpointFlag(cmd, &endpoint)
	cmd.Flags().StringVar(&reason, "reason", "", "approval description")
	return cmd
}

// newRejectCmd builds `kiln reject ARN --reason R`.
func newRejectCmd() *cobra.Command {
	var endpoint, reason string
	cmd := &cobra.Command{
		Use:   "reject MODEL_PACKAGE_ARN --reason REASON",
		Short: "Reject a model package in the running local stack's registry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return errors.New("reject: --reason is required: say why the model is rejected")
			}
			return decide(cmd, endpoint, args[0], smtypes.ModelApprovalStatusRejected, reason)
		},
	}
	endpointFlag(cmd, &endpoint)
	cmd.Flags().StringVar(&reason, "reason", "", "why the model package is rejected (required)")
	return cmd
}

// decide updates the package's approval status through the SageMaker API of the running
// stack, so the state change event reaches the approval function as on AWS.
func decide(cmd *cobra.Command, endpoint, arn string, status smtypes.ModelApprovalStatus, reason string) error {
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":model-package/") {
		return fmt.Errorf("%s: %q is not a model package ARN (arn:aws:sagemaker:REGION:ACCOUNT:model-package/GROUP/VERSION)", cmd.Name(), arn)
	}
	if !reachable(endpoint) {
		return fmt.Errorf("no kiln local at %s: start it with kiln local (the decision must flow through the running stack)", endpoint)
	}
	c := stack.NewClients(endpoint)
	in := &sagemaker.UpdateModelPackageInput{ModelPackageArn: aws.String(arn), ModelApprovalStatus: status}
	if reason != "" {
		in.ApprovalDescription = aws.String(reason)
	}
	if _, err := c.SageMaker.UpdateModelPackage(cmd.Context(), in); err != nil {
		return fmt.Errorf("update model package %s: %w", arn, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s is %s; the approval function completes the waiting pipeline\n", arn, status)
	return nil
}
