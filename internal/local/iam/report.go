package iam

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Report is the least-privilege evidence: every (principal, action, resource) used, with its
// decision and how often, and every grant (role, policy statement, action pattern) that no
// request used.
type Report struct {
	Mode    Mode          `json:"mode"`
	Triples []Triple      `json:"triples"`
	Unused  []UnusedGrant `json:"unusedGrants"`
	Denied  int           `json:"denied"`
	Grants  int           `json:"grants"`
}

// Triple is one (principal, action, resource) the stack authorized; Role is the role's ARN
// or a service principal's name.
type Triple struct {
	Role     string `json:"role"`
	Action   string `json:"action"`
	Resource string `json:"resource"`
	Decision string `json:"decision"`
	Count    int    `json:"count"`
}

// UnusedGrant is an action pattern of a statement no request matched.
type UnusedGrant struct {
	Role   string `json:"role"`
	Policy string `json:"policy"`
	Sid    string `json:"sid"`
	Action string `json:"action"`
}

type grantKey struct{ role, policy, sid, action string }

type recorder struct {
	mu      sync.Mutex
	triples map[[3]string]*Triple
	used    map[grantKey]bool
	all     []grantKey
}

// newRecorder lists every Allow grant of every role in p.
func newRecorder(p *Policies) *recorder {
	r := &recorder{triples: map[[3]string]*Triple{}, used: map[grantKey]bool{}}
	if p == nil {
		return r
	}
	for _, role := range p.Roles {
		for _, np := range role.Policies {
			r.all = append(r.all, allowGrants(role.ARN, np)...)
		}
	}
	return r
}

// allowGrants returns one key per action pattern of each Allow statement of np.
func allowGrants(role string, np NamedPolicy) []grantKey {
	var doc struct {
		Statement []struct {
			Sid    string
			Effect string
			Action any
		}
	}
	if json.Unmarshal(np.Policy, &doc) != nil {
		return nil
	}
	var out []grantKey
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			continue
		}
		var actions []string
		switch a := s.Action.(type) {
		case string:
			actions = []string{a}
		case []any:
			for _, x := range a {
				actions = append(actions, fmt.Sprint(x))
			}
		}
		for _, a := range actions {
			out = append(out, grantKey{role, np.Name, s.Sid, a})
		}
	}
	return out
}

func (r *recorder) add(q Query, d Decision) {
	r.mu.Lock()
	defer r.mu.Unlock()
	who := q.Principal.RoleARN
	if who == "" {
		who = q.Principal.Service
	}
	k := [3]string{who, q.Action, q.Resource}
	t := r.triples[k]
	if t == nil {
		t = &Triple{Role: who, Action: q.Action, Resource: q.Resource}
		r.triples[k] = t
	}
	t.Count++
	t.Decision = d.Result
	for _, g := range d.Grants {
		if g.Kind != "identity" {
			continue
		}
		for _, a := range g.Actions {
			r.used[grantKey{q.Principal.RoleARN, g.Policy, g.Sid, a}] = true
		}
	}
}

// Report returns what the authorizer saw so far, sorted.
func (a *Authorizer) Report() Report {
	r := a.report
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{Mode: a.mode, Grants: len(r.all), Triples: []Triple{}, Unused: []UnusedGrant{}}
	for _, t := range r.triples {
		rep.Triples = append(rep.Triples, *t)
		if t.Decision != "Allowed" {
			rep.Denied++
		}
	}
	sort.Slice(rep.Triples, func(i, j int) bool {
		x, y := rep.Triples[i], rep.Triples[j]
		return x.Role+"\x00"+x.Action+"\x00"+x.Resource < y.Role+"\x00"+y.Action+"\x00"+y.Resource
	})
	for _, g := range r.all {
		if !r.used[g] {
			rep.Unused = append(rep.Unused, UnusedGrant{Role: g.role, Policy: g.policy, Sid: g.sid, Action: g.action})
		}
	}
	sort.Slice(rep.Unused, func(i, j int) bool {
		x, y := rep.Unused[i], rep.Unused[j]
		return x.Role+x.Policy+x.Sid+x.Action < y.Role+y.Policy+y.Sid+y.Action
	})
	return rep
}

// WriteText prints the report for people: the triples by role, then the unused grants.
func (rep Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "IAM (%s): %d distinct (principal, action, resource) triples, %d denied; %d of %d grants unused\n",
		rep.Mode, len(rep.Triples), rep.Denied, len(rep.Unused), rep.Grants)
	role := ""
	for _, t := range rep.Triples {
		if t.Role != role {
			role = t.Role
			fmt.Fprintf(&b, "\n%s\n", role)
		}
		fmt.Fprintf(&b, "  %-9s %-40s %s (%d)\n", t.Decision, t.Action, t.Resource, t.Count)
	}
	if len(rep.Unused) > 0 {
		b.WriteString("\ngrants nothing used:\n")
	}
	for _, u := range rep.Unused {
		fmt.Fprintf(&b, "  %s %s/%s %s\n", u.Role, u.Policy, u.Sid, u.Action)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
