package iam

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/kiln-dev/kiln/internal/topology"
)

// Options configure [Open].
type Options struct {
	// Mode is --iam; ModeOff opens nothing.
	Mode Mode
	// Template is --template: a template file. Empty: the stage's template synthesized from
	// the kiln checkout at Root (cached by content, see StageTemplate).
	Template string
	// Root is the kiln checkout (module root) for synthesis and node_modules; may be empty.
	Root string
	// CacheDir is the template cache; default os.UserCacheDir()/kiln/templates.
	CacheDir string
	// Env is the local stack's topology environment; its stage is the template's.
	Env topology.Env
	// PolicyJSON is the release policy the stack runs, for synthesis.
	PolicyJSON []byte
	// Log receives warn-mode denials; default discards.
	Log *slog.Logger
}

// Open returns the authorizer for o and a sentence saying what runs: the mode, the template
// and the evaluator. With mode off it returns a nil authorizer (which allows everything).
// When an explicit Template cannot be read, that is an error. When no template can be had
// otherwise (no checkout, no go or node for synthesis) or no simulator is installed, it says
// so and returns a nil authorizer: IAM is then off. Close the authorizer when done.
func Open(ctx context.Context, o Options) (*Authorizer, string, error) {
	if o.Mode == ModeOff || o.Mode == "" {
		return nil, "IAM: off (--iam off): no call is evaluated", nil
	}
	path := o.Template
	if path == "" {
		if o.Root == "" {
			return nil, "IAM: off: no template (no kiln checkout here to synthesize the stage's template; pass --template FILE)", nil
		}
		var err error
		if path, err = StageTemplate(ctx, o.Root, o.CacheDir, o.Env.Stage, o.PolicyJSON); err != nil {
			return nil, fmt.Sprintf("IAM: off: no template (%v; pass --template FILE)", err), nil
		}
	}
	tpl, err := LoadTemplate(path)
	if err != nil {
		return nil, "", err
	}
	pols, err := tpl.Policies(o.Env)
	if err != nil {
		return nil, "", fmt.Errorf("template %s: %w", path, err)
	}
	root, err := FindModules(o.Root, ".")
	if err != nil {
		return nil, fmt.Sprintf("IAM: off: %v", err), nil
	}
	side, err := StartSidecar(root)
	if err != nil {
		return nil, fmt.Sprintf("IAM: off: %v", err), nil
	}
	if err := pols.Define(side); err != nil {
		_ = side.Close()
		return nil, "", err
	}
	a := NewAuthorizer(o.Mode, side, pols, o.Env.Account, o.Log)
	a.closer = side.Close
	return a, fmt.Sprintf("IAM: %s: %d roles from %s, evaluated by %s", o.Mode, len(pols.Roles), path, SimulatorPackage), nil
}

// Close stops the evaluator the authorizer was opened with; safe on nil and more than once.
func (a *Authorizer) Close() error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	c := a.closer
	a.closer = nil
	a.mu.Unlock()
	if c == nil {
		return nil
	}
	return c()
}
