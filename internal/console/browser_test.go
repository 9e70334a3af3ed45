package console_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/demo"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/topology"
)

// chromium returns Debian's chromium, skipping the test when it is absent (failing under
// CI=true, where .ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("KILN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install -y chromium): the console's browser test must run in CI")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); the console's browser test needs a real browser")
	return ""
}

// shotsDir is where screenshots go: $KILN_CONSOLE_SHOTS, else the test's artifact directory.
func shotsDir(t *testing.T) string {
	if d := os.Getenv("KILN_CONSOLE_SHOTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.ArtifactDir()
}

// countStates counts the states of an ASL definition, nested ones included.
func countStates(def map[string]any) int {
	n := 0
	states, _ := def["States"].(map[string]any)
	for _, v := range states {
		n++
		st, _ := v.(map[string]any)
		for _, k := range []string{"ItemProcessor", "Iterator"} {
			if sub, ok := st[k].(map[string]any); ok {
				n += countStates(sub)
			}
		}
		if bs, ok := st["Branches"].([]any); ok {
			for _, b := range bs {
				if sub, ok := b.(map[string]any); ok {
					n += countStates(sub)
				}
			}
		}
	}
	return n
}

// TestConsoleInARealBrowser plays the demo's loop, reopens its state in a local stack and
// drives chromium through every console page: the executions list, an execution's graph
// (a node per state, coloured by status), the models page (an approval given there resumes
// a pipeline waiting at RequestApproval), the endpoints and the governor; it also reads the
// pages in a narrow window. Screenshots are kept in shotsDir.
func TestConsoleInARealBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test plays the demo's loop and drives chromium")
	}
	browser := chromium(t)
	shots := shotsDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()

	dir := t.TempDir()
	require.NoError(t, demo.Run(ctx, demo.Options{Dir: dir, Out: io.Discard}), "the demo produces the state the console shows")
	root, err := stack.ModuleRoot(".")
	require.NoError(t, err)
	pol, err := demo.Policy()
	require.NoError(t, err)
	images, err := stack.BuildImages(ctx, root, dir, pol)
	require.NoError(t, err)
	st, err := stack.Open(stack.Options{Dir: dir, Addr: "127.0.0.1:0", Stage: demo.Stage, Policy: pol, Images: images})
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Start(ctx))
	env := st.TopologyEnv()
	c := st.Clients()

	// The drift job publishes a window of drift metrics (CloudWatch keeps metrics in memory).
	_, _ = st.Schedules().Fire(ctx, topology.ResourceName(env.Stage, "drift-"+demo.Model), time.Now())

	// The executions the demo left: the released pipeline (with its nested deploy).
	pipelineARN := topology.StateMachineARN(env, "pipeline")
	list, err := c.StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(pipelineARN)})
	require.NoError(t, err)
	require.NotEmpty(t, list.Executions)
	released := aws.ToString(list.Executions[len(list.Executions)-1].ExecutionArn) // the commit's run, the oldest
	described, err := c.StepFunctions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(released)})
	require.NoError(t, err)

	// A new pipeline run on the same input waits for a person at RequestApproval.
	started, err := c.StepFunctions.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(pipelineARN),
		Name: aws.String("console-approval"), Input: described.Input})
	require.NoError(t, err)
	waiting := aws.ToString(started.ExecutionArn)
	require.Eventually(t, func() bool {
		state, ok := st.StepFunctions().Waiting(waiting)
		return ok && state == "RequestApproval"
	}, 2*time.Minute, 200*time.Millisecond, "the new run waits at RequestApproval")

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.WindowSize(1400, 1000), chromedp.Flag("disable-gpu", true))
	actx, stopAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer stopAlloc()
	bctx, stopBrowser := chromedp.NewContext(actx)
	defer stopBrowser()
	base := st.ConsoleURL()

	shot := func(t *testing.T, name string) {
		t.Helper()
		buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // quality 100 is PNG, below is JPEG
		require.NoError(t, err, "screenshot %s", name)
		require.NoError(t, os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644))
	}
	do := func(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(bctx, steps...))
	}
	eval := func(t *testing.T, expr string, v any) {
		t.Helper()
		raw, err := chromedp.Run(bctx, chromedp.Evaluate[json.RawMessage](expr))
		require.NoError(t, err, expr)
		require.NoError(t, json.Unmarshal(raw, v), expr)
	}
	text := func(t *testing.T, sel string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return v
	}
	visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }

	t.Run("the executions page lists every execution newest first", func(t *testing.T) {
		var names []string
		do(t, chromedp.Navigate(base), visible(`tr[data-arn]`))
		eval(t, `[...document.querySelectorAll("tr[data-arn] td:first-child")].map(td => td.textContent)`, &names)
		shot(t, "executions")
		assert.GreaterOrEqual(t, len(names), 5, "two releases, their deploys and the waiting run")
		assert.Equal(t, "console-approval", names[0], "newest first")
	})

	t.Run("the execution graph has a node per state coloured by what happened", func(t *testing.T) {
		m, err := c.StepFunctions.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(pipelineARN)})
		require.NoError(t, err)
		var def map[string]any
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Definition)), &def))
		var nodes []map[string]string
		var renderedMS float64
		do(t, chromedp.Navigate(base+"execution?arn="+released), visible(`svg .node`))
		eval(t, `Number(document.querySelector(".graph-wrap").dataset.renderedMs)`, &renderedMS)
		eval(t, `[...document.querySelectorAll("svg .node")].map(n => ({state: n.dataset.state, status: n.dataset.status,
			fill: getComputedStyle(n.querySelector("rect")).fill, label: n.getAttribute("aria-label")}))`, &nodes)
		shot(t, "execution-released")
		t.Logf("time to first render of the execution page: %.0f ms after navigation start", renderedMS)
		assert.Len(t, nodes, countStates(def), "a node per state")
		want := map[string]string{"StartTraining": "succeeded", "EvaluateModel": "succeeded", "RequestApproval": "succeeded",
			"Deploy": "succeeded", "Released": "succeeded", "NotifyRejected": "not-reached", "Failed": "not-reached"}
		colour := map[string]string{"succeeded": "rgb(218, 251, 225)", "not-reached": "rgb(246, 248, 250)",
			"running": "rgb(221, 244, 255)", "failed": "rgb(255, 235, 233)", "caught": "rgb(255, 241, 229)"}
		for _, n := range nodes {
			if w, ok := want[n["state"]]; ok {
				assert.Equal(t, w, n["status"], n["state"])
			}
			assert.Equal(t, colour[n["status"]], n["fill"], "the fill of %s (%s)", n["state"], n["status"])
			assert.NotEmpty(t, n["label"], "a screen reader reads each state")
		}

		// Keyboard: focus the Deploy state, Enter shows its details with the nested execution.
		do(t, chromedp.Focus(chromedp.CSS(`svg .node[data-state="Deploy"]`)), chromedp.KeyEvent("\r"),
			visible(`.panel a[href*="kiln-prod-deploy"]`))
		panel := text(t, ".panel")
		shot(t, "execution-selected")
		assert.Contains(t, panel, "Nested execution")
		assert.Contains(t, panel, "Input")
	})

	t.Run("an approval given in the console resumes the waiting pipeline", func(t *testing.T) {
		do(t, chromedp.Navigate(base+"execution?arn="+waiting),
			visible(`svg .node[data-state="RequestApproval"][data-status="running"]`))
		shot(t, "execution-waiting")
		do(t, chromedp.Navigate(base+"models"),
			visible(`tr[data-status="PendingManualApproval"] input[name="reason"]`),
			chromedp.SendKeys(chromedp.CSS(`#reviewer`), "Ada (console test)"))
		shot(t, "models-pending")
		// Keyboard only: type the reason and press Enter, which submits the form's first
		// button, Approve.
		do(t, chromedp.SendKeys(chromedp.CSS(`tr[data-status="PendingManualApproval"] input[name="reason"]`), "metrics within the gate, checked in the console\r"),
			visible(`#approval-status:not(:empty)`))
		assert.Contains(t, text(t, "#approval-status"), "approved")
		x, err := st.StepFunctions().Wait(ctx, waiting)
		require.NoError(t, err)
		assert.Equal(t, "SUCCEEDED", string(x.Status), "the approval released the model")
		do(t, chromedp.Navigate(base+"models"), visible(`tr[data-status="Approved"]`))
		who := text(t, "tbody tr:first-child")
		shot(t, "models")
		assert.Contains(t, who, "Ada (console test): metrics within the gate")
		do(t, chromedp.Navigate(base+"execution?arn="+waiting),
			visible(`svg .node[data-state="RequestApproval"][data-status="succeeded"]`))
		shot(t, "execution-approved")
	})

	t.Run("a rollback asked for in the console puts the previous release back", func(t *testing.T) {
		// The name field keeps what was typed on the models page (Ada, from the approval).
		do(t, chromedp.Navigate(base+"endpoints"), visible(`form.rollback input[name="rollback-reason"]`))
		var operator string
		eval(t, `document.querySelector("#operator").value`, &operator)
		assert.Equal(t, "Ada (console test)", operator, "the console remembers who you are")
		// Keyboard only: the reason, then Enter submits the form.
		do(t, chromedp.SendKeys(chromedp.CSS(`form.rollback input[name="rollback-reason"]`), "v4 answers slowly, checked in the console\r"),
			visible(`.rollback-status:not(:empty)`))
		status := text(t, ".rollback-status")
		shot(t, "endpoints-rollback")
		// The demo's last release is version 3 (the redriven one); the console approved version 4.
		require.Contains(t, status, "Rolling back to version 3", "the release before the console's approval")
		id := status[strings.Index(status, "deploy execution ")+len("deploy execution "):]
		id = strings.TrimSuffix(id, ".")
		arn := strings.Replace(topology.StateMachineARN(env, "deploy"), ":stateMachine:", ":execution:", 1) + ":" + id
		x, err := st.StepFunctions().Wait(ctx, arn)
		require.NoError(t, err)
		assert.Equal(t, "SUCCEEDED", string(x.Status), "the rollback went through the deploy workflow")
		ep, err := c.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(topology.EndpointName(env.Stage, demo.Model))})
		require.NoError(t, err)
		assert.Equal(t, id+"-config", aws.ToString(ep.EndpointConfigName), "the endpoint serves the rollback")
		require.Eventually(t, func() bool {
			evs, err := st.Bus().Archived(time.Time{}, time.Time{})
			if err != nil {
				return false
			}
			for _, e := range evs {
				if strings.Contains(string(e.Event), `"kiln Rollback Completed"`) && strings.Contains(string(e.Event), `"requestedBy":"Ada (console test)"`) {
					return true
				}
			}
			return false
		}, time.Minute, 100*time.Millisecond, "the console's rollback is announced on the kiln bus with who asked")
	})

	t.Run("the endpoints and governor pages show traffic, deployments and decisions", func(t *testing.T) {
		var deployments, actions []string
		var split string
		do(t, chromedp.Navigate(base+"endpoints"), visible(`.split`))
		eval(t, `document.querySelector(".split").getAttribute("aria-label")`, &split)
		eval(t, `[...document.querySelectorAll("table a[href*='kiln-prod-deploy']")].map(a => a.textContent)`, &deployments)
		shot(t, "endpoints")
		do(t, chromedp.Navigate(base+"governor"), visible(`tr[data-action]`))
		eval(t, `[...document.querySelectorAll("tr[data-action]")].map(r => r.dataset.action + " " + r.children[2].textContent)`, &actions)
		shot(t, "governor")
		assert.Contains(t, split, "100%")
		assert.GreaterOrEqual(t, len(deployments), 3, "the demo's two deploys and the console's")
		assert.Contains(t, actions, "skipped duplicate", "the redelivered push")
		require.NotEmpty(t, actions)
		assert.True(t, strings.HasPrefix(actions[len(actions)-1], "started"), "the first push started the pipeline: %v", actions)
	})

	t.Run("the pages are readable in a narrow window and every field has a label", func(t *testing.T) {
		for _, page := range []string{"", "execution?arn=" + released, "models", "endpoints", "governor"} {
			var overflow bool
			var unlabelled int
			name := "narrow-" + strings.SplitN(page, "?", 2)[0]
			if page == "" {
				name = "narrow-executions"
			}
			do(t, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+page), visible(`main h1`), chromedp.Sleep(700*time.Millisecond))
			eval(t, `document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow)
			eval(t, `[...document.querySelectorAll("input, select")].filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).length`, &unlabelled)
			shot(t, name)
			assert.False(t, overflow, "%s scrolls sideways in a 390 px window", name)
			assert.Zero(t, unlabelled, "%s has form fields without a label", name)
		}
	})
}
