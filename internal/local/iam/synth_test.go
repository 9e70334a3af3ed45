package iam

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSourceHashChangesWithWhatShapesTheTemplate(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("infra/stack.go", "package main")
	write("go.mod", "module x")
	base, err := SourceHash(root, "prod", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		change  func() (string, error)
		changed bool
	}{
		{"the same sources give the same hash", func() (string, error) { return SourceHash(root, "prod", []byte(`{}`)) }, false},
		{"another stage gives another hash", func() (string, error) { return SourceHash(root, "dev", []byte(`{}`)) }, true},
		{"another policy gives another hash", func() (string, error) { return SourceHash(root, "prod", []byte(`{"a":1}`)) }, true},
		{"a test file does not count", func() (string, error) {
			write("infra/stack_test.go", "package main // test")
			return SourceHash(root, "prod", []byte(`{}`))
		}, false},
		{"an infra edit counts", func() (string, error) {
			write("infra/stack.go", "package main // edited")
			return SourceHash(root, "prod", []byte(`{}`))
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.change()
			if err != nil {
				t.Fatal(err)
			}
			if (got != base) != c.changed {
				t.Errorf("got changed=%v, want %v", got != base, c.changed)
			}
		})
	}
}

func TestOpenSaysPlainlyWhenNoTemplateCanBeHad(t *testing.T) {
	a, note, err := Open(t.Context(), Options{Mode: ModeEnforce})
	if err != nil || a != nil {
		t.Fatalf("got %v, %v; want no authorizer and no error", a, err)
	}
	if want := "IAM: off: no template"; len(note) < len(want) || note[:len(want)] != want {
		t.Errorf("got %q, want it to begin %q", note, want)
	}
	if _, _, err := Open(t.Context(), Options{Mode: ModeEnforce, Template: filepath.Join(t.TempDir(), "missing.json")}); err == nil {
		t.Error("a missing --template gave no error")
	}
}
