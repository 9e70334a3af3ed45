package sagemaker

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeIsEpochSecondsOnTheWire(t *testing.T) {
	at := Time{time.Date(2026, 11, 22, 10, 0, 0, 250e6, time.UTC)}
	b, err := json.Marshal(at)
	require.NoError(t, err)
	assert.Equal(t, "1795341600.25", string(b))
	var back Time
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.Equal(at.Time), "got %s, want %s", back, at)
	require.NoError(t, json.Unmarshal([]byte(`"2026-11-22T10:00:00.25Z"`), &back))
	assert.True(t, back.Equal(at.Time))
	assert.Error(t, json.Unmarshal([]byte(`"yesterday"`), &back))
	assert.Equal(t, "1795341600250", epochMillis(&at))
}

func TestNamesAndURIs(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"letters digits and single dashes are a valid name", "abalone-dev-commit-0123", true},
		{"double dashes are valid", "a--b", true},
		{"a leading dash is refused", "-a", false},
		{"a trailing dash is refused", "a-", false},
		{"an underscore is refused", "a_b", false},
		{"64 characters are too many", string(bytes.Repeat([]byte("a"), 64)), false},
		{"63 characters are fine", string(bytes.Repeat([]byte("a"), 63)), true},
		{"an empty name is refused", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := validName("EndpointName", tc.in)
			assert.Equal(t, tc.ok, err == nil, "got %v", err)
		})
	}
	b, k, err := parseS3URI("s3://bucket/a/b/")
	require.NoError(t, err)
	assert.Equal(t, "bucket", b)
	assert.Equal(t, "a/b/", k)
	_, _, err = parseS3URI("https://bucket/a")
	assert.Error(t, err)
	_, _, err = parseS3URI("s3:///a")
	assert.Error(t, err)
	assert.Equal(t, "s3://b/training/abalone/job/output/model.tar.gz", joinS3("s3://b/training/abalone/", "job", "output", "model.tar.gz"))
	assert.Equal(t, "IN_SERVICE", eventStatus("InService"))
	assert.Equal(t, "ROLLING_BACK", eventStatus("RollingBack"))
}

func TestPlanTraffic(t *testing.T) {
	mk := func(kind string, wait, bake int, canary, linear *capacitySize) *deploymentConfig {
		dc := &deploymentConfig{}
		raw, _ := json.Marshal(map[string]any{"BlueGreenUpdatePolicy": map[string]any{
			"TrafficRoutingConfiguration": map[string]any{"Type": kind, "WaitIntervalInSeconds": wait, "CanarySize": canary, "LinearStepSize": linear},
			"TerminationWaitInSeconds":    bake,
		}, "AutoRollbackConfiguration": map[string]any{"Alarms": []any{map[string]string{"AlarmName": "a"}}}})
		require.NoError(t, json.Unmarshal(raw, dc))
		return dc
	}
	for _, tc := range []struct {
		name      string
		dc        *deploymentConfig
		instances int
		shares    []float64
	}{
		{"no config is all at once", nil, 1, []float64{1}},
		{"a percent canary takes that share first", mk("CANARY", 60, 0, &capacitySize{Type: "CAPACITY_PERCENT", Value: 10}, nil), 2, []float64{0.1, 1}},
		{"an instance canary takes its share of the new fleet", mk("CANARY", 60, 0, &capacitySize{Type: "INSTANCE_COUNT", Value: 1}, nil), 4, []float64{0.25, 1}},
		{"linear thirds end at all traffic", mk("LINEAR", 60, 0, nil, &capacitySize{Type: "CAPACITY_PERCENT", Value: 33}), 1, []float64{0.33, 0.66, 0.99, 1}},
		{"linear halves take two steps", mk("LINEAR", 60, 0, nil, &capacitySize{Type: "CAPACITY_PERCENT", Value: 50}), 1, []float64{0.5, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planTraffic(tc.dc, tc.instances)
			assert.Equal(t, tc.shares, p.Shares)
		})
	}
	p := planTraffic(mk("CANARY", 60, 300, &capacitySize{Type: "CAPACITY_PERCENT", Value: 10}, nil), 1)
	assert.Equal(t, time.Minute, p.Wait)
	assert.Equal(t, 5*time.Minute, p.Bake)
	assert.Equal(t, []string{"a"}, p.Alarms)
}

func TestPaginate(t *testing.T) {
	list := []int{1, 2, 3, 4, 5}
	page, next, err := paginate(list, 2, "")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, page)
	page, next, err = paginate(list, 2, next)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 4}, page)
	page, next, err = paginate(list, 2, next)
	require.NoError(t, err)
	assert.Equal(t, []int{5}, page)
	assert.Empty(t, next)
	_, _, err = paginate(list, 2, "banana")
	assert.Error(t, err)
	_, _, err = paginate(list, 101, "")
	assert.Error(t, err)
}

func TestDownloadPrefixKeepsPathsAfterThePrefix(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prefix string
		want   []string
	}{
		{"a folder prefix keeps the paths below it", "data/abalone/", []string{"abalone.csv", "extra/more.csv"}},
		{"a prefix without its slash gives the same layout", "data/abalone", []string{"abalone.csv", "extra/more.csv"}},
		{"a prefix naming one object gives its base name", "data/abalone/abalone.csv", []string{"abalone.csv"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blobs := newMemBlobs()
			ctx := context.Background()
			require.NoError(t, blobs.Put(ctx, "b", "data/abalone/abalone.csv", []byte("a")))
			require.NoError(t, blobs.Put(ctx, "b", "data/abalone/extra/more.csv", []byte("m")))
			require.NoError(t, blobs.Put(ctx, "b", "data/other.csv", []byte("o")))
			s := &Service{cfg: Config{Blobs: blobs}}
			dest := t.TempDir()
			n, err := s.downloadPrefix(ctx, "s3://b/"+tc.prefix, dest)
			require.NoError(t, err)
			assert.Equal(t, len(tc.want), n)
			for _, w := range tc.want {
				assert.FileExists(t, filepath.Join(dest, w))
			}
		})
	}
}
