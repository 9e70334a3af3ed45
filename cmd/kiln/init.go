package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/scaffold"
)

// newInitCmd builds `kiln init DIR`, which scaffolds a model repository.
func newInitCmd() *cobra.Command {
	var name, lang string
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "scaffold a model repository: policy, trainer and server (SageMaker's contract), Dockerfile, data, README",
		Long: `kiln init DIR writes DIR/kiln.json (a complete policy: dev, staging and prod, the new model,
its image mapped to a local command), model.py (a trainer and a server in Python's standard
library following SageMaker's container contract), a Dockerfile, example training data and a
README that walks the loop. With --lang go, main.go (the same in Go's standard library), a
FROM scratch Dockerfile and a Makefile instead, and no local command: the image runs in Docker.
From DIR, kiln local --policy kiln.json --stage staging trains,
gates, registers, deploys and serves it once the data is uploaded. A DIR that already holds a
kiln.json is left as it is.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd.OutOrStdout(), args[0], name, lang)
		},
	}
	cmd.Flags().StringVar(&lang, "lang", scaffold.Python, "the trainer and server's language: python (standard library, run as a local command) "+
		"or go (standard library, a FROM scratch image kiln local runs in Docker)")
	cmd.Flags().StringVar(&name, "name", "", "the model's name (default: from DIR; lower-case letters, digits, hyphens, at most 16)")
	return cmd
}

// runInit scaffolds a model repository in dir (see [scaffold.WriteLang]) and prints what it
// wrote and what to run next to out.
func runInit(out io.Writer, dir, name, lang string) error {
	written, err := scaffold.WriteLang(dir, name, lang)
	if err != nil {
		return err
	}
	model := name
	if model == "" {
		model = scaffold.ModelName(dir)
	}
	fmt.Fprintf(out, "kiln init: model %q in %s\n", model, dir)
	for _, f := range written {
		fmt.Fprintln(out, "  "+f)
	}
	next := "kiln local --policy kiln.json --stage staging"
	if lang == scaffold.Go {
		next = "make image && " + next + " --runtime docker"
	}
	fmt.Fprintf(out, "next: cd %s && %s (then see README.md)\n", dir, next)
	return nil
}
