package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kiln-dev/kiln/internal/local/iam"
)

// ReportFile is where the demo leaves the IAM report in its state directory (kiln iam report
// reads it).
const ReportFile = "iam-report.json"

// openIAM opens the authorizer the stack runs under: --iam's mode over --template, or over
// the demo stage's template synthesized from the checkout (cached by content).
func (d *demo) openIAM(ctx context.Context) error {
	mode := d.o.IAM
	if mode == "" {
		mode = iam.ModeEnforce
	}
	pj, err := json.Marshal(d.pol)
	if err != nil {
		return fmt.Errorf("encode the demo policy: %w", err)
	}
	a, note, err := iam.Open(ctx, iam.Options{Mode: mode, Template: d.o.Template, Root: d.o.Root, Env: d.env,
		PolicyJSON: pj, Log: d.o.Log})
	if err != nil {
		return err
	}
	d.iam = a
	d.p.line("  %s", note)
	return nil
}

// closeIAM writes the IAM report into the state directory, says what it holds, and stops
// the evaluator.
func (d *demo) closeIAM() {
	if d.iam == nil {
		return
	}
	rep := d.iam.Report()
	path := filepath.Join(d.o.Dir, ReportFile)
	if b, err := json.MarshalIndent(rep, "", " "); err == nil {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			d.p.line("writing the IAM report: %v", err)
		}
	}
	d.p.line("IAM (%s): %d distinct (principal, action, resource) triples, %d denied; %d of %d grants unused (kiln iam report --dir %s)",
		rep.Mode, len(rep.Triples), rep.Denied, len(rep.Unused), rep.Grants, d.o.Dir)
	_ = d.iam.Close()
	d.iam = nil
}
