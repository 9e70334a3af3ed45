package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/asl/conformance"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/statemachines"
)

// newSfnCmd builds `kiln sfn`, the state machine commands: run, validate and conformance.
func newSfnCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sfn",
		Short: "run, validate and check Step Functions state machines on kiln's ASL engine",
	}
	cmd.AddCommand(newSfnRunCmd(), newSfnValidateCmd(), newSfnConformanceCmd())
	return cmd
}

// substitute fills ${Key} placeholders from subs and leaves unknown ones intact.
func substitute(def []byte, subs map[string]string) []byte { return statemachines.FillKnown(def, subs) }

func parseSubs(list []string) (map[string]string, error) {
	subs := map[string]string{}
	for _, s := range list {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("parse --sub %q: want Key=Value", s)
		}
		subs[k] = v
	}
	return subs, nil
}

func newSfnRunCmd() *cobra.Command {
	var input, mocks, testCase, machineName string
	var subs []string
	var history, realClock bool
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "run one state machine and print its output",
		Long: `Run one state machine definition and print its output JSON.

Time is virtual by default: Wait states and retry back-off take no real time (use --real-clock
for the wall clock). Task states are answered by the mock file given with --mocks and
--test-case (Step Functions Local's SFN_MOCK_CONFIG format; the machine is looked up by
--machine-name, by default the file name without .asl.json); nested executions of the same
file by its ARN run in-process. Placeholders ${Key} are filled from --sub Key=Value; unknown
ones stay as written. Exit status 1 when the execution does not succeed (error and cause are
printed on stderr).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sm, err := parseSubs(subs)
			if err != nil {
				return err
			}
			def, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read definition: %w", err)
			}
			m, err := asl.Parse(substitute(def, sm))
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: invalid definition:\n%v\n", args[0], err)
				return exitError{code: 1}
			}
			in := []byte(input)
			if strings.HasPrefix(input, "@") {
				if in, err = os.ReadFile(input[1:]); err != nil {
					return fmt.Errorf("read input: %w", err)
				}
			}
			res := asl.NewResources()
			if mocks != "" {
				b, err := os.ReadFile(mocks)
				if err != nil {
					return fmt.Errorf("read mocks: %w", err)
				}
				mc, err := asl.ParseMockConfig(b)
				if err != nil {
					return err
				}
				if machineName == "" {
					machineName = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(args[0]), ".json"), ".asl")
					if len(mc.StateMachines) == 1 {
						for k := range mc.StateMachines {
							machineName = k
						}
					}
				}
				layer, err := mc.Layer(machineName, testCase)
				if err != nil {
					return err
				}
				res.Over(layer)
			}
			var clk clock.Clock = clock.NewVirtual(time.Time{})
			if realClock {
				clk = clock.Wall{}
			}
			e := asl.NewEngine(asl.Options{Resources: res, Clock: clk, Seed: 1})
			smARN := "arn:aws:states:us-east-1:123456789012:stateMachine:" + strings.TrimSuffix(strings.TrimSuffix(filepath.Base(args[0]), ".json"), ".asl")
			res.Handle("states:startExecution", asl.NestedExecutions(func(arn string) (*asl.Machine, bool) { return m, arn == smARN }))
			x, r, err := e.Run(cmd.Context(), m, asl.StartInput{Name: "run", Input: in, StateMachineARN: smARN})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if history {
				for _, ev := range x.History() {
					b, _ := json.Marshal(ev)
					fmt.Fprintln(cmd.ErrOrStderr(), string(b))
				}
			}
			if r.Status != asl.StatusSucceeded {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s\nerror: %s\ncause: %s\n", r.Status, r.Error, r.Cause)
				return exitError{code: 1}
			}
			fmt.Fprintln(out, string(r.Output))
			return nil
		},
	}
	cmd.Flags().StringVar(&input, "input", "{}", "execution input JSON, or @file")
	cmd.Flags().StringVar(&mocks, "mocks", "", "Step Functions Local mock config file (SFN_MOCK_CONFIG format)")
	cmd.Flags().StringVar(&testCase, "test-case", "", "test case of the mock config to use")
	cmd.Flags().StringVar(&machineName, "machine-name", "", "state machine name in the mock config (default: the file name)")
	cmd.Flags().StringArrayVar(&subs, "sub", nil, "substitute ${Key} with Value (Key=Value, repeatable)")
	cmd.Flags().BoolVar(&history, "history", false, "print the execution history (JSON lines, GetExecutionHistory shape) on stderr")
	cmd.Flags().BoolVar(&realClock, "real-clock", false, "use the wall clock instead of virtual time")
	return cmd
}

func newSfnValidateCmd() *cobra.Command {
	var subs []string
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "validate state machine definitions and print every problem with its path",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sm, err := parseSubs(subs)
			if err != nil {
				return err
			}
			bad := false
			for _, f := range args {
				def, err := os.ReadFile(f)
				if err != nil {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %v\n", f, err)
					bad = true
					continue
				}
				if _, err := asl.Parse(substitute(def, sm)); err != nil {
					bad = true
					var ves asl.ValidationErrors
					if errors.As(err, &ves) {
						for _, ve := range ves {
							fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", f, ve.Error())
						}
					} else {
						fmt.Fprintf(cmd.OutOrStdout(), "%s: %v\n", f, err)
					}
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: valid\n", f)
			}
			if bad {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&subs, "sub", nil, "substitute ${Key} with Value before validating (Key=Value, repeatable)")
	return cmd
}

func newSfnConformanceCmd() *cobra.Command {
	var perCase time.Duration
	cmd := &cobra.Command{
		Use:   "conformance",
		Short: "run JSON Lines of {id, definition, input} on virtual time and print {id, status, output, error, cause}",
		Long: `Read one {"id","definition","input"} object a line on stdin and write one
{"id","status","output","error","cause"} line per case to stdout, in the same order.

definition is the ASL as a JSON object, or a string holding the ASL JSON text.
input is read leniently: an object, array, number, boolean or null is the execution input
itself; a string is parsed as JSON text when it is valid JSON ("{\"a\":1}" is {"a":1},
"\"hello\"" is "hello", "7" is 7) and is otherwise the string value itself ("hello" is
"hello", "" is ""); a missing input is {}, as StartExecution without input.

Time is virtual, so Wait states and retries cost nothing. output is the final output (a JSON
value) for SUCCEEDED and null otherwise; error and cause are set when the execution does not
succeed. Definitions are parsed leniently (the cases are executions AWS ran): validation
problems that do not stop a machine from running are tolerated; a definition that cannot run
gives status FAILED with error "States.InvalidDefinition" and the problems as cause. A case
still running after --case-timeout of wall time is stopped and reported as ABORTED. A line
that is not a JSON object gives FAILED with "States.InvalidCase". One bad case never stops the batch.
Cases run on every core; each distinct definition is parsed once; output keeps input order.
A batch allocates much and keeps little, so unless GOGC is set the command runs with the
garbage collector at GOGC=800 (the heap grows to nine times what is live before a
collection, instead of twice), and unless GOMEMLIMIT is set with a 512 MiB soft memory
limit, so a batch of many large definitions still collects before its heap passes it.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			batchGC()
			return conformance.Run(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), conformance.Options{CaseTimeout: perCase})
		},
	}
	cmd.Flags().DurationVar(&perCase, "case-timeout", 20*time.Second, "wall-clock limit per case")
	return cmd
}

// batchGCPercent and batchMemoryLimit are the collector settings of `kiln sfn conformance`.
// A batch's live heap is small and bounded (the cached machines and the chunks of lines in
// flight, each at most 256 KiB) while it allocates about 3.4 KB per case, so at the default
// GOGC=100 the collector runs every few thousand cases. At 800 it runs about once in the
// 20,000-case batch of make bench-peer: measured with hyperfine (80 runs each), 79 ms against
// 85 ms at 400 and about 100 ms at 100. The memory limit keeps a batch of many large
// definitions (where the live heap is large and 800 would let the heap grow ninefold) from
// growing past 512 MiB before the collector runs.
const (
	batchGCPercent   = 800
	batchMemoryLimit = 512 << 20
)

// batchGC sets the collector for a batch, unless the person running kiln chose with GOGC or
// GOMEMLIMIT.
func batchGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(batchGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(batchMemoryLimit)
	}
}
