package iam

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kiln-dev/kiln/internal/topology"
)

// errNoValue marks a Ref to AWS::NoValue: the property or list element is dropped.
var errNoValue = errors.New("AWS::NoValue")

// resolver turns CloudFormation intrinsics into the local stack's names and ARNs.
type resolver struct {
	env       topology.Env
	resources map[string]Resource
}

// resolve returns v with every Ref, Fn::GetAtt, Fn::Join, Fn::Sub and Fn::Select replaced by
// its value; an intrinsic it does not know is an error naming it.
func (r resolver) resolve(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			rv, err := r.resolve(e)
			if errors.Is(err, errNoValue) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			rv, err := r.resolve(e)
			if errors.Is(err, errNoValue) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, rv)
		}
		return out, nil
	}
	return v, nil
}

func (r resolver) intrinsic(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("resolve Ref: %v is not a name", arg)
		}
		return r.ref(s)
	case "Fn::GetAtt":
		return r.getAtt(arg)
	case "Fn::Join":
		return r.join(arg)
	case "Fn::Sub":
		return r.sub(arg)
	case "Fn::Select":
		return r.selectOne(arg)
	}
	return nil, fmt.Errorf("resolve %s: this intrinsic is not supported in policies", name)
}

func (r resolver) ref(name string) (any, error) {
	switch name {
	case "AWS::AccountId":
		return r.env.Account, nil
	case "AWS::Region":
		return r.env.Region, nil
	case "AWS::Partition":
		return r.env.Partition, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return "kiln-" + r.env.Stage, nil
	case "AWS::NoValue":
		return nil, errNoValue
	}
	res, ok := r.resources[name]
	if !ok {
		return nil, fmt.Errorf("resolve Ref %s: no such resource or pseudo parameter", name)
	}
	return r.physical(name, res, "Ref")
}

func (r resolver) getAtt(arg any) (any, error) {
	var id, attr string
	switch a := arg.(type) {
	case []any:
		if len(a) == 2 {
			id, _ = a[0].(string)
			attr, _ = a[1].(string)
		}
	case string:
		id, attr, _ = strings.Cut(a, ".")
	}
	res, ok := r.resources[id]
	if !ok || attr == "" {
		return nil, fmt.Errorf("resolve Fn::GetAtt %v: no such resource", arg)
	}
	return r.physical(id, res, attr)
}

func (r resolver) join(arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, fmt.Errorf("resolve Fn::Join %v: want [separator, [values]]", arg)
	}
	sep, _ := a[0].(string)
	vals, err := r.resolve(a[1])
	if err != nil {
		return nil, err
	}
	list, ok := vals.([]any)
	if !ok {
		return nil, fmt.Errorf("resolve Fn::Join: %v is not a list", vals)
	}
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, sep), nil
}

func (r resolver) selectOne(arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, fmt.Errorf("resolve Fn::Select %v: want [index, list]", arg)
	}
	idx, err := r.resolve(a[0])
	if err != nil {
		return nil, err
	}
	vals, err := r.resolve(a[1])
	if err != nil {
		return nil, err
	}
	list, _ := vals.([]any)
	var i int
	if _, err := fmt.Sscan(fmt.Sprint(idx), &i); err != nil || i < 0 || i >= len(list) {
		return nil, fmt.Errorf("resolve Fn::Select: index %v out of range", idx)
	}
	return list[i], nil
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

func (r resolver) sub(arg any) (any, error) {
	text, vars := "", map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("resolve Fn::Sub %v: want a string or [string, variables]", arg)
		}
		text, _ = a[0].(string)
		m, _ := a[1].(map[string]any)
		for k, v := range m {
			rv, err := r.resolve(v)
			if err != nil {
				return nil, err
			}
			vars[k] = rv
		}
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := vars[name]; ok {
			return fmt.Sprint(v)
		}
		var v any
		var err error
		if id, attr, ok := strings.Cut(name, "."); ok {
			v, err = r.getAtt([]any{id, attr})
		} else {
			v, err = r.ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return fmt.Sprint(v)
	})
	return strings.ReplaceAll(out, "${!", "${"), firstErr
}
