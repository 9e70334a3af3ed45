package stack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
)

// BenchmarkInvokeEndpointWithHistory measures InvokeEndpoint where users meet it: the
// SageMaker Runtime SDK client over HTTP against a running local stack, whose endpoint
// serves the sample model (a real serving process) with data capture on and whose
// CloudWatch stores the five metrics of every invocation and evaluates the endpoint's
// rollback alarms. Each sub-benchmark first brings the endpoint's history up to that many
// invocations, then times b.N sequential invocations and reports req/s, and the rate of
// the fastest batch of 100 (best-batch-req/s): the figures must not fall as the history
// grows. cpu-µs/op is the CPU time of this process (the stack and
// the client; the serving process is another) per invocation: on a shared machine it
// varies less with other load than req/s does.
//
//	go test -run '^$' -bench InvokeEndpointWithHistory -benchtime 2000x -count 3 ./internal/local/stack/
func BenchmarkInvokeEndpointWithHistory(b *testing.B) {
	ctx := context.Background()
	s := deployedSample(ctx, b)
	defer s.Close()
	require.NotEmpty(b, s.CloudWatch().Alarms(), "the endpoint's rollback alarms are evaluated on every put")
	rt := sagemakerruntime.NewFromConfig(s.Clients().Config)
	name := aws.String(topology.EndpointName("prod", "abalone"))
	invoke := func() error {
		_, err := rt.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{
			EndpointName: name, ContentType: aws.String("text/csv"), Body: []byte("M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15"),
		})
		return err
	}
	done := 0
	for _, history := range []int{0, 5_000, 20_000, 50_000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			require.NoError(b, invokeMany(history-done, 4, invoke))
			done = max(done, history)
			runtime.GC() // the fill's garbage is not this level's cost
			cpu := cpuTime()
			b.ResetTimer()
			best := timeBatches(b, invoke)
			b.StopTimer()
			done += b.N
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			if best > 0 {
				b.ReportMetric(batch/best.Seconds(), "best-batch-req/s")
			}
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// batch is how many invocations timeBatches times together.
const batch = 100

// timeBatches calls invoke b.N times and returns the shortest time a whole batch of them
// took (0 when b.N is under one batch): the figure least disturbed by other load on a
// shared machine.
func timeBatches(b *testing.B, invoke func() error) time.Duration {
	var best time.Duration
	start := time.Now()
	for i := range b.N {
		if err := invoke(); err != nil {
			b.Fatal(err)
		}
		if (i+1)%batch == 0 {
			if d := time.Since(start); best == 0 || d < best {
				best = d
			}
			start = time.Now()
		}
	}
	return best
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// invokeMany calls invoke n times from workers goroutines and returns the first error.
func invokeMany(n, workers int, invoke func() error) error {
	var left atomic.Int64
	left.Store(int64(n))
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if err := invoke(); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// deployedSample opens a stack whose prod abalone endpoint serves a sample model trained
// by a real training job, all through the SageMaker API.
func deployedSample(ctx context.Context, b *testing.B) *Stack {
	b.Helper()
	root, err := ModuleRoot(".")
	require.NoError(b, err)
	dir := b.TempDir()
	pol := fastPolicy(b)
	images, err := BuildImages(ctx, root, dir, pol)
	require.NoError(b, err)
	env := topology.Local("prod")
	bucket := topology.ArtifactsBucket(env)
	data, err := os.ReadFile(filepath.Join(root, "examples/abalone/data/abalone.csv"))
	require.NoError(b, err)
	require.NoError(b, os.MkdirAll(filepath.Join(dir, "s3", bucket, "data", "abalone"), 0o700))
	require.NoError(b, os.WriteFile(filepath.Join(dir, "s3", bucket, "data", "abalone", "abalone.csv"), data, 0o600))
	s, err := Open(Options{Dir: dir, Addr: "127.0.0.1:0", Images: images, Policy: pol})
	require.NoError(b, err)
	require.NoError(b, s.Start(ctx))
	modelData := trainSample(ctx, b, s, bucket)
	serveSample(ctx, b, s, bucket, modelData)
	return s
}

// trainSample runs a short training job of the sample model and returns its artifact.
func trainSample(ctx context.Context, b *testing.B, s *Stack, bucket string) string {
	b.Helper()
	sm := s.Clients().SageMaker
	_, err := sm.CreateTrainingJob(ctx, &sagemaker.CreateTrainingJobInput{
		TrainingJobName:        aws.String("bench-abalone"),
		AlgorithmSpecification: &smtypes.AlgorithmSpecification{TrainingImage: aws.String(sampleTrainingImage), TrainingInputMode: smtypes.TrainingInputModeFile},
		RoleArn:                aws.String("arn:aws:iam::000000000000:role/kiln-prod-sagemaker"),
		HyperParameters:        map[string]string{"num_round": "20", "max_depth": "4"},
		InputDataConfig: []smtypes.Channel{{ChannelName: aws.String("train"), DataSource: &smtypes.DataSource{S3DataSource: &smtypes.S3DataSource{
			S3Uri: aws.String("s3://" + bucket + "/data/abalone/"), S3DataType: smtypes.S3DataTypeS3Prefix,
		}}}},
		OutputDataConfig:  &smtypes.OutputDataConfig{S3OutputPath: aws.String("s3://" + bucket + "/training/abalone/")},
		ResourceConfig:    &smtypes.ResourceConfig{InstanceType: smtypes.TrainingInstanceTypeMlM5Large, InstanceCount: aws.Int32(1), VolumeSizeInGB: aws.Int32(10)},
		StoppingCondition: &smtypes.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(600)},
	})
	require.NoError(b, err)
	w := sagemaker.NewTrainingJobCompletedOrStoppedWaiter(sm, func(o *sagemaker.TrainingJobCompletedOrStoppedWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	job, err := w.WaitForOutput(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: aws.String("bench-abalone")}, 5*time.Minute)
	require.NoError(b, err)
	require.Equal(b, smtypes.TrainingJobStatusCompleted, job.TrainingJobStatus, aws.ToString(job.FailureReason))
	return aws.ToString(job.ModelArtifacts.S3ModelArtifacts)
}

// serveSample deploys modelData to the prod abalone endpoint, as the deploy workflow
// does (data capture on), and waits until it is InService.
func serveSample(ctx context.Context, b *testing.B, s *Stack, bucket, modelData string) {
	b.Helper()
	sm := s.Clients().SageMaker
	_, err := sm.CreateModel(ctx, &sagemaker.CreateModelInput{
		ModelName: aws.String("bench-abalone"), ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/kiln-prod-sagemaker"),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String(sampleServingImage), ModelDataUrl: aws.String(modelData)},
	})
	require.NoError(b, err)
	_, err = sm.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String("bench-abalone-config"),
		ProductionVariants: []smtypes.ProductionVariant{{
			VariantName: aws.String("AllTraffic"), ModelName: aws.String("bench-abalone"),
			InitialInstanceCount: aws.Int32(1), InstanceType: smtypes.ProductionVariantInstanceTypeMlM5Large, InitialVariantWeight: aws.Float32(1),
		}},
		DataCaptureConfig: &smtypes.DataCaptureConfig{
			EnableCapture: aws.Bool(true), InitialSamplingPercentage: aws.Int32(100), DestinationS3Uri: aws.String("s3://" + bucket + "/datacapture"),
			CaptureOptions: []smtypes.CaptureOption{{CaptureMode: smtypes.CaptureModeInput}, {CaptureMode: smtypes.CaptureModeOutput}},
		},
	})
	require.NoError(b, err)
	name := aws.String(topology.EndpointName("prod", "abalone"))
	_, err = sm.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{EndpointName: name, EndpointConfigName: aws.String("bench-abalone-config")})
	require.NoError(b, err)
	w := sagemaker.NewEndpointInServiceWaiter(sm, func(o *sagemaker.EndpointInServiceWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	require.NoError(b, w.Wait(ctx, &sagemaker.DescribeEndpointInput{EndpointName: name}, 2*time.Minute))
}

// The sample's images as the shipped policy names them, resolved for kiln local: the
// references BuildImages maps to the sample's programs.
const (
	sampleTrainingImage = "000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln/abalone-train:latest"
	sampleServingImage  = "000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln/abalone-serve:latest"
)
