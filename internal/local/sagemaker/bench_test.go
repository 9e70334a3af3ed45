package sagemaker

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/require"
)

// countMetrics counts data points, cheaply, so the benchmark pays for publishing metrics
// without measuring a test fake's allocations.
type countMetrics struct{ n atomic.Int64 }

func (c *countMetrics) Put(string, string, map[string]string, float64, string, time.Time) { c.n.Add(1) }

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

// BenchmarkRouter measures InvokeEndpoint through the router (HTTP on loopback to
// RuntimeHandler, which forwards to the serving process) against a direct POST to the same
// serving process, interleaved so both see the same machine. It reports p50/p99 of each,
// the p99 overhead the router adds, and requests per second through the router. The
// serving program is a real separate process (the test binary's serve helper) with data
// capture and metrics on, as in kiln local.
func BenchmarkRouter(b *testing.B) {
	metrics := &countMetrics{}
	h := newHarness(b, clock.Wall{}, func(c *Config) { c.Metrics = metrics })
	ctx := context.Background()
	h.release(b, "bench", "v1")
	_, err := h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("bench"), EndpointConfigName: aws.String("bench-config")})
	require.NoError(b, err)
	h.waitStatus(b, "bench", types.EndpointStatusInService)

	live := h.svc.runtime("bench")
	_, v := live.Pick(0, "")
	direct := v.URL
	srv := httptest.NewServer(h.svc.RuntimeHandler())
	b.Cleanup(srv.Close)
	routed := srv.URL + "/endpoints/bench/invocations"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	payload := []byte("0.455,0.365,0.095,0.514,0.2245,0.101,0.15,M")
	post := func(url string) time.Duration {
		start := time.Now()
		resp, err := client.Post(url, "text/csv", bytes.NewReader(payload))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d from %s", resp.StatusCode, url)
		}
		return time.Since(start)
	}
	for i := 0; i < 200; i++ { // warm both connection pools
		post(direct)
		post(routed)
	}

	b.Run("sequential", func(b *testing.B) {
		directLat := make([]time.Duration, 0, b.N)
		routedLat := make([]time.Duration, 0, b.N)
		var routedTotal time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			directLat = append(directLat, post(direct))
			d := post(routed)
			routedTotal += d
			routedLat = append(routedLat, d)
		}
		b.StopTimer()
		sort.Slice(directLat, func(i, j int) bool { return directLat[i] < directLat[j] })
		sort.Slice(routedLat, func(i, j int) bool { return routedLat[i] < routedLat[j] })
		us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
		b.ReportMetric(us(percentile(directLat, 0.5)), "direct-p50-µs")
		b.ReportMetric(us(percentile(directLat, 0.99)), "direct-p99-µs")
		b.ReportMetric(us(percentile(routedLat, 0.5)), "router-p50-µs")
		b.ReportMetric(us(percentile(routedLat, 0.99)), "router-p99-µs")
		b.ReportMetric(us(percentile(routedLat, 0.99)-percentile(directLat, 0.99)), "overhead-p99-µs")
		b.ReportMetric(us(percentile(routedLat, 0.5)-percentile(directLat, 0.5)), "overhead-p50-µs")
		b.ReportMetric(float64(b.N)/routedTotal.Seconds(), "router-req/s")
	})

	for _, target := range []struct{ name, url string }{{"parallel-direct", direct}, {"parallel-router", routed}} {
		b.Run(target.name, func(b *testing.B) {
			b.SetParallelism(4)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post(target.url)
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
	if metrics.n.Load() == 0 {
		b.Fatal(errors.New("the router published no metrics"))
	}
}
