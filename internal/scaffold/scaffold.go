// Package scaffold writes the model repository `kiln init DIR` creates: a complete, valid
// policy (kiln.json, three stages, the new model), a trainer and server following SageMaker's
// container contract — in Python's standard library (model.py train|serve, its image mapped
// to a local command) or in Go's (main.go, a FROM scratch image that kiln local runs in
// Docker) — a Dockerfile, example training data and a README that walks the loop. The files are embedded templates; Write is safe for concurrent use on distinct folders.
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

// Languages of the trainer and server [WriteLang] scaffolds.
const (
	// Python is model.py in Python's standard library, mapped to `python3 model.py` in the
	// policy's local.images (its Dockerfile needs a Python base image from a registry).
	Python = "python"
	// Go is main.go in Go's standard library, with a FROM scratch Dockerfile that builds
	// offline; the policy maps no command, so kiln local runs the image in Docker.
	Go = "go"
)

// file is one scaffolded file: its template (under template/), where it goes, its mode.
type file struct {
	tmpl, name string
	mode       os.FileMode
}

// layouts are each language's files, in the order Write reports them.
var layouts = map[string][]file{
	Python: {{"kiln.json.tmpl", "kiln.json", 0o644}, {"model.py", "model.py", 0o755}, {"Dockerfile", "Dockerfile", 0o644},
		{"README.md.tmpl", "README.md", 0o644}},
	Go: {{"kiln.json.tmpl", "kiln.json", 0o644}, {"golang/main.go", "main.go", 0o644}, {"golang/go.mod.tmpl", "go.mod", 0o644},
		{"golang/Dockerfile", "Dockerfile", 0o644}, {"golang/Makefile.tmpl", "Makefile", 0o644}, {"golang/README.md.tmpl", "README.md", 0o644}},
}

// commands are the local.images command each language's policy maps its image to (JSON;
// empty: none, the image runs in a container).
var commands = map[string]string{Python: `["python3", "model.py"]`, Go: ""}

// Write scaffolds the Python variant: [WriteLang] with [Python].
func Write(dir, name string) ([]string, error) { return WriteLang(dir, name, Python) }

// WriteLang creates dir (if needed) and writes the scaffold of lang ([Python] or [Go]) for the
// model named name into it (empty name: [ModelName] of dir). It refuses, writing nothing, when
// dir already holds a kiln.json, lang is unknown or name is not a valid model name; it
// returns the written paths, relative to dir.
func WriteLang(dir, name, lang string) ([]string, error) {
	layout, ok := layouts[lang]
	if !ok {
		return nil, fmt.Errorf("init %s: language %q: want %s or %s", dir, lang, Python, Go)
	}
	if name == "" {
		name = ModelName(dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "kiln.json")); err == nil {
		return nil, fmt.Errorf("init %s: %w", dir, ErrExists)
	}
	out, err := render(layout, templateData{Name: name, Rows: Rows, Command: commands[lang]})
	if err != nil {
		return nil, fmt.Errorf("init %s: %w", dir, err)
	}
	if _, err := policy.Parse(out["kiln.json"]); err != nil {
		return nil, fmt.Errorf("init %s: model name %q: %w", dir, name, err)
	}
	out[filepath.Join("data", "train.csv")] = TrainingData(Rows, 1)
	layout = append(layout, file{name: filepath.Join("data", "train.csv"), mode: 0o644})
	written := make([]string, 0, len(layout))
	for _, f := range layout {
		p := filepath.Join(dir, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, fmt.Errorf("init %s: %w", dir, err)
		}
		if err := os.WriteFile(p, out[f.name], f.mode); err != nil {
			return written, fmt.Errorf("init %s: %w", dir, err)
		}
		written = append(written, f.name)
	}
	return written, nil
}

// templateData fills the templates.
type templateData struct {
	Name    string
	Rows    int
	Command string
}

// render returns each file of layout, its .tmpl templates executed with data.
func render(layout []file, data templateData) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, f := range layout {
		b, err := files.ReadFile("template/" + f.tmpl)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(f.tmpl, ".tmpl") {
			t, err := template.New(f.tmpl).Option("missingkey=error").Parse(string(b))
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", f.tmpl, err)
			}
			var buf bytes.Buffer
			if err := t.Execute(&buf, data); err != nil {
				return nil, fmt.Errorf("template %s: %w", f.tmpl, err)
			}
			b = buf.Bytes()
		}
		out[f.name] = b
	}
	return out, nil
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
