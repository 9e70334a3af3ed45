package container_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
	"github.com/kiln-dev/kiln/internal/local/sagemaker/container/dockertest"
)

const probeImage = "kiln-test/probe:latest"

// probeReport is what the probe program saw.
type probeReport struct {
	Args            []string          `json:"args"`
	Interfaces      []string          `json:"interfaces"`
	HyperParameters string            `json:"hyperparameters"`
	Data            string            `json:"data"`
	Model           string            `json:"model"`
	UID             int               `json:"uid"`
	Env             map[string]string `json:"env"`
}

// leftovers lists the containers labelled with the runtime's root.
func leftovers(t *testing.T, d *container.Docker) string {
	t.Helper()
	out, err := exec.Command("docker", "ps", "-aq", "--filter", "label=kiln.root="+d.Root).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func probeJob(t *testing.T, env map[string]string) container.Job {
	t.Helper()
	job := container.Job{Name: "probe-job", ARN: "arn:aws:sagemaker:us-east-1:000000000000:training-job/probe-job",
		Image: probeImage, Dir: filepath.Join(t.TempDir(), "job"), HyperParameters: map[string]string{"depth": "3"},
		Channels: []container.Channel{{Name: "train", ContentType: "text/csv"}}, InputMode: "File", Environment: env}
	require.NoError(t, container.Layout(job))
	require.NoError(t, os.MkdirAll(container.ChannelDir(job.Dir, "train"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(container.ChannelDir(job.Dir, "train"), "data.csv"), []byte("1,2\n"), 0o600))
	return job
}

func TestDockerTrainsInAContainerUnderTheOptMLLayoutWithoutANetwork(t *testing.T) {
	d := dockertest.Require(t)
	dockertest.GoImage(t, probeImage, "./testdata/probe")
	var mu sync.Mutex
	var lines []string
	job := probeJob(t, map[string]string{"LD_PRELOAD": "/nothing.so", "MODEL_GREETING": "hello"})
	job.Line = func(l string) { mu.Lock(); lines = append(lines, l); mu.Unlock() }

	p, err := d.Train(context.Background(), job)
	require.NoError(t, err)
	require.NoError(t, p.Err())

	b, err := os.ReadFile(filepath.Join(job.Dir, "model", "probe.json"))
	require.NoError(t, err, "the model the container wrote to /opt/ml/model is in the job's model directory")
	var r probeReport
	require.NoError(t, json.Unmarshal(b, &r))
	assert.Equal(t, []string{"train"}, r.Args, "the image runs as `IMAGE train`")
	assert.Equal(t, []string{"lo"}, r.Interfaces, "training runs with --network none")
	assert.JSONEq(t, `{"depth":"3"}`, r.HyperParameters)
	assert.Equal(t, "1,2\n", r.Data, "the channel is at SM_CHANNEL_TRAIN under /opt/ml/input/data")
	assert.Equal(t, "/opt/ml/model", r.Env["SM_MODEL_DIR"])
	assert.Equal(t, "3", r.Env["SM_HP_DEPTH"])
	assert.Equal(t, "/nothing.so", r.Env["LD_PRELOAD"], "a container's environment is its own: the request's goes in whole")
	assert.Equal(t, "hello", r.Env["MODEL_GREETING"])
	assert.Equal(t, os.Getuid(), r.UID, "the container runs as kiln's user, so kiln owns what it writes")
	mu.Lock()
	assert.Contains(t, lines, "probe training", "the container's output is the job's log")
	mu.Unlock()
	log, err := os.ReadFile(container.LogPath(job.Dir))
	require.NoError(t, err)
	assert.Contains(t, string(log), "probe training")
	assert.Empty(t, leftovers(t, d), "the container is removed after it exits")
	assert.NoFileExists(t, filepath.Join(job.Dir, "container.env"), "the environment file is removed with the container")
}

func TestDockerReportsAFailingTrainingContainerByItsExit(t *testing.T) {
	d := dockertest.Require(t)
	dockertest.GoImage(t, probeImage, "./testdata/probe")
	job := probeJob(t, map[string]string{"PROBE_FAIL": "1"})
	p, err := d.Train(context.Background(), job)
	require.NoError(t, err)
	var exit *exec.ExitError
	require.ErrorAs(t, p.Err(), &exit)
	assert.Equal(t, 3, exit.ExitCode())
	b, err := os.ReadFile(filepath.Join(job.Dir, "output", "failure"))
	require.NoError(t, err)
	assert.Equal(t, "the probe was asked to fail", string(b), "/opt/ml/output is the job's output directory")
}

func TestDockerServesOnTheLoopbackPortItIsGiven(t *testing.T) {
	d := dockertest.Require(t)
	dockertest.GoImage(t, probeImage, "./testdata/probe")
	dir := filepath.Join(t.TempDir(), "variant")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "model"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "model", "model.txt"), []byte("weights"), 0o600))
	port := freePort(t)

	p, err := d.Serve(context.Background(), container.Serving{Image: probeImage, Endpoint: "ep", Variant: "AllTraffic",
		Dir: dir, Port: port, Environment: map[string]string{"MODEL_GREETING": "hi"}})
	require.NoError(t, err)
	url := "http://127.0.0.1:" + itoa(port)
	require.Eventually(t, func() bool {
		resp, err := http.Get(url + "/ping")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "the container answers /ping on the host's loopback")
	resp, err := http.Post(url+"/invocations", "text/csv", strings.NewReader("1"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var r probeReport
	require.NoError(t, json.Unmarshal(body, &r))
	assert.Equal(t, []string{"serve"}, r.Args)
	assert.Equal(t, "weights", r.Model, "the model is at /opt/ml/model")
	assert.Equal(t, "hi", r.Env["MODEL_GREETING"], "the model's Environment goes to the container")

	p.Stop(5 * time.Second)
	assert.Empty(t, leftovers(t, d), "a stopped serving container is removed")
}

func TestDockerRefusesAnImageTheDaemonDoesNotHave(t *testing.T) {
	d := dockertest.Require(t)
	job := probeJob(t, nil)
	job.Image = "kiln-test/not-built:never"
	_, err := d.Train(context.Background(), job)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not in the local Docker daemon (kiln never pulls)")
}

func TestReapRemovesTheContainersOfAnEarlierRun(t *testing.T) {
	d := dockertest.Require(t)
	dockertest.GoImage(t, probeImage, "./testdata/probe")
	dir := filepath.Join(t.TempDir(), "variant")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "model"), 0o700))
	p, err := d.Serve(context.Background(), container.Serving{Image: probeImage, Endpoint: "ep", Variant: "v", Dir: dir, Port: freePort(t)})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return leftovers(t, d) != "" }, 30*time.Second, 50*time.Millisecond, "the container runs")
	removed, err := d.Reap(context.Background())
	require.NoError(t, err)
	assert.Len(t, removed, 1)
	<-p.Done()
	assert.Empty(t, leftovers(t, d))
}

func itoa(n int) string { return strconv.Itoa(n) }

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
