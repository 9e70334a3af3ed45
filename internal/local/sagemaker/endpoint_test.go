package sagemaker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	rttypes "github.com/aws/aws-sdk-go-v2/service/sagemakerruntime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
	"github.com/kiln-dev/kiln/internal/local/sagemaker/serving"
)

// putModel uploads a model.tar.gz whose model.txt says text, and returns its URI.
func (h *harness) putModel(t testing.TB, name, text string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "model.txt"), []byte(text), 0o644))
	body, err := container.Pack(dir)
	require.NoError(t, err)
	require.NoError(t, h.blobs.Put(context.Background(), bucket, "models/"+name+"/model.tar.gz", body))
	return "s3://" + bucket + "/models/" + name + "/model.tar.gz"
}

// release creates a model and an endpoint config (variant AllTraffic, capture on) serving
// a model.txt saying text.
func (h *harness) release(t testing.TB, name, text string) {
	t.Helper()
	ctx := context.Background()
	uri := h.putModel(t, name, text)
	_, err := h.api.CreateModel(ctx, &awssm.CreateModelInput{
		ModelName:        aws.String(name),
		ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/kiln-sagemaker"),
		PrimaryContainer: &types.ContainerDefinition{Image: aws.String(serveImage), ModelDataUrl: aws.String(uri)},
	})
	require.NoError(t, err)
	h.config(t, name+"-config", name, "AllTraffic")
}

func (h *harness) config(t testing.TB, config, model, variant string) {
	t.Helper()
	_, err := h.api.CreateEndpointConfig(context.Background(), &awssm.CreateEndpointConfigInput{
		EndpointConfigName: aws.String(config),
		ProductionVariants: []types.ProductionVariant{{
			VariantName: aws.String(variant), ModelName: aws.String(model),
			InitialInstanceCount: aws.Int32(2), InstanceType: types.ProductionVariantInstanceTypeMlM5Large,
			InitialVariantWeight: aws.Float32(1),
		}},
		DataCaptureConfig: &types.DataCaptureConfig{
			EnableCapture:             aws.Bool(true),
			InitialSamplingPercentage: aws.Int32(100),
			DestinationS3Uri:          aws.String("s3://" + bucket + "/datacapture"),
			CaptureOptions:            []types.CaptureOption{{CaptureMode: types.CaptureModeInput}, {CaptureMode: types.CaptureModeOutput}},
			CaptureContentTypeHeader:  &types.CaptureContentTypeHeader{CsvContentTypes: []string{"text/csv"}},
		},
	})
	require.NoError(t, err)
}

func (h *harness) describe(t testing.TB, endpoint string) *awssm.DescribeEndpointOutput {
	t.Helper()
	d, err := h.api.DescribeEndpoint(context.Background(), &awssm.DescribeEndpointInput{EndpointName: aws.String(endpoint)})
	require.NoError(t, err)
	return d
}

func (h *harness) waitStatus(t testing.TB, endpoint string, status types.EndpointStatus) *awssm.DescribeEndpointOutput {
	t.Helper()
	var d *awssm.DescribeEndpointOutput
	require.Eventually(t, func() bool {
		d = h.describe(t, endpoint)
		return d.EndpointStatus == status
	}, 30*time.Second, 10*time.Millisecond, "endpoint %s never reached %s", endpoint, status)
	return d
}

func (h *harness) invoke(t testing.TB, endpoint, body string) (string, string) {
	t.Helper()
	out, err := h.runtime.InvokeEndpoint(context.Background(), &sagemakerruntime.InvokeEndpointInput{
		EndpointName: aws.String(endpoint), ContentType: aws.String("text/csv"), Body: []byte(body),
	})
	require.NoError(t, err)
	return string(out.Body), aws.ToString(out.InvokedProductionVariant)
}

// seqRand returns 0.005, 0.015, ... 0.995 and again: 100 draws cover [0,1) evenly.
func seqRand() func() float64 {
	var n atomic.Int64
	return func() float64 { return (float64((n.Add(1)-1)%100) + 0.5) / 100 }
}

func canary(percent float64, wait, bake int32, alarms ...string) *types.DeploymentConfig {
	dc := &types.DeploymentConfig{BlueGreenUpdatePolicy: &types.BlueGreenUpdatePolicy{
		TrafficRoutingConfiguration: &types.TrafficRoutingConfig{
			Type: types.TrafficRoutingConfigTypeCanary, WaitIntervalInSeconds: aws.Int32(wait),
			CanarySize: &types.CapacitySize{Type: types.CapacitySizeTypeCapacityPercent, Value: aws.Int32(int32(percent))},
		},
		TerminationWaitInSeconds: aws.Int32(bake),
	}}
	if len(alarms) > 0 {
		dc.AutoRollbackConfiguration = &types.AutoRollbackConfig{}
		for _, a := range alarms {
			dc.AutoRollbackConfiguration.Alarms = append(dc.AutoRollbackConfiguration.Alarms, types.Alarm{AlarmName: aws.String(a)})
		}
	}
	return dc
}

func TestEndpointServesThroughTheRouterWithMetricsAndCapture(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	h.release(t, "abalone-r1", "v1")
	_, err := h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("kiln-dev-abalone"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)
	creating := h.describe(t, "kiln-dev-abalone")
	assert.Contains(t, []types.EndpointStatus{types.EndpointStatusCreating, types.EndpointStatusInService}, creating.EndpointStatus)

	d := h.waitStatus(t, "kiln-dev-abalone", types.EndpointStatusInService)
	assert.Equal(t, "abalone-r1-config", aws.ToString(d.EndpointConfigName))
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:000000000000:endpoint/kiln-dev-abalone", aws.ToString(d.EndpointArn))
	require.Len(t, d.ProductionVariants, 1)
	assert.Equal(t, float32(1), aws.ToFloat32(d.ProductionVariants[0].CurrentWeight))
	assert.Equal(t, serveImage, aws.ToString(d.ProductionVariants[0].DeployedImages[0].SpecifiedImage))
	assert.True(t, aws.ToBool(d.DataCaptureConfig.EnableCapture))

	body, variant := h.invoke(t, "kiln-dev-abalone", "1,2,3")
	assert.Equal(t, "v1|1,2,3", body)
	assert.Equal(t, "AllTraffic", variant)

	_, err = h.runtime.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{EndpointName: aws.String("kiln-dev-abalone"), ContentType: aws.String("text/csv"), Body: []byte("boom")})
	var me *rttypes.ModelError
	require.True(t, errors.As(err, &me), "got %v", err)
	assert.Equal(t, int32(500), aws.ToInt32(me.OriginalStatusCode))
	assert.Contains(t, aws.ToString(me.OriginalMessage), "the model exploded")

	_, err = h.runtime.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{EndpointName: aws.String("kiln-dev-abalone"), ContentType: aws.String("text/csv"), Body: []byte("bad")})
	require.True(t, errors.As(err, &me), "got %v", err)
	assert.Equal(t, int32(400), aws.ToInt32(me.OriginalStatusCode))

	_, err = h.runtime.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{EndpointName: aws.String("missing"), ContentType: aws.String("text/csv"), Body: []byte("1")})
	assert.Equal(t, "ValidationError", apiCode(t, err))
	assert.Contains(t, err.Error(), "Endpoint missing of account 000000000000 not found")

	assert.Equal(t, 3.0, h.metrics.sum("Invocations", "AllTraffic"))
	assert.Equal(t, 1.0, h.metrics.sum("Invocation5XXErrors", "AllTraffic"))
	assert.Equal(t, 1.0, h.metrics.sum("Invocation4XXErrors", "AllTraffic"))
	assert.Greater(t, h.metrics.sum("ModelLatency", "AllTraffic"), 0.0)

	require.NoError(t, h.svc.FlushCapture(ctx))
	keys := h.blobs.keys(bucket + "/datacapture/kiln-dev-abalone/AllTraffic/2026/11/22/10/")
	require.Len(t, keys, 1, "only the successful invocation is captured")
	assert.True(t, strings.HasSuffix(keys[0], ".jsonl"))
	raw, err := h.blobs.Get(ctx, bucket, strings.TrimPrefix(keys[0], bucket+"/"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	require.Len(t, lines, 1)
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
	in := rec["captureData"].(map[string]any)["endpointInput"].(map[string]any)
	out := rec["captureData"].(map[string]any)["endpointOutput"].(map[string]any)
	assert.Equal(t, map[string]any{"observedContentType": "text/csv", "mode": "INPUT", "data": "1,2,3", "encoding": "CSV"}, in)
	assert.Equal(t, map[string]any{"observedContentType": "text/csv; charset=utf-8", "mode": "OUTPUT", "data": "v1|1,2,3", "encoding": "CSV"}, out)
	meta := rec["eventMetadata"].(map[string]any)
	assert.Equal(t, "2026-11-22T10:00:00Z", meta["inferenceTime"])
	assert.Len(t, meta["eventId"], 36)
	assert.Equal(t, "0", rec["eventVersion"])

	require.Eventually(t, func() bool { return len(h.events.of("SageMaker Endpoint State Change")) == 2 }, 5*time.Second, 10*time.Millisecond)
	evs := h.events.of("SageMaker Endpoint State Change")
	assert.Equal(t, "CREATING", evs[0].Detail["EndpointStatus"])
	assert.Equal(t, "IN_SERVICE", evs[1].Detail["EndpointStatus"])

	list, err := h.api.ListEndpoints(ctx, &awssm.ListEndpointsInput{})
	require.NoError(t, err)
	require.Len(t, list.Endpoints, 1)

	_, err = h.api.DeleteEndpoint(ctx, &awssm.DeleteEndpointInput{EndpointName: aws.String("kiln-dev-abalone")})
	require.NoError(t, err)
	_, err = h.api.DescribeEndpoint(ctx, &awssm.DescribeEndpointInput{EndpointName: aws.String("kiln-dev-abalone")})
	assert.Equal(t, "ValidationException", apiCode(t, err))
}

func TestCaptureFlushesByCount(t *testing.T) {
	h := newHarness(t, newManualClock(), func(c *Config) { c.CaptureMaxRecords = 3 })
	h.release(t, "abalone-r1", "v1")
	_, err := h.api.CreateEndpoint(context.Background(), &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)
	h.waitStatus(t, "ep", types.EndpointStatusInService)
	for i := 0; i < 7; i++ {
		h.invoke(t, "ep", "1,2")
	}
	require.Eventually(t, func() bool { return len(h.blobs.keys(bucket+"/datacapture/ep/")) == 2 }, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, h.svc.FlushCapture(context.Background()))
	keys := h.blobs.keys(bucket + "/datacapture/ep/")
	require.Len(t, keys, 3)
	total := 0
	for _, k := range keys {
		b, err := h.blobs.Get(context.Background(), bucket, strings.TrimPrefix(k, bucket+"/"))
		require.NoError(t, err)
		total += len(strings.Split(strings.TrimSpace(string(b)), "\n"))
	}
	assert.Equal(t, 7, total)
}

func TestCaptureFlushesOnTheClock(t *testing.T) {
	clock := newManualClock()
	h := newHarness(t, clock, func(c *Config) { c.CaptureFlushInterval = 10 * time.Second })
	h.release(t, "abalone-r1", "v1")
	_, err := h.api.CreateEndpoint(context.Background(), &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)
	h.waitStatus(t, "ep", types.EndpointStatusInService)
	h.invoke(t, "ep", "1,2")
	assert.Empty(t, h.blobs.keys(bucket+"/datacapture/ep/"))
	clock.Advance(10 * time.Second)
	require.Eventually(t, func() bool { return len(h.blobs.keys(bucket+"/datacapture/ep/")) == 1 }, 5*time.Second, 5*time.Millisecond)
}

func TestCanaryUpdateSplitsTrafficThenCompletes(t *testing.T) {
	clock := newManualClock()
	alarmReads := atomic.Int64{}
	h := newHarness(t, clock, func(c *Config) {
		c.Rand = seqRand()
		c.Alarms = fakeAlarms(func(name string) string { alarmReads.Add(1); return "OK" })
	})
	ctx := context.Background()
	h.release(t, "abalone-r1", "v1")
	h.release(t, "abalone-r2", "v2")
	_, err := h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)
	h.waitStatus(t, "ep", types.EndpointStatusInService)

	_, err = h.api.UpdateEndpoint(ctx, &awssm.UpdateEndpointInput{
		EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r2-config"),
		DeploymentConfig: canary(10, 60, 120, "ep-5xx", "ep-latency"),
	})
	require.NoError(t, err)
	assert.Equal(t, types.EndpointStatusUpdating, h.describe(t, "ep").EndpointStatus)

	// The deployment now waits on the clock with 10% on the new fleet.
	require.Eventually(t, func() bool { return clock.Pending() == 1 && alarmReads.Load() >= 2 }, 30*time.Second, 5*time.Millisecond)
	d := h.describe(t, "ep")
	assert.Equal(t, types.EndpointStatusUpdating, d.EndpointStatus)
	assert.Equal(t, "abalone-r1-config", aws.ToString(d.EndpointConfigName))
	require.NotNil(t, d.PendingDeploymentSummary)
	assert.Equal(t, "abalone-r2-config", aws.ToString(d.PendingDeploymentSummary.EndpointConfigName))
	pv := d.PendingDeploymentSummary.ProductionVariants[0]
	assert.InDelta(t, 0.1, aws.ToFloat32(pv.CurrentWeight), 1e-6)
	assert.Equal(t, float32(1), aws.ToFloat32(pv.DesiredWeight))
	assert.Equal(t, types.VariantStatusActivatingTraffic, pv.VariantStatus[0].Status)
	assert.InDelta(t, 0.9, aws.ToFloat32(d.ProductionVariants[0].CurrentWeight), 1e-6)

	counts := map[string]int{}
	for i := 0; i < 100; i++ {
		body, _ := h.invoke(t, "ep", "x")
		counts[strings.Split(body, "|")[0]]++
	}
	assert.Equal(t, map[string]int{"v1": 90, "v2": 10}, counts)

	clock.Advance(60 * time.Second) // canary wait over: all traffic shifts, baking starts
	require.Eventually(t, func() bool {
		p := h.describe(t, "ep").PendingDeploymentSummary
		return p != nil && p.ProductionVariants[0].VariantStatus[0].Status == types.VariantStatusBaking && clock.Pending() == 1
	}, 10*time.Second, 5*time.Millisecond)
	body, _ := h.invoke(t, "ep", "x")
	assert.Equal(t, "v2|x", body)
	for i := 0; i < 24; i++ { // bake 120 s in 5 s alarm polls
		clock.Advance(5 * time.Second)
	}
	d = h.waitStatus(t, "ep", types.EndpointStatusInService)
	assert.Equal(t, "abalone-r2-config", aws.ToString(d.EndpointConfigName))
	assert.Nil(t, d.PendingDeploymentSummary)
	assert.Equal(t, types.TrafficRoutingConfigTypeCanary, d.LastDeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.Type)
	body, _ = h.invoke(t, "ep", "x")
	assert.Equal(t, "v2|x", body)

	hist, err := h.svc.DeploymentHistory("ep")
	require.NoError(t, err)
	var phases []string
	var shares []float64
	for _, s := range hist {
		phases = append(phases, s.Phase)
		shares = append(shares, s.NewShare)
	}
	assert.Equal(t, []string{PhaseCreating, PhaseInService, PhaseStartingNew, PhaseShifting, PhaseShifting, PhaseBaking, PhaseCompleted}, phases)
	assert.Equal(t, []float64{0, 1, 0, 0.1, 1, 1, 1}, shares)
	assert.Equal(t, []VariantWeight{{Config: "abalone-r1-config", Variant: "AllTraffic", Share: 0.9}, {Config: "abalone-r2-config", Variant: "AllTraffic", Share: 0.1}}, hist[3].Weights)
	assert.Equal(t, 60*time.Second, hist[4].Time.Sub(hist[3].Time))

	require.Eventually(t, func() bool {
		evs := h.events.of("SageMaker Endpoint Deployment State Change")
		return len(evs) >= 4 && evs[len(evs)-1].Detail["EndpointStatus"] == "IN_SERVICE"
	}, 5*time.Second, 10*time.Millisecond)
	evs := h.events.of("SageMaker Endpoint Deployment State Change")
	first := evs[0].Detail["PendingDeploymentSummary"].(map[string]any)
	assert.Equal(t, "abalone-r2-config", first["EndpointConfigName"])
	_, hasStatus := first["ProductionVariants"].([]any)[0].(map[string]any)["VariantStatus"]
	assert.True(t, hasStatus)

	_, err = os.Stat(filepath.Join(h.cfg.Root, "endpoints", "ep", "abalone-r2-config", "AllTraffic", "model", "model.txt"))
	assert.NoError(t, err)
}

func TestCanaryUpdateRollsBackWhenAnAlarmFires(t *testing.T) {
	clock := newAutoClock()
	var deployStart atomic.Pointer[time.Time]
	h := newHarness(t, clock, func(c *Config) {
		c.Alarms = fakeAlarms(func(name string) string {
			start := deployStart.Load()
			if name == "ep-5xx" && start != nil && clock.Now().Sub(*start) >= 30*time.Second {
				return "ALARM"
			}
			return "OK"
		})
	})
	ctx := context.Background()
	h.release(t, "abalone-r1", "v1")
	h.release(t, "abalone-r2", "v2")
	_, err := h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)
	h.waitStatus(t, "ep", types.EndpointStatusInService)

	now := clock.Now()
	deployStart.Store(&now)
	_, err = h.api.UpdateEndpoint(ctx, &awssm.UpdateEndpointInput{
		EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r2-config"),
		DeploymentConfig: canary(10, 600, 600, "ep-5xx"),
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		hist, _ := h.svc.DeploymentHistory("ep")
		return hist[len(hist)-1].Phase == PhaseRolledBack
	}, 30*time.Second, 5*time.Millisecond)
	d := h.waitStatus(t, "ep", types.EndpointStatusInService)
	assert.Equal(t, "abalone-r1-config", aws.ToString(d.EndpointConfigName), "after a rollback the endpoint is InService on the old config")
	assert.Contains(t, aws.ToString(d.FailureReason), "alarm ep-5xx is in ALARM")
	assert.Nil(t, d.PendingDeploymentSummary)
	body, _ := h.invoke(t, "ep", "x")
	assert.Equal(t, "v1|x", body)

	hist, err := h.svc.DeploymentHistory("ep")
	require.NoError(t, err)
	var phases []string
	for _, s := range hist {
		phases = append(phases, s.Phase)
	}
	assert.Equal(t, []string{PhaseCreating, PhaseInService, PhaseStartingNew, PhaseShifting, PhaseRollingBack, PhaseRolledBack}, phases)
	assert.Equal(t, 30*time.Second, hist[4].Time.Sub(hist[3].Time), "the alarm is read every AlarmPollInterval")
	assert.Equal(t, []VariantWeight{{Config: "abalone-r1-config", Variant: "AllTraffic", Share: 1}}, hist[5].Weights)

	require.Eventually(t, func() bool {
		for _, e := range h.events.of("SageMaker Endpoint State Change") {
			if e.Detail["EndpointStatus"] == "ROLLING_BACK" {
				return true
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond)
	_, err = os.Stat(filepath.Join(h.cfg.Root, "endpoints", "ep", "abalone-r2-config", "AllTraffic", "serving.log"))
	assert.NoError(t, err)
}

func TestLinearUpdateStepsAndTimesOut(t *testing.T) {
	cases := []struct {
		name       string
		dc         *types.DeploymentConfig
		wantConfig string
		wantShares []float64
		wantReason string
	}{
		{
			name: "a linear update moves traffic in equal steps",
			dc: &types.DeploymentConfig{BlueGreenUpdatePolicy: &types.BlueGreenUpdatePolicy{
				TrafficRoutingConfiguration: &types.TrafficRoutingConfig{
					Type: types.TrafficRoutingConfigTypeLinear, WaitIntervalInSeconds: aws.Int32(30),
					LinearStepSize: &types.CapacitySize{Type: types.CapacitySizeTypeCapacityPercent, Value: aws.Int32(25)},
				},
				TerminationWaitInSeconds: aws.Int32(0),
			}},
			wantConfig: "abalone-r2-config",
			wantShares: []float64{0.25, 0.5, 0.75, 1},
		},
		{
			name: "an instance-count canary takes that share of the new fleet",
			dc: &types.DeploymentConfig{BlueGreenUpdatePolicy: &types.BlueGreenUpdatePolicy{
				TrafficRoutingConfiguration: &types.TrafficRoutingConfig{
					Type: types.TrafficRoutingConfigTypeCanary, WaitIntervalInSeconds: aws.Int32(30),
					CanarySize: &types.CapacitySize{Type: types.CapacitySizeTypeInstanceCount, Value: aws.Int32(1)},
				},
			}},
			wantConfig: "abalone-r2-config",
			wantShares: []float64{0.5, 1},
		},
		{
			name: "an update that outlives MaximumExecutionTimeoutInSeconds rolls back",
			dc: &types.DeploymentConfig{BlueGreenUpdatePolicy: &types.BlueGreenUpdatePolicy{
				TrafficRoutingConfiguration:      &types.TrafficRoutingConfig{Type: types.TrafficRoutingConfigTypeAllAtOnce, WaitIntervalInSeconds: aws.Int32(0)},
				TerminationWaitInSeconds:         aws.Int32(3600),
				MaximumExecutionTimeoutInSeconds: aws.Int32(600),
			}},
			wantConfig: "abalone-r1-config",
			wantShares: []float64{1},
			wantReason: "MaximumExecutionTimeoutInSeconds (600)",
		},
		{
			name:       "no deployment config shifts all at once",
			wantConfig: "abalone-r2-config",
			wantShares: []float64{1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, newAutoClock(), nil)
			ctx := context.Background()
			h.release(t, "abalone-r1", "v1")
			h.release(t, "abalone-r2", "v2")
			_, err := h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
			require.NoError(t, err)
			h.waitStatus(t, "ep", types.EndpointStatusInService)
			_, err = h.api.UpdateEndpoint(ctx, &awssm.UpdateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r2-config"), DeploymentConfig: tc.dc})
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				hist, _ := h.svc.DeploymentHistory("ep")
				last := hist[len(hist)-1].Phase
				return last == PhaseCompleted || last == PhaseRolledBack
			}, 30*time.Second, 5*time.Millisecond)
			d := h.waitStatus(t, "ep", types.EndpointStatusInService)
			assert.Equal(t, tc.wantConfig, aws.ToString(d.EndpointConfigName))
			hist, _ := h.svc.DeploymentHistory("ep")
			var shares []float64
			for _, s := range hist {
				if s.Phase == PhaseShifting {
					shares = append(shares, s.NewShare)
				}
			}
			assert.Equal(t, tc.wantShares, shares)
			if tc.wantReason != "" {
				assert.Contains(t, aws.ToString(d.FailureReason), tc.wantReason)
			}
		})
	}
}

func TestEndpointWithAnUnmappedImageFails(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	_, err := h.api.CreateModel(ctx, &awssm.CreateModelInput{
		ModelName: aws.String("m"), ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
		PrimaryContainer: &types.ContainerDefinition{Image: aws.String("unknown/image:1")},
	})
	require.NoError(t, err)
	h.config(t, "c", "m", "AllTraffic")
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("c")})
	require.NoError(t, err)
	d := h.waitStatus(t, "ep", types.EndpointStatusFailed)
	assert.Contains(t, aws.ToString(d.FailureReason), "image unknown/image:1 has no local command")
	h.release(t, "abalone-r1", "v1")
	err = h.callErr("UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r1-config"})
	assert.Equal(t, "ValidationException", ErrorCode(err))
	assert.Contains(t, err.Error(), "delete it and create it again")
	_, err = h.runtime.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{EndpointName: aws.String("ep"), ContentType: aws.String("text/csv"), Body: []byte("1")})
	assert.Equal(t, "ValidationError", apiCode(t, err))
	// DeleteEndpoint is the only operation SageMaker accepts on a Failed endpoint; the name
	// is free again once it is gone.
	_, err = h.api.DeleteEndpoint(ctx, &awssm.DeleteEndpointInput{EndpointName: aws.String("ep")})
	require.NoError(t, err)
	err = h.callErr("DescribeEndpoint", map[string]any{"EndpointName": "ep"})
	assert.Equal(t, "ValidationException", ErrorCode(err))
	assert.Equal(t, `ValidationException: Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/ep".`, err.Error(), "SageMaker's not-found message, which the deploy workflow branches on")
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)
	h.waitStatus(t, "ep", types.EndpointStatusInService)
}

func TestModelFromAnApprovedPackageServesItsContainer(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	uri := h.putModel(t, "pkg", "from-registry")
	_, err := h.api.CreateModelPackageGroup(ctx, &awssm.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String("kiln-dev-abalone")})
	require.NoError(t, err)
	in := packageInput("kiln-dev-abalone")
	in.InferenceSpecification.Containers[0].ModelDataUrl = aws.String(uri)
	pkg, err := h.api.CreateModelPackage(ctx, in)
	require.NoError(t, err)

	create := func() error {
		_, err := h.api.CreateModel(ctx, &awssm.CreateModelInput{
			ModelName: aws.String("abalone-dev-commit-abc"), ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
			PrimaryContainer: &types.ContainerDefinition{ModelPackageName: pkg.ModelPackageArn},
		})
		return err
	}
	err = create()
	assert.Equal(t, "ValidationException", apiCode(t, err))
	assert.Contains(t, err.Error(), "is not approved")

	_, err = h.api.UpdateModelPackage(ctx, &awssm.UpdateModelPackageInput{ModelPackageArn: pkg.ModelPackageArn, ModelApprovalStatus: types.ModelApprovalStatusApproved})
	require.NoError(t, err)
	require.NoError(t, create())
	m, err := h.api.DescribeModel(ctx, &awssm.DescribeModelInput{ModelName: aws.String("abalone-dev-commit-abc")})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(pkg.ModelPackageArn), aws.ToString(m.PrimaryContainer.ModelPackageName))

	h.config(t, "abalone-dev-commit-abc-config", "abalone-dev-commit-abc", "AllTraffic")
	c, err := h.api.DescribeEndpointConfig(ctx, &awssm.DescribeEndpointConfigInput{EndpointConfigName: aws.String("abalone-dev-commit-abc-config")})
	require.NoError(t, err)
	assert.Equal(t, "s3://"+bucket+"/datacapture", aws.ToString(c.DataCaptureConfig.DestinationS3Uri))
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-dev-commit-abc-config")})
	require.NoError(t, err)
	h.waitStatus(t, "ep", types.EndpointStatusInService)
	body, _ := h.invoke(t, "ep", "1")
	assert.Equal(t, "from-registry|1", body)
}

func TestEndpointOperationsRejectBadInput(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	h.release(t, "abalone-r1", "v1")
	h.release(t, "abalone-r2", "v2")
	_, err := h.api.CreateModel(ctx, &awssm.CreateModelInput{
		ModelName: aws.String("abalone-r3"), ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
		PrimaryContainer: &types.ContainerDefinition{Image: aws.String(serveImage), ModelDataUrl: aws.String(h.putModel(t, "r3", "v3"))},
	})
	require.NoError(t, err)
	h.config(t, "renamed-config", "abalone-r3", "Blue")
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)

	cases := []struct {
		name    string
		op      string
		input   map[string]any
		message string
	}{
		{"an endpoint on a missing config is refused", "CreateEndpoint", map[string]any{"EndpointName": "ep2", "EndpointConfigName": "nope"}, "Could not find endpoint configuration"},
		{"a second endpoint with the same name is refused", "CreateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r1-config"}, "Cannot create already existing endpoint"},
		{"a config naming a missing model is refused", "CreateEndpointConfig", map[string]any{"EndpointConfigName": "c9", "ProductionVariants": []any{map[string]any{"VariantName": "AllTraffic", "ModelName": "nope", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}}}, "Could not find model"},
		{"a config without variants is refused", "CreateEndpointConfig", map[string]any{"EndpointConfigName": "c9", "ProductionVariants": []any{}}, "productionVariants"},
		{"a second model with the same name is refused", "CreateModel", map[string]any{"ModelName": "abalone-r1", "ExecutionRoleArn": "r", "PrimaryContainer": map[string]any{"Image": serveImage}}, "Cannot create already existing model"},
		{"a model without a container is refused", "CreateModel", map[string]any{"ModelName": "m9", "ExecutionRoleArn": "r"}, "PrimaryContainer"},
		{"a model from a missing package is refused", "CreateModel", map[string]any{"ModelName": "m9", "ExecutionRoleArn": "r", "PrimaryContainer": map[string]any{"ModelPackageName": "arn:aws:sagemaker:us-east-1:000000000000:model-package/g/1"}}, "does not exist"},
		{"an update of an endpoint still creating is refused", "UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r2-config"}, "Cannot update in-progress endpoint"},
		{"an update of a missing endpoint is refused", "UpdateEndpoint", map[string]any{"EndpointName": "nope", "EndpointConfigName": "abalone-r2-config"}, "Could not find endpoint"},
		{"a canary above half the fleet is refused", "UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r2-config", "DeploymentConfig": map[string]any{"BlueGreenUpdatePolicy": map[string]any{"TrafficRoutingConfiguration": map[string]any{"Type": "CANARY", "WaitIntervalInSeconds": 60, "CanarySize": map[string]any{"Type": "CAPACITY_PERCENT", "Value": 60}}}}}, "between 1 and 50"},
		{"a linear step below 10 percent is refused", "UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r2-config", "DeploymentConfig": map[string]any{"BlueGreenUpdatePolicy": map[string]any{"TrafficRoutingConfiguration": map[string]any{"Type": "LINEAR", "WaitIntervalInSeconds": 60, "LinearStepSize": map[string]any{"Type": "CAPACITY_PERCENT", "Value": 5}}}}}, "between 10 and 50"},
		{"an update while the endpoint is Creating is refused", "UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r2-config", "DeploymentConfig": map[string]any{"BlueGreenUpdatePolicy": map[string]any{"TrafficRoutingConfiguration": map[string]any{"Type": "ALL_AT_ONCE"}}}}, "Cannot update in-progress endpoint"},
		{"an endpoint name over 63 characters is refused", "CreateEndpoint", map[string]any{"EndpointName": strings.Repeat("e", 64), "EndpointConfigName": "abalone-r1-config"}, "2 validation errors detected: Value '" + strings.Repeat("e", 64) + "' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}; Value '" + strings.Repeat("e", 64) + "' at 'endpointName' failed to satisfy constraint: Member must have length less than or equal to 63"},
		{"an endpoint config name over 63 characters is refused", "CreateEndpointConfig", map[string]any{"EndpointConfigName": "abalone-prod-commit-0123456789abcdef0123456789abcdef01234567-config", "ProductionVariants": []any{map[string]any{"VariantName": "AllTraffic", "ModelName": "abalone-r1", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}}}, "at 'endpointConfigName' failed to satisfy constraint: Member must have length less than or equal to 63"},
		{"a model name over 63 characters is refused", "CreateModel", map[string]any{"ModelName": "abalone-prod-commit-0123456789abcdef0123456789abcdef0123456789ab", "ExecutionRoleArn": "r", "PrimaryContainer": map[string]any{"Image": serveImage}}, "at 'modelName' failed to satisfy constraint: Member must have length less than or equal to 63"},
		{"an unknown routing type is refused", "UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r2-config", "DeploymentConfig": map[string]any{"BlueGreenUpdatePolicy": map[string]any{"TrafficRoutingConfiguration": map[string]any{"Type": "SOMETIMES"}}}}, "enum value set"},
		{"a rolling update is refused as unsupported", "UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r2-config", "DeploymentConfig": map[string]any{"RollingUpdatePolicy": map[string]any{"MaximumBatchSize": map[string]any{"Type": "INSTANCE_COUNT", "Value": 1}, "WaitIntervalInSeconds": 60}}}, "RollingUpdatePolicy is not supported"},
		{"more than ten rollback alarms are refused", "UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r2-config", "DeploymentConfig": map[string]any{"AutoRollbackConfiguration": map[string]any{"Alarms": []any{}}}}, "1 to 10 alarms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := h.callErr(tc.op, tc.input)
			assert.Equal(t, "ValidationException", ErrorCode(err), "%v", err)
			assert.Contains(t, err.Error(), tc.message)
		})
	}

	h.waitStatus(t, "ep", types.EndpointStatusInService)
	later := []struct {
		name    string
		input   map[string]any
		message string
	}{
		{"an update to the config already serving is refused", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r1-config"}, "already running"},
		{"a blue/green update that renames the variant is refused", map[string]any{"EndpointName": "ep", "EndpointConfigName": "renamed-config", "DeploymentConfig": map[string]any{"BlueGreenUpdatePolicy": map[string]any{"TrafficRoutingConfiguration": map[string]any{"Type": "ALL_AT_ONCE"}}}}, "must keep the variant names"},
	}
	for _, tc := range later {
		t.Run(tc.name, func(t *testing.T) {
			err := h.callErr("UpdateEndpoint", tc.input)
			assert.Equal(t, "ValidationException", ErrorCode(err), "%v", err)
			assert.Contains(t, err.Error(), tc.message)
		})
	}
	d := h.describe(t, "ep")
	assert.Equal(t, types.EndpointStatusInService, d.EndpointStatus)
	assert.Equal(t, "abalone-r1-config", aws.ToString(d.EndpointConfigName))
}

func TestDeletingAnEndpointMidUpdateStopsBothFleets(t *testing.T) {
	clock := newManualClock()
	h := newHarness(t, clock, nil)
	ctx := context.Background()
	h.release(t, "abalone-r1", "v1")
	h.release(t, "abalone-r2", "v2")
	_, err := h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)
	h.waitStatus(t, "ep", types.EndpointStatusInService)
	_, err = h.api.UpdateEndpoint(ctx, &awssm.UpdateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r2-config"), DeploymentConfig: canary(10, 600, 0)})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return clock.Pending() == 1 }, 30*time.Second, 5*time.Millisecond)

	live := h.svc.runtime("ep")
	active, next := live.Fleets()
	procs := append(append([]*serving.Variant(nil), active.Variants()...), next.Variants()...)
	require.Len(t, procs, 2)

	_, err = h.api.DeleteEndpoint(ctx, &awssm.DeleteEndpointInput{EndpointName: aws.String("ep")})
	require.NoError(t, err)
	for _, p := range procs {
		select {
		case <-p.Exited():
		case <-time.After(10 * time.Second):
			t.Fatalf("the serving process of %s kept running after DeleteEndpoint", p.Dir)
		}
	}
	_, err = h.api.DescribeEndpoint(ctx, &awssm.DescribeEndpointInput{EndpointName: aws.String("ep")})
	assert.Equal(t, "ValidationException", apiCode(t, err))
	_, err = h.svc.DeploymentHistory("ep")
	assert.Equal(t, "ValidationException", ErrorCode(err))
	clock.Advance(time.Hour) // the abandoned deployment wakes and records nothing
	_, err = h.svc.DeploymentHistory("ep")
	assert.Equal(t, "ValidationException", ErrorCode(err))
}

func TestTrafficRoutingMustFitTheNewFleet(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	h.release(t, "abalone-r1", "v1")
	h.release(t, "abalone-r2", "v2") // abalone-r2-config: 2 instances
	_, err := h.svc.Call(ctx, "CreateEndpointConfig", []byte(`{"EndpointConfigName":"single","ProductionVariants":[{"VariantName":"AllTraffic","ModelName":"abalone-r2","InitialInstanceCount":1,"InstanceType":"ml.m5.large"}]}`))
	require.NoError(t, err)
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)
	h.waitStatus(t, "ep", types.EndpointStatusInService)

	routing := func(typ, field, sizeType string, value int) map[string]any {
		return map[string]any{"BlueGreenUpdatePolicy": map[string]any{"TrafficRoutingConfiguration": map[string]any{
			"Type": typ, "WaitIntervalInSeconds": 60, field: map[string]any{"Type": sizeType, "Value": value}}}}
	}
	cases := []struct {
		name    string
		config  string
		dc      map[string]any
		message string
	}{
		{"a canary on a one-instance fleet is refused: one instance is the whole fleet", "single", routing("CANARY", "CanarySize", "CAPACITY_PERCENT", 10),
			"TrafficRoutingConfiguration.CanarySize (CAPACITY_PERCENT 10) turns on 1 of the 1 instances of variant AllTraffic in endpoint config single; it must be at most 50% of the variant's total instance count."},
		{"a canary of two instances out of two is refused", "abalone-r2-config", routing("CANARY", "CanarySize", "INSTANCE_COUNT", 2), "turns on 2 of the 2 instances"},
		{"a linear step on a one-instance fleet is refused", "single", routing("LINEAR", "LinearStepSize", "CAPACITY_PERCENT", 20), "it must be between 10% and 50%"},
		{"a linear step of the whole fleet is refused", "abalone-r2-config", routing("LINEAR", "LinearStepSize", "INSTANCE_COUNT", 2), "it must be between 10% and 50%"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := h.callErr("UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": tc.config, "DeploymentConfig": tc.dc})
			assert.Equal(t, "ValidationException", ErrorCode(err), "%v", err)
			assert.Contains(t, fmt.Sprint(err), tc.message)
			assert.Equal(t, types.EndpointStatusInService, h.describe(t, "ep").EndpointStatus, "a refused update changes nothing")
		})
	}
	// Half of two instances is one: the canary kiln's prod stage asks for fits.
	require.NoError(t, h.callErr("UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "abalone-r2-config", "DeploymentConfig": routing("CANARY", "CanarySize", "CAPACITY_PERCENT", 20)}))
	assert.Equal(t, types.EndpointStatusUpdating, h.describe(t, "ep").EndpointStatus)
	err = h.callErr("UpdateEndpoint", map[string]any{"EndpointName": "ep", "EndpointConfigName": "single"})
	assert.Contains(t, fmt.Sprint(err), "Cannot update in-progress endpoint", "an endpoint Updating takes no second update")
}
