package stepfunctions

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/asl"
)

// bucketMachines keeps the state machines users created through the API: name -> StateMachine JSON.
var bucketMachines = []byte("sfn.machines")

// The state machine types of CreateStateMachine.
const (
	TypeStandard = "STANDARD"
	TypeExpress  = "EXPRESS"
)

// StateMachine is one registered state machine. The topology's machines (and those a Go caller
// registers with [Service.CreateStateMachine]) are built in: rebuilt by every Open, read-only
// over the API. Machines created through the API are persisted with their versions and aliases.
type StateMachine struct {
	ARN         string          `json:"arn"`
	Name        string          `json:"name"`
	Definition  []byte          `json:"definition"`
	RoleARN     string          `json:"roleArn"`
	Type        string          `json:"type"`
	Description string          `json:"description,omitempty"`
	RevisionID  string          `json:"revisionId,omitempty"`
	Logging     json.RawMessage `json:"loggingConfiguration,omitempty"`
	Tracing     json.RawMessage `json:"tracingConfiguration,omitempty"`
	Created     time.Time       `json:"created"`
	Updated     time.Time       `json:"updated,omitzero"`
	// User is true for a machine created through the API (persisted, mutable).
	User bool `json:"user"`
	// Versions are the published versions, oldest first; NextVersion numbers the next one.
	Versions    []*Version `json:"versions,omitempty"`
	NextVersion int        `json:"nextVersion,omitempty"`
	// Aliases route executions to versions, by name.
	Aliases map[string]*Alias `json:"aliases,omitempty"`

	machine *asl.Machine
}

// Version is one published, immutable version of a state machine.
type Version struct {
	Number      int       `json:"number"`
	Definition  []byte    `json:"definition"`
	RoleARN     string    `json:"roleArn"`
	Description string    `json:"description,omitempty"`
	RevisionID  string    `json:"revisionId"`
	Created     time.Time `json:"created"`

	machine *asl.Machine
}

// Alias routes the executions started on it to one or two versions by weight.
type Alias struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Routing     []Route   `json:"routing"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated,omitzero"`
}

// Route is one entry of an alias's routing configuration.
type Route struct {
	VersionARN string `json:"stateMachineVersionArn"`
	Weight     int    `json:"weight"`
}

// VersionARN returns the qualified ARN of version n of the machine.
func (m *StateMachine) VersionARN(n int) string { return fmt.Sprintf("%s:%d", m.ARN, n) }

// version returns version n, or nil.
func (m *StateMachine) version(n int) *Version {
	for _, v := range m.Versions {
		if v.Number == n {
			return v
		}
	}
	return nil
}

// machineARN returns the ARN of the machine name in the service's account and region.
func (s *Service) machineARN(name string) string {
	env := s.opts.Env
	return fmt.Sprintf("arn:%s:states:%s:%s:stateMachine:%s", env.Partition, env.Region, env.Account, name)
}

// parseDefinition parses def as a state machine definition; an invalid one is InvalidDefinition
// listing every problem with its path, as Step Functions lists them.
func parseDefinition(def []byte, typ string) (*asl.Machine, error) {
	m, err := asl.Parse(def)
	if err != nil {
		return nil, apiErr("InvalidDefinition", "Invalid State Machine Definition: '%s'", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if typ == TypeExpress {
		if problems := expressProblems(def); len(problems) > 0 {
			return nil, apiErr("InvalidDefinition", "Invalid State Machine Definition: '%s'", strings.Join(problems, "; "))
		}
	}
	return m, nil
}

// MachineDefinition is a standard state machine as Step Functions' CreateStateMachine takes
// it: a name, an ASL definition (placeholders already substituted) and the role it runs as.
type MachineDefinition struct {
	Name       string
	Definition []byte
	RoleARN    string
}

// CreateStateMachine parses d's definition and registers it as a built-in machine (replacing
// any machine of that name; not persisted, read-only over the API); an invalid definition is
// an InvalidDefinition error listing every problem.
func (s *Service) CreateStateMachine(d MachineDefinition, created time.Time) (*StateMachine, error) {
	m, err := parseDefinition(d.Definition, TypeStandard)
	if err != nil {
		return nil, fmt.Errorf("state machine %s: %w", d.Name, err)
	}
	sm := &StateMachine{ARN: s.machineARN(d.Name), Name: d.Name, Definition: d.Definition, Type: TypeStandard, Created: created,
		machine: m, RoleARN: d.RoleARN}
	s.mu.Lock()
	s.machines[sm.ARN] = sm
	s.mu.Unlock()
	return sm, nil
}

// StateMachines returns the registered machines sorted by name.
func (s *Service) StateMachines() []*StateMachine {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*StateMachine, 0, len(s.machines))
	for _, m := range s.machines {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// machine returns the unqualified machine arn.
func (s *Service) machine(arn string) (*StateMachine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.machineLocked(arn)
}

// machineLocked is machine with s.mu held.
func (s *Service) machineLocked(arn string) (*StateMachine, error) {
	m, ok := s.machines[arn]
	if !ok {
		return nil, apiErr("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	return m, nil
}

// userMachineLocked returns the API-created machine arn (s.mu held): a built-in one is
// read-only and answers ValidationException.
func (s *Service) userMachineLocked(arn string) (*StateMachine, error) {
	m, err := s.machineLocked(arn)
	if err != nil {
		return nil, err
	}
	if !m.User {
		return nil, apiErr("ValidationException", "state machine %s is part of kiln's topology and read-only: change statemachines/%s.asl.json instead", m.Name, m.Name)
	}
	return m, nil
}

// persist writes the user machine m (s.mu held).
func (s *Service) persist(m *StateMachine) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("store state machine %s: %w", m.Name, err)
	}
	if err := s.opts.DB.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMachines).Put([]byte(m.Name), b) }); err != nil {
		return fmt.Errorf("store state machine %s: %w", m.Name, err)
	}
	return nil
}

// forget deletes the user machine name from the database (s.mu held).
func (s *Service) forget(name string) error {
	if err := s.opts.DB.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMachines).Delete([]byte(name)) }); err != nil {
		return fmt.Errorf("delete state machine %s: %w", name, err)
	}
	return nil
}

// loadMachines registers the user machines stored by earlier processes; a stored definition
// that no longer parses is logged and skipped, never fatal.
func (s *Service) loadMachines() error {
	var stored []*StateMachine
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMachines).ForEach(func(k, v []byte) error {
			m := &StateMachine{}
			if err := json.Unmarshal(v, m); err != nil {
				s.opts.Log.Error("load state machine", "name", string(k), "err", err)
				return nil
			}
			stored = append(stored, m)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("load state machines: %w", err)
	}
	for _, m := range stored {
		if err := m.compile(); err != nil {
			s.opts.Log.Error("load state machine", "name", m.Name, "err", err)
			continue
		}
		s.mu.Lock()
		s.machines[m.ARN] = m
		s.mu.Unlock()
	}
	return nil
}

// compile parses the machine's definition and those of its versions.
func (m *StateMachine) compile() error {
	var err error
	if m.machine, err = parseDefinition(m.Definition, m.Type); err != nil {
		return err
	}
	for _, v := range m.Versions {
		if v.machine, err = parseDefinition(v.Definition, m.Type); err != nil {
			return fmt.Errorf("version %d: %w", v.Number, err)
		}
	}
	return nil
}

// expressProblems lists the integration patterns an EXPRESS machine may not use (.sync and
// .waitForTaskToken), each with the state that uses it.
func expressProblems(def []byte) []string {
	var root any
	if json.Unmarshal(def, &root) != nil {
		return nil
	}
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch t := v.(type) {
		case map[string]any:
			if r, ok := t["Resource"].(string); ok && t["Type"] == "Task" {
				for _, suffix := range []string{".sync", ".sync:2", ".waitForTaskToken"} {
					if strings.HasSuffix(r, suffix) {
						out = append(out, fmt.Sprintf("%s: Express state machine does not support '%s' service integration", path, suffix))
						break
					}
				}
			}
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(path+"/"+k, t[k])
			}
		case []any:
			for i, e := range t {
				walk(fmt.Sprintf("%s/%d", path, i), e)
			}
		}
	}
	walk("", root)
	return out
}
