package sagemaker

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// endpointLive is an endpoint's running state: the fleet serving it and, during a
// blue/green update, the new fleet with its share of traffic.
type endpointLive struct {
	name   string
	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.RWMutex
	active    *fleet
	next      *fleet
	nextShare float64
	stopped   bool // stopAll ran: fleets started later must be stopped by their starter
}

func (s *Service) runtime(endpoint string) *endpointLive {
	s.rtMu.RLock()
	defer s.rtMu.RUnlock()
	return s.runtimes[endpoint]
}

// setRuntime installs (or, with nil, removes) an endpoint's live state.
func (s *Service) setRuntime(endpoint string, l *endpointLive) {
	s.rtMu.Lock()
	defer s.rtMu.Unlock()
	if l == nil {
		delete(s.runtimes, endpoint)
		return
	}
	s.runtimes[endpoint] = l
}

func newEndpointLive(name string) *endpointLive {
	ctx, cancel := context.WithCancel(context.Background())
	return &endpointLive{name: name, ctx: ctx, cancel: cancel}
}

func (l *endpointLive) current() *fleet {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.active
}

// install makes f the active fleet (or the next one); it returns false, installing
// nothing, when the endpoint's fleets were already stopped.
func (l *endpointLive) install(f *fleet, next bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return false
	}
	if next {
		l.next, l.nextShare = f, 0
	} else {
		l.active = f
	}
	return true
}

// stopAll stops every fleet of the endpoint.
func (l *endpointLive) stopAll() {
	l.mu.Lock()
	fs := []*fleet{l.active, l.next}
	l.active, l.next, l.nextShare = nil, nil, 0
	l.stopped = true
	l.mu.Unlock()
	for _, f := range fs {
		if f != nil {
			f.stop()
		}
	}
}

// pick chooses the fleet and variant for one request: the new fleet with probability
// nextShare, then a variant by weight. target names a variant to use instead.
func (l *endpointLive) pick(r float64, target string) (*fleet, *variantProc) {
	l.mu.RLock()
	active, next, share := l.active, l.next, l.nextShare
	l.mu.RUnlock()
	f := active
	if next != nil && (active == nil || r < share) {
		f = next
		if share > 0 {
			r /= share
		}
	} else if next != nil && share < 1 {
		r = (r - share) / (1 - share)
	}
	if f == nil || len(f.variants) == 0 {
		return nil, nil
	}
	if target != "" {
		for _, v := range f.variants {
			if v.name == target {
				return f, v
			}
		}
		return f, nil
	}
	if f.total <= 0 {
		return f, f.variants[0]
	}
	x := r * f.total
	for _, v := range f.variants {
		if x < v.weight {
			return f, v
		}
		x -= v.weight
	}
	return f, f.variants[len(f.variants)-1]
}

// fleet is the set of serving processes of one endpoint config.
type fleet struct {
	config   string
	capture  *dataCaptureConfig
	variants []*variantProc
	total    float64
}

func (f *fleet) stop() {
	var wg sync.WaitGroup
	for _, v := range f.variants {
		wg.Add(1)
		go func() { defer wg.Done(); v.stop() }()
	}
	wg.Wait()
}

// variantProc is one variant's serving process.
type variantProc struct {
	name   string
	weight float64
	url    string // http://127.0.0.1:<port>/invocations
	dir    string
	cmd    *exec.Cmd
	exited chan struct{}
	logf   *os.File
}

func (v *variantProc) stop() {
	if v.cmd == nil || v.cmd.Process == nil {
		return
	}
	select {
	case <-v.exited:
		return
	default:
	}
	_ = syscall.Kill(-v.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-v.exited:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-v.cmd.Process.Pid, syscall.SIGKILL)
		<-v.exited
	}
}

// fleetWeights reports each variant's share of the endpoint's traffic when the fleet
// gets share of it.
func fleetWeights(f *fleet, share float64) []VariantWeight {
	if f == nil {
		return nil
	}
	out := make([]VariantWeight, 0, len(f.variants))
	for _, v := range f.variants {
		w := 0.0
		if f.total > 0 {
			w = v.weight / f.total
		}
		out = append(out, VariantWeight{Config: f.config, Variant: v.name, Share: w * share})
	}
	return out
}

// startFleet starts every variant of config for the endpoint and waits until each answers
// GET /ping with 200; on failure it stops what it started.
func (s *Service) startFleet(ctx context.Context, endpoint, config string) (*fleet, error) {
	type plan struct {
		variant, image, modelData string
		role                      string // the model's execution role, which reads its artifacts
		env                       map[string]string
		weight                    float64
		cmd                       Command
	}
	s.mu.Lock()
	cfg, ok := s.configs[config]
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("endpoint config %s does not exist", config)
	}
	f := &fleet{config: config, capture: cfg.DataCaptureConfig}
	var plans []plan
	for _, pv := range cfg.ProductionVariants {
		image, data, env, err := s.servingContainer(pv.ModelName)
		if err != nil {
			s.mu.Unlock()
			return nil, fmt.Errorf("variant %s: %w", pv.VariantName, err)
		}
		cmd, ok := s.cfg.Images[image]
		if !ok {
			s.mu.Unlock()
			return nil, fmt.Errorf("variant %s: image %s has no local command: add it to kiln's image mapping", pv.VariantName, image)
		}
		w := 1.0
		if pv.InitialVariantWeight != nil {
			w = *pv.InitialVariantWeight
		}
		plans = append(plans, plan{pv.VariantName, image, data, s.modelRole(pv.ModelName), env, w, cmd})
	}
	s.mu.Unlock()
	for _, p := range plans {
		v, err := s.startVariant(WithRole(ctx, p.role), endpoint, config, p.variant, p.modelData, p.env, p.cmd)
		if err != nil {
			f.stop()
			return nil, fmt.Errorf("variant %s: %w", p.variant, err)
		}
		v.weight = p.weight
		f.total += p.weight
		f.variants = append(f.variants, v)
	}
	return f, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Service) startVariant(ctx context.Context, endpoint, config, variant, modelData string, env map[string]string, spec Command) (*variantProc, error) {
	dir := filepath.Join(s.cfg.Root, "endpoints", endpoint, config, variant)
	modelDir := filepath.Join(dir, "model")
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("clean variant directory: %w", err)
	}
	if err := os.MkdirAll(modelDir, 0o700); err != nil {
		return nil, fmt.Errorf("create variant directory: %w", err)
	}
	if modelData != "" {
		bucket, key, err := parseS3URI(modelData)
		if err != nil {
			return nil, err
		}
		body, err := s.cfg.Blobs.Get(ctx, bucket, key)
		if err != nil {
			return nil, fmt.Errorf("get model data %s: %w", modelData, err)
		}
		if err := unpack(body, modelDir); err != nil {
			return nil, fmt.Errorf("extract model data %s: %w", modelData, err)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	ps := strconv.Itoa(port)
	args := make([]string, len(spec.Args))
	for i, a := range spec.Args {
		args[i] = expand(a, dir, modelDir, ps)
	}
	args = withRole(spec, args, roleServe)
	cmd := exec.Command(expand(spec.Path, dir, modelDir, ps), args...)
	cmd.Dir = dir
	if spec.Dir != "" {
		cmd.Dir = expand(spec.Dir, dir, modelDir, ps)
	}
	cmd.SysProcAttr = childAttr()
	command := make([]string, len(spec.Env))
	for i, e := range spec.Env {
		command[i] = expand(e, dir, modelDir, ps)
	}
	cmdEnv, dropped := composeEnv(os.Environ(), env, command, []string{"SAGEMAKER_BIND_TO_PORT=" + ps, "PORT=" + ps,
		"SM_MODEL_DIR=" + modelDir, "SAGEMAKER_ENDPOINT_NAME=" + endpoint, "SAGEMAKER_VARIANT_NAME=" + variant})
	if len(dropped) > 0 {
		s.log.Warn("model environment variables not passed to the serving process", "endpoint", endpoint, "variant", variant, "variables", dropped)
	}
	cmd.Env = cmdEnv
	logf, err := os.OpenFile(filepath.Join(dir, "serving.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open serving log: %w", err)
	}
	cmd.Stdout = logf
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", spec.Path, err)
	}
	v := &variantProc{name: variant, url: "http://127.0.0.1:" + ps + "/invocations", dir: dir, cmd: cmd, exited: make(chan struct{}), logf: logf}
	trackChild(s.cfg.Root, s.log, cmd.Process.Pid, spec.Path)
	go func() {
		_ = cmd.Wait()
		untrackChild(s.cfg.Root, cmd.Process.Pid)
		logf.Close()
		close(v.exited)
	}()
	if err := s.waitPing(ctx, v, "http://127.0.0.1:"+ps+"/ping"); err != nil {
		v.stop()
		return nil, err
	}
	return v, nil
}

// waitPing polls GET /ping until it answers 200, the process exits, or PingTimeout passes
// (real time: it waits for a real process).
func (s *Service) waitPing(ctx context.Context, v *variantProc, url string) error {
	deadline := time.Now().Add(s.cfg.PingTimeout)
	delay := 20 * time.Millisecond
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := s.client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-v.exited:
			return fmt.Errorf("the serving process exited before answering /ping: %s", logTail(filepath.Join(v.dir, "serving.log")))
		case <-ctx.Done():
			return fmt.Errorf("wait for /ping: %w", ctx.Err())
		case <-time.After(delay):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the serving process did not answer GET /ping with 200 within %s", s.cfg.PingTimeout)
		}
		delay = min(delay*2, 250*time.Millisecond)
	}
}

func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	t := strings.TrimSpace(string(b))
	if len(t) > 300 {
		t = "..." + t[len(t)-300:]
	}
	if t == "" {
		return "(empty log)"
	}
	return t
}
