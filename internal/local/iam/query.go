package iam

import (
	"fmt"
	"sort"
	"strings"
)

// Principal is who makes a call: an IAM role's session (a Lambda, a state machine, SageMaker
// running a job), or, with an empty RoleARN, the account's root (the user's own credentials).
type Principal struct {
	// RoleARN is the role's ARN; empty for the account root and for a service.
	RoleARN string
	// Service is an AWS service principal (events.amazonaws.com) calling on its own behalf,
	// allowed only by resource policies.
	Service string
	// Session names the role session (the function, the execution, the job).
	Session string
	// Account is the account id.
	Account string
}

// Root reports whether p is the account root, which IAM does not restrict.
func (p Principal) Root() bool { return p.RoleARN == "" && p.Service == "" }

// SessionARN returns the principal as AWS names it in an AccessDenied message:
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, or arn:aws:iam::ACCOUNT:root.
func (p Principal) SessionARN() string {
	if p.Service != "" {
		return p.Service
	}
	if p.Root() {
		return fmt.Sprintf("arn:aws:iam::%s:root", p.Account)
	}
	name := p.RoleARN[strings.LastIndex(p.RoleARN, "/")+1:]
	session := p.Session
	if session == "" {
		session = "kiln"
	}
	return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", p.Account, name, session)
}

// Call is one authorization an AWS request needs: an action on a resource ARN ("*" for
// actions without a resource type), with the request's condition keys.
type Call struct {
	Action   string
	Resource string
	Context  map[string]string
	// noKMS marks an object call that does not touch the object's data key (HeadObject), so
	// it needs no implicit KMS call (see Policies.implicitKMS).
	noKMS bool
}

// Query is one question for the evaluator.
type Query struct {
	Principal Principal
	Call
	// ResourcePolicy is the ARN under which the resource's policy was defined, or "".
	ResourcePolicy string
}

// key identifies a query for the decision cache: principal, action, resource, context.
func (q Query) key() string {
	var b strings.Builder
	b.WriteString(q.Principal.RoleARN)
	b.WriteString(q.Principal.Service)
	b.WriteByte(0)
	b.WriteString(q.Action)
	b.WriteByte(0)
	b.WriteString(q.Resource)
	keys := make([]string, 0, len(q.Context))
	for k := range q.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(q.Context[k])
	}
	return b.String()
}

// Decision is the evaluator's answer: "Allowed", "ExplicitlyDenied" or "ImplicitlyDenied",
// and the statements that allowed it.
type Decision struct {
	Result string
	Grants []Grant
}

// Allowed reports whether the decision allows the request.
func (d Decision) Allowed() bool { return d.Result == "Allowed" }

// Grant is one statement that allowed a request: the kind of policy ("identity" or
// "resource"), the policy's name, the statement's Sid and the action patterns that matched.
type Grant struct {
	Kind    string   `json:"kind"`
	Policy  string   `json:"policy"`
	Sid     string   `json:"sid"`
	Actions []string `json:"actions"`
}
