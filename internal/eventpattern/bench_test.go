package eventpattern

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// kilnRule returns the i-th of a family of patterns shaped like kiln's rules: source and
// detail-type, plus a few detail fields mixing exact values, prefix, numeric and anything-but.
func kilnRule(i int) string {
	switch i % 5 {
	case 0: // approval
		return fmt.Sprintf(`{"source":["aws.sagemaker"],"detail-type":["SageMaker Model Package State Change"],
			"detail":{"ModelPackageGroupName":["group-%d"],"ModelApprovalStatus":["Approved","Rejected"]}}`, i)
	case 1: // drift alarm
		return fmt.Sprintf(`{"source":["aws.cloudwatch"],"detail-type":["CloudWatch Alarm State Change"],
			"detail":{"alarmName":[{"prefix":"kiln-drift-%d-"}],"state":{"value":["ALARM"]}}}`, i)
	case 2: // training finished
		return fmt.Sprintf(`{"source":["aws.sagemaker"],"detail-type":["SageMaker Training Job State Change"],
			"detail":{"TrainingJobName":[{"prefix":"job-%d-"}],"TrainingJobStatus":[{"anything-but":["InProgress","Stopping"]}]}}`, i)
	case 3: // new data
		return fmt.Sprintf(`{"source":["aws.s3"],"detail-type":["Object Created"],
			"detail":{"bucket":{"name":["data-%d"]},"object":{"size":[{"numeric":[">",0,"<=",5000000000]}],"key":[{"suffix":".csv"}]}}}`, i)
	default: // model package versions
		return fmt.Sprintf(`{"source":["aws.sagemaker"],"detail-type":["SageMaker Model Package State Change"],
			"detail":{"ModelPackageGroupName":["group-%d"],"ModelPackageVersion":[{"numeric":[">=",2]}],"ModelPackageStatus":[{"anything-but":"Failed"}]}}`, i)
	}
}

// benchEvent is a typical SageMaker model package event of about 1 KB that rule 5 matches.
const benchEvent = `{"version":"0","id":"a2b6f9ce-3a2a-4c51-9a0c-9f3a6a7d3c11","detail-type":"SageMaker Model Package State Change",
"source":"aws.sagemaker","account":"123456789012","time":"2026-11-22T18:43:48Z","region":"eu-west-1",
"resources":["arn:aws:sagemaker:eu-west-1:123456789012:model-package/group-5/3"],
"detail":{"ModelPackageGroupName":"group-5","ModelPackageVersion":3,
"ModelPackageArn":"arn:aws:sagemaker:eu-west-1:123456789012:model-package/group-5/3",
"ModelPackageDescription":"abalone gradient-boosted trees, commit 4f1c2e9",
"CreationTime":1763837028000,"LastModifiedTime":1763837228000,
"InferenceSpecification":{"Containers":[{"Image":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/kiln-serve:4f1c2e9",
"ModelDataUrl":"s3://kiln-artifacts-123456789012/models/pipeline-4f1c2e9/output/model.tar.gz"}],
"SupportedContentTypes":["text/csv"],"SupportedResponseMIMETypes":["text/csv"]},
"ModelMetrics":{"ModelQuality":{"Statistics":{"ContentType":"application/json",
"S3Uri":"s3://kiln-artifacts-123456789012/evaluation/pipeline-4f1c2e9/metrics.json"}}},
"MetadataProperties":{"GeneratedBy":"arn:aws:states:eu-west-1:123456789012:execution:pipeline:4f1c2e9"},
"CustomerMetadataProperties":{"commit":"4f1c2e9","branch":"develop","rmse":"2.11"},
"ModelApprovalStatus":"Approved","ModelPackageStatus":"Completed","CreatedBy":{"UserProfileName":"kiln"}}}`

func benchmarkMatcher(b *testing.B, rules int) {
	m := NewMatcher()
	for i := range rules {
		require.NoError(b, m.Add(fmt.Sprintf("rule-%04d", i), []byte(kilnRule(i))))
	}
	event := []byte(benchEvent)
	names, err := m.Match(event)
	require.NoError(b, err)
	require.Equal(b, []string{"rule-0005"}, names)
	b.SetBytes(int64(len(event)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Match(event); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkMatcher10(b *testing.B)   { benchmarkMatcher(b, 10) }
func BenchmarkMatcher100(b *testing.B)  { benchmarkMatcher(b, 100) }
func BenchmarkMatcher1000(b *testing.B) { benchmarkMatcher(b, 1000) }

// BenchmarkMatcherParallel measures matching from every core while another goroutine keeps
// replacing a rule, the copy-on-write design's worst case.
func BenchmarkMatcherParallel(b *testing.B) {
	m := NewMatcher()
	for i := range 100 {
		require.NoError(b, m.Add(fmt.Sprintf("rule-%04d", i), []byte(kilnRule(i))))
	}
	event := []byte(benchEvent)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := m.Add("churn", []byte(kilnRule(i%100))); err != nil {
				panic(err)
			}
		}
	}()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.Match(event); err != nil {
				panic(err)
			}
		}
	})
	b.StopTimer()
	close(stop)
	<-done
}

func BenchmarkPatternMatch(b *testing.B) {
	p, err := Compile([]byte(kilnRule(5)))
	require.NoError(b, err)
	event := []byte(benchEvent)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Match(event); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkCompile(b *testing.B) {
	src := []byte(kilnRule(3))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatcherAdd measures adding the 1,000th rule: each change rebuilds the index.
func BenchmarkMatcherAdd(b *testing.B) {
	m := NewMatcher()
	for i := range 999 {
		require.NoError(b, m.Add(fmt.Sprintf("rule-%04d", i), []byte(kilnRule(i))))
	}
	src := []byte(kilnRule(999))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Add("rule-0999", src); err != nil {
			b.Fatal(err)
		}
	}
}

// rwMatcher is the design not taken, kept to measure against: the same index behind a
// sync.RWMutex instead of an atomically swapped pointer.
type rwMatcher struct {
	mu    sync.RWMutex
	names []string
	rules []*rule
	snap  *snapshot
}

func (m *rwMatcher) add(name string, pattern []byte) error {
	r, err := compileRule(pattern)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i, found := slices.BinarySearch(m.names, name)
	if found {
		m.rules[i] = r
	} else {
		m.names = slices.Insert(m.names, i, name)
		m.rules = slices.Insert(m.rules, i, r)
	}
	m.snap = buildSnapshot(m.names, m.rules)
	return nil
}

func (m *rwMatcher) match(event []byte) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	st := m.snap.pool.Get().(*eventState)
	defer m.snap.pool.Put(st)
	hits, err := m.snap.match(st, event)
	return len(hits), err
}

// BenchmarkRWMutexMatcherParallel is BenchmarkMatcherParallel for the RWMutex design.
func BenchmarkRWMutexMatcherParallel(b *testing.B) {
	m := &rwMatcher{snap: buildSnapshot(nil, nil)}
	for i := range 100 {
		require.NoError(b, m.add(fmt.Sprintf("rule-%04d", i), []byte(kilnRule(i))))
	}
	event := []byte(benchEvent)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := m.add("churn", []byte(kilnRule(i%100))); err != nil {
				panic(err)
			}
		}
	}()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.match(event); err != nil {
				panic(err)
			}
		}
	})
	b.StopTimer()
	close(stop)
	<-done
}

// benchmarkGitPush matches events/git-push.json (867 bytes as stored, indented) against a set
// of kiln-like rules whose last is kiln's own git-push rule, the one the event matches.
func benchmarkGitPush(b *testing.B, rules int) {
	event, err := os.ReadFile(filepath.Join(kilnRoot, "events", "git-push.json"))
	require.NoError(b, err)
	push, err := os.ReadFile(filepath.Join(kilnRoot, "events", "rules", "git-push.pattern.json"))
	require.NoError(b, err)
	m := NewMatcher()
	for i := range rules - 1 {
		require.NoError(b, m.Add(fmt.Sprintf("rule-%04d", i), []byte(kilnRule(i))))
	}
	require.NoError(b, m.Add("git-push", push))
	names, err := m.Match(event)
	require.NoError(b, err)
	require.Equal(b, []string{"git-push"}, names)
	b.SetBytes(int64(len(event)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Match(event); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkMatcherGitPush10(b *testing.B)   { benchmarkGitPush(b, 10) }
func BenchmarkMatcherGitPush100(b *testing.B)  { benchmarkGitPush(b, 100) }
func BenchmarkMatcherGitPush1000(b *testing.B) { benchmarkGitPush(b, 1000) }
