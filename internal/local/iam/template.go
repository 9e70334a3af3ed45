package iam

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/kiln-dev/kiln/internal/topology"
)

// Template is the part of a CloudFormation template IAM needs: its resources.
type Template struct {
	Resources map[string]Resource `json:"Resources"`
}

// Resource is one template resource.
type Resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// NamedPolicy is one policy document with the name the report uses for it.
type NamedPolicy struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
}

// Role is an IAM role of the template with its identity policies.
type Role struct {
	Name     string
	ARN      string
	Policies []NamedPolicy
}

// Policies are the template's roles and resource policies, resolved to the local stack's
// names and ARNs, and which role each function, state machine and schedule runs under.
type Policies struct {
	// Roles by role ARN.
	Roles map[string]*Role
	// Resources holds the resource policies (bucket, topic) by the resource's ARN.
	Resources map[string]NamedPolicy
	// Functions, StateMachines and Schedules map a function name, a state machine ARN and a
	// schedule name to the ARN of the role it runs under.
	Functions, StateMachines, Schedules map[string]string
	// ScheduleTargets maps the ARN a schedule targets to the schedule's role.
	ScheduleTargets map[string]string
	// BucketKeys holds, by bucket name, the buckets the template encrypts by default with a
	// customer managed KMS key: reading and writing their objects needs the key too.
	BucketKeys map[string]BucketKey
}

// LoadTemplate reads a template `make synth` wrote (cdk.out/kiln-<stage>.template.json).
func LoadTemplate(path string) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load template: %w", err)
	}
	t, err := ParseTemplate(b)
	if err != nil {
		return nil, fmt.Errorf("load template %s: %w", path, err)
	}
	return t, nil
}

// ParseTemplate decodes a CloudFormation template; one without resources is an error.
func ParseTemplate(b []byte) (*Template, error) {
	var t Template
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if len(t.Resources) == 0 {
		return nil, errors.New("parse template: no Resources")
	}
	return &t, nil
}

// Policies extracts the roles, their policies (AWS::IAM::Policy, ManagedPolicy and the
// roles' inline Policies), the resource policies (AWS::S3::BucketPolicy,
// AWS::SNS::TopicPolicy, a KMS key's KeyPolicy) and the buckets' default KMS keys, resolving every intrinsic for env. Statements without a Sid get
// one ("Stmt<i>") so the report can name each grant.
func (t *Template) Policies(env topology.Env) (*Policies, error) {
	r := resolver{env: env, resources: t.Resources}
	p := &Policies{Roles: map[string]*Role{}, Resources: map[string]NamedPolicy{},
		Functions: map[string]string{}, StateMachines: map[string]string{}, Schedules: map[string]string{},
		ScheduleTargets: map[string]string{}, BucketKeys: map[string]BucketKey{}}
	byID := map[string]*Role{}
	for _, id := range sortedIDs(t.Resources, "AWS::IAM::Role") {
		if err := p.addRole(r, id, byID); err != nil {
			return nil, err
		}
	}
	for _, id := range sortedIDs(t.Resources, "") {
		if err := p.addResource(r, id, t.Resources[id], byID); err != nil {
			return nil, fmt.Errorf("template resource %s: %w", id, err)
		}
	}
	return p, nil
}

func sortedIDs(rs map[string]Resource, typ string) []string {
	var ids []string
	for id, res := range rs {
		if typ == "" || res.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

func (p *Policies) addRole(r resolver, id string, byID map[string]*Role) error {
	name, err := r.ref(id)
	if err != nil {
		return err
	}
	arn, err := r.getAtt([]any{id, "Arn"})
	if err != nil {
		return err
	}
	role := &Role{Name: fmt.Sprint(name), ARN: fmt.Sprint(arn)}
	inline, _ := r.resources[id].Properties["Policies"].([]any)
	for _, pol := range inline {
		m, _ := pol.(map[string]any)
		doc, err := document(r, m["PolicyDocument"])
		if err != nil {
			return fmt.Errorf("role %s: %w", id, err)
		}
		role.Policies = append(role.Policies, NamedPolicy{Name: fmt.Sprint(m["PolicyName"]), Policy: doc})
	}
	p.Roles[role.ARN] = role
	byID[id] = role
	return nil
}

// addResource adds what one resource contributes: a policy attached to roles, a resource
// policy, or the role a function, state machine or schedule runs under.
func (p *Policies) addResource(r resolver, id string, res Resource, byID map[string]*Role) error {
	props := res.Properties
	switch res.Type {
	case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
		doc, err := document(r, props["PolicyDocument"])
		if err != nil {
			return err
		}
		name := id
		if n, ok := props["PolicyName"].(string); ok {
			name = n
		}
		roles, _ := props["Roles"].([]any)
		for _, ref := range roles {
			m, _ := ref.(map[string]any)
			rid, _ := m["Ref"].(string)
			if role := byID[rid]; role != nil {
				role.Policies = append(role.Policies, NamedPolicy{Name: name, Policy: doc})
			}
		}
	case "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy":
		return p.addResourcePolicy(r, id, res)
	case "AWS::S3::Bucket":
		return p.addBucketKey(r, id, props)
	case "AWS::KMS::Key":
		return p.addKeyPolicy(r, id, props)
	case "AWS::Lambda::Permission":
		return p.addPermission(r, id, props)
	case "AWS::Lambda::Function":
		return p.runsAs(r, p.Functions, props["FunctionName"], props["Role"])
	case "AWS::StepFunctions::StateMachine":
		arn, err := r.getAtt([]any{id, "Arn"})
		if err != nil {
			return err
		}
		return p.runsAs(r, p.StateMachines, arn, props["RoleArn"])
	case "AWS::Scheduler::Schedule":
		target, _ := props["Target"].(map[string]any)
		if err := p.runsAs(r, p.ScheduleTargets, target["Arn"], target["RoleArn"]); err != nil {
			return err
		}
		return p.runsAs(r, p.Schedules, props["Name"], target["RoleArn"])
	}
	return nil
}

func (p *Policies) runsAs(r resolver, into map[string]string, name, role any) error {
	n, err := r.resolve(name)
	if err != nil {
		return err
	}
	ra, err := r.resolve(role)
	if err != nil {
		return err
	}
	if n != nil && ra != nil {
		into[fmt.Sprint(n)] = fmt.Sprint(ra)
	}
	return nil
}

func (p *Policies) addResourcePolicy(r resolver, id string, res Resource) error {
	doc, err := document(r, res.Properties["PolicyDocument"])
	if err != nil {
		return err
	}
	var targets []any
	if res.Type == "AWS::S3::BucketPolicy" {
		b, err := r.resolve(res.Properties["Bucket"])
		if err != nil {
			return err
		}
		targets = []any{"arn:aws:s3:::" + fmt.Sprint(b)}
	} else {
		v, err := r.resolve(res.Properties["Topics"])
		if err != nil {
			return err
		}
		targets, _ = v.([]any)
	}
	for _, tg := range targets {
		p.Resources[fmt.Sprint(tg)] = NamedPolicy{Name: id, Policy: doc}
	}
	return nil
}

// addPermission adds a Lambda permission to its function's resource policy, as Lambda keeps
// AddPermission's grants: one statement each, the source ARN and account as conditions.
func (p *Policies) addPermission(r resolver, id string, props map[string]any) error {
	v, err := r.resolve(map[string]any{"f": props["FunctionName"], "a": props["Action"], "p": props["Principal"],
		"arn": props["SourceArn"], "acct": props["SourceAccount"]})
	if err != nil {
		return err
	}
	m := v.(map[string]any)
	fn, _ := m["f"].(string)
	if !strings.HasPrefix(fn, "arn:") {
		fn = fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", r.env.Partition, r.env.Region, r.env.Account, fn)
	}
	stmt := map[string]any{"Sid": id, "Effect": "Allow", "Action": m["a"], "Resource": fn}
	if pr, _ := m["p"].(string); strings.HasSuffix(pr, ".amazonaws.com") {
		stmt["Principal"] = map[string]any{"Service": pr}
	} else {
		stmt["Principal"] = map[string]any{"AWS": pr}
	}
	cond := map[string]any{}
	if src, ok := m["arn"].(string); ok {
		cond["ArnLike"] = map[string]any{"AWS:SourceArn": src}
	}
	if acct, ok := m["acct"].(string); ok {
		cond["StringEquals"] = map[string]any{"AWS:SourceAccount": acct}
	}
	if len(cond) > 0 {
		stmt["Condition"] = cond
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{}}
	if old, ok := p.Resources[fn]; ok {
		_ = json.Unmarshal(old.Policy, &doc)
	}
	doc["Statement"] = append(doc["Statement"].([]any), stmt)
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	p.Resources[fn] = NamedPolicy{Name: "lambda-permissions", Policy: b}
	return nil
}

// document resolves a policy document and names its statements.
func document(r resolver, v any) (json.RawMessage, error) {
	rv, err := r.resolve(v)
	if err != nil {
		return nil, err
	}
	m, ok := rv.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("policy document %v is not an object", v)
	}
	stmts, ok := m["Statement"].([]any)
	if !ok {
		stmts = []any{m["Statement"]}
		m["Statement"] = stmts
	}
	for i, s := range stmts {
		if sm, ok := s.(map[string]any); ok {
			if sid, _ := sm["Sid"].(string); strings.TrimSpace(sid) == "" {
				sm["Sid"] = fmt.Sprintf("Stmt%d", i)
			}
		}
	}
	return json.Marshal(m)
}
