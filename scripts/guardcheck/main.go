// Command guardcheck is kiln's policy-as-code gate: it runs cfn-guard with AWS Control Tower's
// proactive rules (shipped by the npm package @cdklabs/cdk-validator-cfnguard, installed by
// `make tools`) on every synthesized template, and fails on any failure that the resource does
// not suppress. cfn-guard has no suppression mechanism of its own, so kiln's infra records each
// rule it cannot meet on the resource, in code, as Metadata.guard.SuppressedRules with the
// reason in Metadata.guard.Reasons; this command honours exactly those and prints them.
//
//	go run ./scripts/guardcheck cdk.out
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
)

const pkg = "node_modules/@cdklabs/cdk-validator-cfnguard"

func main() {
	dir := "cdk.out"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	failed, err := run(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "guardcheck:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// template is the part of a CloudFormation template guardcheck reads.
type template struct {
	Resources map[string]struct {
		Type     string `json:"Type"`
		Metadata struct {
			Guard struct {
				SuppressedRules []string          `json:"SuppressedRules"`
				Reasons         map[string]string `json:"Reasons"`
			} `json:"guard"`
		} `json:"Metadata"`
	} `json:"Resources"`
}

// finding is one rule that failed on one resource.
type finding struct{ rule, resource string }

func run(dir string) (bool, error) {
	arch := "x86_64"
	if runtime.GOARCH == "arm64" {
		arch = "aarch64"
	}
	bin := filepath.Join(pkg, "bin", "ubuntu", arch, "cfn-guard")
	if _, err := os.Stat(bin); err != nil {
		return false, fmt.Errorf("find cfn-guard: %w (run make tools)", err)
	}
	templates, _ := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if len(templates) == 0 {
		return false, fmt.Errorf("no templates in %s: run make synth", dir)
	}
	anyFailed := false
	for _, path := range templates {
		raw, err := os.ReadFile(path)
		if err != nil {
			return false, err
		}
		var tpl template
		if err := json.Unmarshal(raw, &tpl); err != nil {
			return false, fmt.Errorf("decode %s: %w", path, err)
		}
		out, err := exec.Command(bin, "validate", "--rules", filepath.Join(pkg, "rules", "control-tower", "cfn-guard"),
			"--data", path, "--output-format", "json", "--structured", "--show-summary", "none").Output()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return false, fmt.Errorf("run cfn-guard on %s: %w", path, err)
		}
		findings, err := parse(out)
		if err != nil {
			return false, fmt.Errorf("read cfn-guard's report on %s: %w", path, err)
		}
		var open, suppressed []string
		for _, f := range findings {
			res := tpl.Resources[f.resource]
			if slices.Contains(res.Metadata.Guard.SuppressedRules, f.rule) {
				suppressed = append(suppressed, fmt.Sprintf("  %-48s %-44s %s", f.rule, f.resource, res.Metadata.Guard.Reasons[f.rule]))
				continue
			}
			open = append(open, fmt.Sprintf("  %-48s %s (%s)", f.rule, f.resource, res.Type))
		}
		name := filepath.Base(path)
		fmt.Printf("guard: %s: %d resources, %d findings suppressed with a reason, %d open\n", name, len(tpl.Resources), len(suppressed), len(open))
		if len(suppressed) > 0 {
			fmt.Println(strings.Join(suppressed, "\n"))
		}
		if len(open) > 0 {
			anyFailed = true
			fmt.Println("unsuppressed failures:")
			fmt.Println(strings.Join(open, "\n"))
		}
	}
	return anyFailed, nil
}

var resourcePath = regexp.MustCompile(`^/Resources/([^/]+)`)

// parse returns every (rule, resource) pair cfn-guard's structured JSON marks not compliant.
func parse(out []byte) ([]finding, error) {
	var reports []struct {
		NotCompliant []struct {
			Rule json.RawMessage `json:"Rule"`
		} `json:"not_compliant"`
	}
	if err := json.Unmarshal(out, &reports); err != nil {
		return nil, err
	}
	seen := map[finding]bool{}
	for _, r := range reports {
		for _, nc := range r.NotCompliant {
			var rule struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(nc.Rule, &rule); err != nil {
				return nil, err
			}
			var tree any
			if err := json.Unmarshal(nc.Rule, &tree); err != nil {
				return nil, err
			}
			for _, id := range resources(tree) {
				seen[finding{rule.Name, id}] = true
			}
		}
	}
	out2 := make([]finding, 0, len(seen))
	for f := range seen {
		out2 = append(out2, f)
	}
	sort.Slice(out2, func(i, j int) bool {
		if out2[i].rule != out2[j].rule {
			return out2[i].rule < out2[j].rule
		}
		return out2[i].resource < out2[j].resource
	})
	return out2, nil
}

// resources collects the logical ids named by every "path" in a report subtree.
func resources(v any) []string {
	var ids []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				if s, ok := c.(string); ok && k == "path" {
					if m := resourcePath.FindStringSubmatch(s); m != nil {
						ids = append(ids, m[1])
					}
				}
				walk(c)
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(v)
	sort.Strings(ids)
	return slices.Compact(ids)
}
