package iam

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

//go:embed sidecar.js
var sidecarJS string

// SimulatorPackage is the npm package the sidecar evaluates with; kiln's package.json pins it.
const SimulatorPackage = "@cloud-copilot/iam-simulate"

// ErrNoSimulator means no node or no installed SimulatorPackage was found, so no IAM
// evaluation can run.
var ErrNoSimulator = errors.New("no IAM simulator: needs node and " + SimulatorPackage + " (npm ci in the kiln checkout)")

// FindModules returns the first folder, among dirs and each of their parents, whose
// node_modules holds SimulatorPackage; ErrNoSimulator when none does.
func FindModules(dirs ...string) (string, error) {
	for _, d := range dirs {
		if d == "" {
			continue
		}
		d, err := filepath.Abs(d)
		if err != nil {
			continue
		}
		for {
			if _, err := os.Stat(filepath.Join(d, "node_modules", SimulatorPackage, "package.json")); err == nil {
				return d, nil
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	return "", ErrNoSimulator
}

// Sidecar is a running Node process evaluating requests with SimulatorPackage. Its methods
// are safe for concurrent use; requests are answered in the order they were written.
type Sidecar struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	mu   sync.Mutex // guards writes, next and pending
	next int64
	wait map[int64]chan sidecarAnswer
	done chan struct{}
	err  error // why the process ended; read after done is closed
}

type sidecarAnswer struct {
	ID     int64   `json:"id"`
	Result string  `json:"result"`
	Grants []Grant `json:"grants"`
	Error  string  `json:"error"`
}

// StartSidecar starts node on the embedded sidecar script with root's node_modules (see
// FindModules). It returns ErrNoSimulator when node is not on PATH. Close stops it.
func StartSidecar(root string) (*Sidecar, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("start IAM sidecar: %w (%w)", ErrNoSimulator, err)
	}
	cmd := exec.Command(node, "-e", sidecarJS)
	cmd.Env = append(os.Environ(), "KILN_IAM_ROOT="+root)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start IAM sidecar: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start IAM sidecar: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start IAM sidecar: %w", err)
	}
	s := &Sidecar{cmd: cmd, in: in, wait: map[int64]chan sidecarAnswer{}, done: make(chan struct{})}
	go s.read(out)
	return s, nil
}

// read delivers each answer line to its waiter until the process's output ends.
func (s *Sidecar) read(out io.Reader) {
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var a sidecarAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			continue
		}
		s.mu.Lock()
		ch := s.wait[a.ID]
		delete(s.wait, a.ID)
		s.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	}
	err := s.cmd.Wait()
	if err == nil {
		err = errors.New("the IAM sidecar exited")
	}
	s.err = fmt.Errorf("IAM sidecar: %w", err)
	close(s.done)
}

// send writes one message line.
func (s *Sidecar) send(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode IAM sidecar message: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.in.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write to IAM sidecar: %w", err)
	}
	return nil
}

// DefinePrincipal sets the identity policies of the principal arn (a role ARN).
func (s *Sidecar) DefinePrincipal(arn string, policies []NamedPolicy) error {
	return s.send(map[string]any{"op": "principal", "arn": arn, "policies": policies})
}

// DefineResource sets the resource policy of the resource arn (a topic, a bucket).
func (s *Sidecar) DefineResource(arn string, policy json.RawMessage) error {
	return s.send(map[string]any{"op": "resource", "arn": arn, "policy": policy})
}

// Evaluate asks the simulator for the decision on q, uncached.
func (s *Sidecar) Evaluate(ctx context.Context, q Query) (Decision, error) {
	ch := make(chan sidecarAnswer, 1)
	s.mu.Lock()
	s.next++
	id := s.next
	s.wait[id] = ch
	s.mu.Unlock()
	err := s.send(map[string]any{"op": "eval", "id": id, "principal": q.Principal.SessionARN(), "identity": q.Principal.RoleARN,
		"action": q.Action, "resource": q.Resource, "resourcePolicy": q.ResourcePolicy, "account": q.Principal.Account,
		"context": q.Context})
	if err != nil {
		return Decision{}, err
	}
	select {
	case a := <-ch:
		if a.Error != "" {
			return Decision{}, fmt.Errorf("evaluate %s on %s: %s", q.Action, q.Resource, a.Error)
		}
		return Decision{Result: a.Result, Grants: a.Grants}, nil
	case <-s.done:
		return Decision{}, s.err
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.wait, id)
		s.mu.Unlock()
		return Decision{}, ctx.Err()
	}
}

// Close ends the sidecar (its input closes, it exits) and waits for it.
func (s *Sidecar) Close() error {
	_ = s.in.Close()
	<-s.done
	return nil
}
