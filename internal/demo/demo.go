// Package demo is kiln's end-to-end scenario, the one `make run` plays: it starts the local
// stack in-process and tells the whole story through the real entry points, printing each
// step as it happens, and checks every outcome, so it is kiln's end-to-end test as well.
//
//  1. A signed GitHub push reaches the webhook function; the governor starts the pipeline;
//     the sample model trains, is evaluated, registered, approved as a person would approve
//     it, and deployed; the endpoint serves predictions.
//  2. The same push delivered again starts nothing, and the governor says why.
//  3. Traffic whose feature distribution has shifted reaches the endpoint; the drift job finds
//     it, the drift alarm fires, the governor starts a retraining on the newer data, and the
//     new model replaces the old one through a canary while traffic flows.
//  4. The endpoint's latency alarm fires inside the new release's watch after the bake: the
//     watch rolls the stage back to the first release, announced on the kiln bus.
//  5. A person rolls back to the second release (kiln rollback --to 2); the history (kiln
//     history) says what served when, and who rolled back and why.
//  6. A person runs the drift check on demand (kiln drift run); kiln status shows its result.
//  7. A change freeze stops a release waiting for approval; afterwards kiln redrive continues
//     it from RequestApproval without training again (see redrive.go).
//  8. A summary: executions, model versions, the endpoint's deployment history.
//
// Run is not safe for concurrent use on one state directory.
package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/local/iam"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// Options configure [Run].
type Options struct {
	// Dir is the state directory; it is emptied first (its bin/ cache is kept). Default ".kiln".
	Dir string
	// Root is kiln's module root, where the sample's programs are built from when the policy
	// does not map the sample's images itself; default: found from the working directory
	// (none is needed when the policy maps them).
	Root string
	// PolicyFile is the user's policy (it must hold the sample model, "abalone"); default
	// kiln's embedded policy. Either way production's waits are shortened (see [Policy]).
	PolicyFile string
	// Addr is the stack's listen address; default 127.0.0.1:0 (a free port).
	Addr string
	// Out receives the story; default os.Stdout.
	Out io.Writer
	// Log receives the stack's own logs; default discards them.
	Log *slog.Logger
	// Timeout bounds the whole demo; default 4 minutes.
	Timeout time.Duration
	// IAM is --iam (default enforce) and Template --template (default: the stage's template
	// synthesized from the checkout); see iam.go.
	IAM      iam.Mode
	Template string
	// Runtime runs the sample's images: "command" (default: local programs), "docker" (the
	// images in containers) or "auto" (containers when the programs cannot be had).
	Runtime string
}

// Stage is the stage the demo releases to: production, with a manual approval and a canary.
const Stage = "prod"

// Model is the sample model the demo trains.
const Model = "abalone"

// InitialRows is how many rows of the abalone data exist when the story begins; the rest
// arrives later as "newer data".
const InitialRows = 3000

// demo carries one run's state.
type demo struct {
	o    Options
	p    *printer
	pol  *policy.Policy
	env  topology.Env
	st   *stack.Stack
	data dataset
	// clock is the stack's time: the wall clock (training and serving are real processes),
	// skipped ahead when the story needs the drift job's window to have closed over the
	// traffic just sent.
	clock clock.Shifted

	iam *iam.Authorizer

	decisions chan governor.Decision
	watches   chan approval.Result
	announced chan approval.Result
	timings   []timing

	mu        sync.Mutex
	execStart map[string]time.Time
	entered   map[string]map[string]bool
}

type timing struct {
	title string
	took  time.Duration
}

// Run plays the story and returns nil only when every step happened as described.
func Run(ctx context.Context, o Options) error {
	if o.Dir == "" {
		o.Dir = ".kiln"
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout == 0 {
		o.Timeout = 4 * time.Minute
	}
	if o.Root == "" {
		if root, err := stack.ModuleRoot("."); err == nil {
			o.Root = root
		}
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	d := &demo{
		o: o, p: newPrinter(o.Out), env: topology.Local(Stage),
		decisions: make(chan governor.Decision, 16), watches: make(chan approval.Result, 4),
		announced: make(chan approval.Result, 8),
		execStart: map[string]time.Time{}, entered: map[string]map[string]bool{},
	}
	base := policy.Default()
	var err error
	if o.PolicyFile != "" {
		if base, err = policy.LoadFile(o.PolicyFile); err != nil {
			return err
		}
	}
	pol, err := shorten(base)
	if err != nil {
		return err
	}
	d.pol = pol
	d.p.line("kiln demo: the whole loop on this machine, no AWS account (state in %s/)", o.Dir)
	if err := d.openIAM(parent); err != nil { // outside the timeout: a first synthesis takes a while
		return err
	}

	steps := []struct {
		title string
		run   func(context.Context) error
	}{
		{"prepare: build the sample model, seed the training data, start the local stack", d.prepare},
		{"a signed push trains, evaluates, registers, is approved and deployed", d.push},
		{"the same push delivered again starts nothing", d.redeliver},
		{"drift on the live endpoint retrains and a canary replaces the model", d.drift},
		{"a latency alarm inside the watch after the bake rolls the stage back", d.watch},
		{"a person rolls back to a named release; the history says who and why", d.operate},
		{"a person runs the drift check now; kiln status shows its result", d.driftOnDemand},
		{"a release stopped by a change freeze is redriven from its approval", d.redriveRelease},
		{"summary", d.summary},
	}
	defer d.close()
	for i, s := range steps {
		d.p.line("")
		d.p.line("▶ %d/%d %s", i+1, len(steps), s.title)
		t0 := time.Now()
		if err := s.run(ctx); err != nil {
			d.p.line("✗ step %d failed after %.1fs: %v", i+1, time.Since(t0).Seconds(), err)
			return fmt.Errorf("step %d (%s): %w", i+1, s.title, err)
		}
		took := time.Since(t0)
		d.timings = append(d.timings, timing{s.title, took})
		d.p.line("✓ step %d done in %.1fs", i+1, took.Seconds())
	}
	d.p.line("")
	d.p.line("the loop closed in %.1fs:", d.p.elapsed().Seconds())
	for i, t := range d.timings {
		d.p.line("  %d. %-78s %6.1fs", i+1, t.title, t.took.Seconds())
	}
	return nil
}

// Policy returns the demo's release policy: kiln's default policy with production's canary
// shifting, baking and polling in seconds instead of minutes, so the story fits in a minute.
func Policy() (*policy.Policy, error) { return shorten(policy.Default()) }

// shorten returns p with production's waits in seconds; p must hold the sample model.
func shorten(p *policy.Policy) (*policy.Policy, error) {
	if _, ok := p.Model(Model); !ok {
		return nil, fmt.Errorf("demo policy: the demo tells the sample's story and needs its model %q", Model)
	}
	if _, ok := p.Stages[Stage]; !ok {
		return nil, fmt.Errorf("demo policy: the demo releases to stage %q, which the policy lacks", Stage)
	}
	prod := p.Stages[Stage]
	prod.Deployment.WaitSeconds = 2
	prod.Deployment.BakeSeconds = 2
	prod.Deployment.PollSeconds = 1
	p.Stages[Stage] = prod
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("demo policy: %w", err)
	}
	return p, nil
}

// model returns the sample model as the demo's policy has it.
func (d *demo) model() policy.Model {
	m, _ := d.pol.Model(Model)
	return m
}

func (d *demo) close() {
	if d.st != nil {
		if err := d.st.Close(); err != nil {
			d.p.line("closing the stack: %v", err)
		}
		d.st = nil
	}
	d.closeIAM()
}

// dataset is the abalone data, header and rows, as the examples ship it.
type dataset struct {
	header []string
	rows   [][]string
}

func loadDataset(csvData []byte) (dataset, error) {
	recs, err := csv.NewReader(bytes.NewReader(csvData)).ReadAll()
	if err != nil {
		return dataset{}, fmt.Errorf("read the abalone data: %w", err)
	}
	if len(recs) < InitialRows+100 {
		return dataset{}, fmt.Errorf("read the abalone data: %d rows, want more than %d", len(recs)-1, InitialRows+100)
	}
	return dataset{header: recs[0], rows: recs[1:]}, nil
}

// csvText renders rows (with the header when header is true) as CSV text.
func csvText(header []string, rows [][]string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	if header != nil {
		_ = w.Write(header)
	}
	_ = w.WriteAll(rows)
	return b.String()
}

// features returns a row without its last column (Rings), as a serving request carries it.
func features(row []string) []string { return row[:len(row)-1] }

// writeData lands a CSV file under the model's data prefix by writing it into the local S3's
// folder directly, as an export job that ran before kiln watched the bucket would have left it:
// no "Object Created" event, so no new-data trigger races the story being told.
func (d *demo) writeData(name string, rows [][]string) (string, error) {
	m, _ := d.pol.Model(Model)
	key := m.DataPrefix + name
	path := filepath.Join(d.o.Dir, "s3", topology.ArtifactsBucket(d.env), filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("seed %s: %w", key, err)
	}
	if err := os.WriteFile(path, []byte(csvText(d.data.header, rows)), 0o600); err != nil {
		return "", fmt.Errorf("seed %s: %w", key, err)
	}
	return fmt.Sprintf("s3://%s/%s", topology.ArtifactsBucket(d.env), key), nil
}

// resetDir empties the state directory but keeps its bin/ (the built sample programs) and
// its lock file (held by the caller).
func resetDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return fmt.Errorf("reset %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.Name() == "bin" || e.Name() == stack.LockFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("reset %s: %w", dir, err)
		}
	}
	return nil
}

// decodeJSON decodes b into v, naming what it decodes on failure.
func decodeJSON(what string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}
