package stack

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/awsclitest"
)

// TestTheAWSCLIsSpeakToLambdaSchedulerAndLogs drives the stack with each aws CLI on the
// machine (a current v1 and Debian's 2.9) as a user would: list and invoke the functions,
// list the schedules, list the log groups, tail a function's log (v2 only: v1 has no `logs
// tail`), and call services kiln does not emulate.
func TestTheAWSCLIsSpeakToLambdaSchedulerAndLogs(t *testing.T) {
	clis := awsclitest.Find(t)
	s := open(t, t.TempDir(), Options{})
	t.Cleanup(func() { s.Close() })
	for _, cli := range clis {
		t.Run(cli.Version, func(t *testing.T) {
			t.Parallel()
			ep := s.Endpoint()
			run := func(args ...string) map[string]any {
				t.Helper()
				out, err := cli.Run(t, ep, args...)
				require.NoError(t, err, "aws %s: %s", strings.Join(args, " "), out)
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(out), &m), out)
				return m
			}
			fns, _ := run("lambda", "list-functions")["Functions"].([]any)
			assert.Len(t, fns, len(s.Lambdas().Names()))

			result := filepath.Join(t.TempDir(), "out.json")
			args := []string{"lambda", "invoke", "--function-name", "kiln-prod-evaluate", "--payload", `"not an event"`, result}
			if cli.V2() {
				args = append(args, "--cli-binary-format", "raw-in-base64-out")
			}
			inv := run(args...)
			assert.Equal(t, "Unhandled", inv["FunctionError"], "%v", inv)
			body, err := os.ReadFile(result)
			require.NoError(t, err)
			assert.Contains(t, string(body), `"errorType":"UnmarshalTypeError"`)

			scheds, _ := run("scheduler", "list-schedules")["Schedules"].([]any)
			assert.Len(t, scheds, len(s.Schedules().Schedules()))

			groups, _ := run("logs", "describe-log-groups", "--log-group-name-prefix", "/aws/lambda/")["logGroups"].([]any)
			assert.Len(t, groups, len(s.Lambdas().Names()))

			for _, call := range [][]string{{"dynamodb", "list-tables"}, {"sts", "get-caller-identity"}, {"apigateway", "get-rest-apis"}} {
				out, err := cli.Run(t, ep, call...)
				require.Error(t, err, "aws %s: %s", strings.Join(call, " "), out)
				assert.Contains(t, out, "kiln local does not emulate", "aws %s", strings.Join(call, " "))
			}
			if cli.V2() {
				tailFollows(t, s, cli)
			}
		})
	}
}

// tailFollows runs `aws logs tail --follow` on the trigger's log group, invokes the trigger
// twice and waits for each decision's log line to appear, as a user watching a run would.
func tailFollows(t *testing.T, s *Stack, cli awsclitest.CLI) {
	t.Helper()
	ctx, stop := context.WithTimeout(context.Background(), 90*time.Second)
	defer stop()
	cmd := cli.Command(ctx, t, s.Endpoint(), "logs", "tail", s.LogGroup("trigger"), "--follow", "--format", "short")
	cmd.Env = append(cmd.Env, "PYTHONUNBUFFERED=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { stop(); _ = cmd.Wait() }()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// The first decision shows in the initial read; the second, made after it was shown, can
	// only reach the output through --follow's polling.
	for seen := 0; seen < 2; {
		_, err = awslambda.NewFromConfig(s.Clients().Config).Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-trigger"),
			Payload: []byte(`{"kind":"nothing kiln knows"}`)})
		require.NoError(t, err)
		seen += waitForLine(ctx, t, lines, `"function":"trigger"`)
	}
}

// waitForLine reads lines until one contains want and returns 1, failing t when the lines
// end or ctx does first.
func waitForLine(ctx context.Context, t *testing.T, lines <-chan string, want string) int {
	t.Helper()
	for {
		select {
		case l, ok := <-lines:
			require.True(t, ok, "aws logs tail --follow ended before showing %s", want)
			if strings.Contains(l, want) {
				return 1
			}
		case <-ctx.Done():
			t.Fatalf("aws logs tail --follow showed no line with %s within 90 s", want)
		}
	}
}
