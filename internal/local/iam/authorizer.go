package iam

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// Mode is how the local stack treats IAM: off (no evaluation), warn (evaluate, log denials,
// allow) or enforce (deny as AWS would).
type Mode string

// The modes of --iam.
const (
	ModeOff     Mode = "off"
	ModeWarn    Mode = "warn"
	ModeEnforce Mode = "enforce"
)

// ParseMode returns the mode named s; anything but off, warn and enforce is an error.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case ModeOff, ModeWarn, ModeEnforce:
		return m, nil
	}
	return "", fmt.Errorf("--iam %q: want off, warn or enforce", s)
}

// Evaluator decides one query; *Sidecar is the real one.
type Evaluator interface {
	Evaluate(ctx context.Context, q Query) (Decision, error)
}

var _ Evaluator = (*Sidecar)(nil)

// Authorizer checks calls against the template's policies, caching each decision per
// (principal, action, resource, context) and recording what the report needs. Safe for
// concurrent use.
type Authorizer struct {
	mode     Mode
	eval     Evaluator
	policies *Policies
	account  string
	log      *slog.Logger

	closer func() error

	mu     sync.Mutex
	cache  map[string]Decision
	report *recorder
}

// NewAuthorizer returns an authorizer in mode over policies, asking eval. A nil log discards.
func NewAuthorizer(mode Mode, eval Evaluator, policies *Policies, account string, log *slog.Logger) *Authorizer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Authorizer{mode: mode, eval: eval, policies: policies, account: account, log: log,
		cache: map[string]Decision{}, report: newRecorder(policies)}
}

// Mode returns the authorizer's mode.
func (a *Authorizer) Mode() Mode { return a.mode }

// Policies returns the policies the authorizer enforces.
func (a *Authorizer) Policies() *Policies { return a.policies }

// RolePrincipal returns the principal of a session of the role roleARN, or the account root
// when roleARN is empty.
func (a *Authorizer) RolePrincipal(roleARN, session string) Principal {
	return Principal{RoleARN: roleARN, Session: session, Account: a.account}
}

// Authorize checks every call for p, in order, and returns the first denial as an
// *AccessDeniedError (in warn mode it is logged and nil returned). The account root and
// mode off allow everything.
func (a *Authorizer) Authorize(ctx context.Context, p Principal, calls ...Call) error {
	if a == nil || a.mode == ModeOff || p.Root() {
		return nil
	}
	for _, c := range a.withImplicit(calls) {
		if err := a.authorizeOne(ctx, p, c); err != nil {
			if a.mode == ModeWarn {
				a.log.Warn("IAM would deny", "principal", p.SessionARN(), "action", c.Action, "resource", c.Resource, "err", err)
				continue
			}
			return err
		}
	}
	return nil
}

// withImplicit returns calls, each followed by the calls its service makes with the caller's
// permissions on its behalf (the implicit KMS calls of an encrypted bucket's objects).
func (a *Authorizer) withImplicit(calls []Call) []Call {
	var out []Call
	for i, c := range calls {
		more := a.policies.implicitKMS(c)
		if len(more) > 0 && out == nil {
			out = append(make([]Call, 0, len(calls)+len(more)), calls[:i]...)
		}
		if out != nil {
			out = append(append(out, c), more...)
		}
	}
	if out == nil {
		return calls
	}
	return out
}

func (a *Authorizer) authorizeOne(ctx context.Context, p Principal, c Call) error {
	q := Query{Principal: p, Call: c, ResourcePolicy: a.resourcePolicyOf(c.Resource)}
	k := q.key()
	a.mu.Lock()
	d, ok := a.cache[k]
	a.mu.Unlock()
	if !ok {
		var err error
		if d, err = a.eval.Evaluate(ctx, q); err != nil {
			a.report.add(q, Decision{Result: "Error"})
			return &AccessDeniedError{Principal: p.SessionARN(), Action: c.Action, Resource: c.Resource, Reason: err.Error()}
		}
		a.mu.Lock()
		a.cache[k] = d
		a.mu.Unlock()
	}
	a.report.add(q, d)
	if d.Allowed() {
		return nil
	}
	return &AccessDeniedError{Principal: p.SessionARN(), Action: c.Action, Resource: c.Resource, Explicit: d.Result == "ExplicitlyDenied"}
}

// resourcePolicyOf returns the key of the resource policy that governs arn, or "".
func (a *Authorizer) resourcePolicyOf(arn string) string {
	if a.policies == nil {
		return ""
	}
	if _, ok := a.policies.Resources[arn]; ok {
		return arn
	}
	if rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok {
		bucket, _, _ := strings.Cut(rest, "/")
		if _, ok := a.policies.Resources["arn:aws:s3:::"+bucket]; ok {
			return "arn:aws:s3:::" + bucket
		}
	}
	return ""
}

// Define loads the policies into a sidecar: each role's identity policies and each resource
// policy.
func (p *Policies) Define(s *Sidecar) error {
	for arn, r := range p.Roles {
		if err := s.DefinePrincipal(arn, r.Policies); err != nil {
			return err
		}
	}
	for arn, rp := range p.Resources {
		if err := s.DefineResource(arn, rp.Policy); err != nil {
			return err
		}
	}
	return nil
}

// AccessDeniedError is a denied call, worded as AWS words it.
type AccessDeniedError struct {
	Principal, Action, Resource string
	// Explicit is true when a Deny statement matched.
	Explicit bool
	// Reason, when set, says why no decision could be had.
	Reason string
}

// Error returns AWS's sentence: "User: P is not authorized to perform: A on resource: R
// because no identity-based policy allows the A action".
func (e *AccessDeniedError) Error() string {
	why := "because no identity-based policy allows the " + e.Action + " action"
	switch {
	case e.Reason != "":
		why = "because the request could not be evaluated: " + e.Reason
	case e.Explicit:
		why = "with an explicit deny in a policy"
	}
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", e.Principal, e.Action, e.Resource, why)
}

// ErrorCode returns "AccessDeniedException", the code AWS's JSON services answer with.
func (e *AccessDeniedError) ErrorCode() string { return "AccessDeniedException" }
