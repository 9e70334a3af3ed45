//go:build ignore

// Command check runs the documentation-derived conformance corpus in cases.jsonl through
// `kiln sfn conformance` and compares every result with the expectation written from the
// AWS Step Functions documentation.
//
// Run it from the repository root:
//
//	go run scripts/conformance/check.go [-cases scripts/conformance/cases.jsonl] [-kiln ./kiln] [-only prefix]
//
// It prints one block per failing case (got before want), a summary per area and a final
// line "conformance: N passed, M failed", and exits 1 when any case failed.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
)

// expect is what the documentation says an execution ends with. A nil Cause is not checked;
// a nil Output with status SUCCEEDED means the output is the JSON null.
type expect struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  *string         `json:"error"`
	Cause  *string         `json:"cause"`
}

// testCase is one line of cases.jsonl.
type testCase struct {
	ID         string          `json:"id"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Expect     expect          `json:"expect"`
	Source     string          `json:"source"`
}

// result is one line written by `kiln sfn conformance`.
type result struct {
	ID     string          `json:"id"`
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  string          `json:"error"`
	Cause  string          `json:"cause"`
}

func main() {
	casesPath := flag.String("cases", "scripts/conformance/cases.jsonl", "JSON Lines corpus")
	kiln := flag.String("kiln", "", "kiln binary to run (default: go run ./cmd/kiln)")
	only := flag.String("only", "", "run only the cases whose id starts with this prefix")
	verbose := flag.Bool("v", false, "print passing cases too")
	flag.Parse()
	if err := run(*casesPath, *kiln, *only, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
}

func run(casesPath, kiln, only string, verbose bool) error {
	cases, err := readCases(casesPath, only)
	if err != nil {
		return err
	}
	var stdin bytes.Buffer
	enc := json.NewEncoder(&stdin)
	enc.SetEscapeHTML(false)
	for _, c := range cases {
		line := map[string]json.RawMessage{"id": mustJSON(c.ID), "definition": c.Definition, "input": c.Input}
		if c.Input == nil {
			line["input"] = json.RawMessage("{}")
		}
		if err := enc.Encode(line); err != nil {
			return fmt.Errorf("encode case %s: %w", c.ID, err)
		}
	}
	var cmd *exec.Cmd
	if kiln != "" {
		cmd = exec.Command(kiln, "sfn", "conformance")
	} else {
		cmd = exec.Command("go", "run", "./cmd/kiln", "sfn", "conformance")
	}
	cmd.Stdin = &stdin
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("run %s: %w", strings.Join(cmd.Args, " "), err)
	}
	results := map[string]result{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("decode result line %q: %w", sc.Text(), err)
		}
		results[r.ID] = r
	}
	passed, failed := 0, 0
	perArea := map[string][2]int{}
	for _, c := range cases {
		area, _, _ := strings.Cut(c.ID, "/")
		counts := perArea[area]
		r, ok := results[c.ID]
		var problems []string
		if !ok {
			problems = append(problems, "no result line")
		} else {
			problems = compare(r, c.Expect)
		}
		if len(problems) == 0 {
			passed++
			counts[0]++
			if verbose {
				fmt.Printf("ok   %s\n", c.ID)
			}
		} else {
			failed++
			counts[1]++
			fmt.Printf("FAIL %s  (%s)\n", c.ID, c.Source)
			for _, p := range problems {
				fmt.Printf("     %s\n", p)
			}
			fmt.Printf("     got:  status=%s output=%s error=%q cause=%q\n", r.Status, compact(r.Output), r.Error, r.Cause)
			fmt.Printf("     want: status=%s output=%s error=%s cause=%s\n", c.Expect.Status, compact(c.Expect.Output), strPtr(c.Expect.Error), strPtr(c.Expect.Cause))
		}
		perArea[area] = counts
	}
	areas := make([]string, 0, len(perArea))
	for a := range perArea {
		areas = append(areas, a)
	}
	sort.Strings(areas)
	fmt.Println()
	fmt.Printf("%-14s %6s %6s\n", "area", "passed", "failed")
	for _, a := range areas {
		fmt.Printf("%-14s %6d %6d\n", a, perArea[a][0], perArea[a][1])
	}
	fmt.Printf("conformance: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
	return nil
}

// compare lists how r differs from want; an empty list means the case passed.
func compare(r result, want expect) []string {
	var problems []string
	if r.Status != want.Status {
		problems = append(problems, fmt.Sprintf("status: got %s, want %s", r.Status, want.Status))
	}
	if want.Status == "SUCCEEDED" {
		if !jsonEqual(r.Output, want.Output) {
			problems = append(problems, "output differs")
		}
		return problems
	}
	if want.Error != nil && r.Error != *want.Error {
		problems = append(problems, fmt.Sprintf("error: got %q, want %q", r.Error, *want.Error))
	}
	if want.Cause != nil && r.Cause != *want.Cause {
		problems = append(problems, "cause differs")
	}
	return problems
}

func readCases(path, only string) ([]testCase, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	var cases []testCase
	seen := map[string]bool{}
	for i, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var c testCase
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("decode %s line %d: %w", path, i+1, err)
		}
		if c.ID == "" || c.Expect.Status == "" {
			return nil, fmt.Errorf("decode %s line %d: id and expect.status are required", path, i+1)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("decode %s line %d: duplicate id %s", path, i+1, c.ID)
		}
		seen[c.ID] = true
		if only != "" && !strings.HasPrefix(c.ID, only) {
			continue
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// jsonEqual reports whether a and b decode to the same JSON value; an absent value is null.
func jsonEqual(a, b json.RawMessage) bool {
	var va, vb any
	if len(bytes.TrimSpace(a)) == 0 {
		a = json.RawMessage("null")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = json.RawMessage("null")
	}
	da := json.NewDecoder(bytes.NewReader(a))
	da.UseNumber()
	db := json.NewDecoder(bytes.NewReader(b))
	db.UseNumber()
	if da.Decode(&va) != nil || db.Decode(&vb) != nil {
		return false
	}
	return reflect.DeepEqual(normalize(va), normalize(vb))
}

// normalize turns json.Number into a canonical float64 so 1 and 1.0 compare equal, as they do in JSON.
func normalize(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return t.String()
		}
		return f
	case []any:
		for i := range t {
			t[i] = normalize(t[i])
		}
		return t
	case map[string]any:
		for k := range t {
			t[k] = normalize(t[k])
		}
		return t
	}
	return v
}

func compact(b json.RawMessage) string {
	if len(b) == 0 {
		return "null"
	}
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	s := buf.String()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func strPtr(s *string) string {
	if s == nil {
		return "(not checked)"
	}
	return fmt.Sprintf("%q", *s)
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
