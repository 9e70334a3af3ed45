// Package scaffold writes the model repository `kiln init DIR` creates: a complete, valid
// policy (kiln.json, three stages, the new model, its image mapped to a local command), a
// trainer and server in Python's standard library following SageMaker's container contract
// (model.py train|serve), a Dockerfile, example training data and a README that walks the
// loop. The files are embedded templates; Write is safe for concurrent use on distinct folders.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	"github.com/kiln-dev/kiln/internal/policy"
)

//go:embed template
var files embed.FS

// Rows is how many example training rows Write generates.
const Rows = 600

// ErrExists says the folder already holds a kiln.json: Write never overwrites a policy.
var ErrExists = errors.New("already holds a kiln.json")

// ModelName returns the model name Write derives from the folder's base name: lower case, letters,
// digits and hyphens, at most 16 characters (the policy's limit); "model" when nothing is left.
func ModelName(dir string) string {
	base := strings.ToLower(filepath.Base(filepath.Clean(dir)))
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == '_' || r == '.' || r == ' ':
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 16 {
		name = strings.TrimRight(name[:16], "-")
	}
	if name == "" {
		return "model"
	}
	return name
}

// Write creates dir (if needed) and writes the scaffold for the model named name into it
// (empty name: [ModelName] of dir). It refuses, writing nothing, when dir already holds a
// kiln.json or name is not a valid model name; it returns the written paths, relative to dir.
func Write(dir, name string) ([]string, error) {
	if name == "" {
		name = ModelName(dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "kiln.json")); err == nil {
		return nil, fmt.Errorf("init %s: %w", dir, ErrExists)
	}
	data := struct {
		Name string
		Rows int
	}{name, Rows}
	out := map[string][]byte{}
	for _, f := range []struct{ tmpl, name string }{
		{"kiln.json.tmpl", "kiln.json"}, {"README.md.tmpl", "README.md"}, {"model.py", "model.py"}, {"Dockerfile", "Dockerfile"},
	} {
		b, err := files.ReadFile("template/" + f.tmpl)
		if err != nil {
			return nil, fmt.Errorf("init %s: %w", dir, err)
		}
		if strings.HasSuffix(f.tmpl, ".tmpl") {
			t, err := template.New(f.tmpl).Option("missingkey=error").Parse(string(b))
			if err != nil {
				return nil, fmt.Errorf("init %s: template %s: %w", dir, f.tmpl, err)
			}
			var buf bytes.Buffer
			if err := t.Execute(&buf, data); err != nil {
				return nil, fmt.Errorf("init %s: template %s: %w", dir, f.tmpl, err)
			}
			b = buf.Bytes()
		}
		out[f.name] = b
	}
	if _, err := policy.Parse(out["kiln.json"]); err != nil {
		return nil, fmt.Errorf("init %s: model name %q: %w", dir, name, err)
	}
	out[filepath.Join("data", "train.csv")] = TrainingData(Rows, 1)
	written := make([]string, 0, len(out))
	for _, rel := range []string{"kiln.json", "model.py", "Dockerfile", "README.md", filepath.Join("data", "train.csv")} {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, fmt.Errorf("init %s: %w", dir, err)
		}
		mode := os.FileMode(0o644)
		if rel == "model.py" {
			mode = 0o755
		}
		if err := os.WriteFile(p, out[rel], mode); err != nil {
			return written, fmt.Errorf("init %s: %w", dir, err)
		}
		written = append(written, rel)
	}
	return written, nil
}

// TrainingData returns n rows of example data with a header (x1,x2,x3,y): y = 1 + 3·x1 −
// 2·x2 + 0.5·x3 plus Gaussian noise of standard deviation 0.5, from a seeded source, so a
// linear model reaches a test MSE near 0.25.
func TrainingData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x6b696c6e))
	var b bytes.Buffer
	b.WriteString("x1,x2,x3,y\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	for range n {
		x1, x2, x3 := r.Float64()*4, r.Float64()*2, r.NormFloat64()*3+5
		y := 1 + 3*x1 - 2*x2 + 0.5*x3 + r.NormFloat64()*0.5
		b.WriteString(f(x1) + "," + f(x2) + "," + f(x3) + "," + f(y) + "\n")
	}
	return b.Bytes()
}
