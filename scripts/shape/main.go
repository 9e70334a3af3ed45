// Command shape prints the code-shape figures of issue 10 for the Go packages under the
// current directory (tests, vendored and generated code left out): the number of functions,
// the 90th percentile and the maximum of function length in lines, the non-test files over
// 700 lines, and how many string literals spell a Lambda function's name from the topology
// (struct tags left out).
//
//	go run ./scripts/shape [-top N] [dir]
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/kiln-dev/kiln/internal/topology"
)

// fn is one function and its length in lines.
type fn struct {
	where string
	lines int
}

func main() {
	top := flag.Int("top", 5, "print the N longest functions")
	flag.Parse()
	root := "."
	if flag.NArg() > 0 {
		root = flag.Arg(0)
	}
	if err := run(os.Stdout, root, *top); err != nil {
		fmt.Fprintln(os.Stderr, "shape:", err)
		os.Exit(1)
	}
}

// skip reports whether a path is outside the measured code.
func skip(path string) bool {
	for _, dir := range []string{"node_modules", "cdk.out", "third_party", ".git", "build"} {
		if strings.Contains(path, string(filepath.Separator)+dir+string(filepath.Separator)) || strings.HasPrefix(path, dir+string(filepath.Separator)) {
			return true
		}
	}
	return !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go")
}

func run(out io.Writer, root string, top int) error {
	names := map[string]bool{}
	for _, f := range topology.Functions {
		names[string(f.Name)] = true
	}
	fset := token.NewFileSet()
	var fns []fn
	var big []string
	literals := map[string]int{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || skip(path) {
			return err
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if ast.IsGenerated(file) {
			return nil
		}
		if n := fset.File(file.Pos()).LineCount(); n > 700 {
			big = append(big, fmt.Sprintf("%s (%d)", path, n))
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Field:
				return false // a field's tag is no name; its type holds no string literal
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && names[s] {
					literals[path]++
				}
			case *ast.FuncDecl:
				if n.Body != nil {
					fns = append(fns, lengthOf(fset, n.Name.Name, n.Pos(), n.End()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].lines < fns[j].lines })
	if len(fns) == 0 {
		return fmt.Errorf("no functions under %s", root)
	}
	p90 := fns[(len(fns)*9+9)/10-1].lines
	fmt.Fprintf(out, "functions: %d  p90 length: %d  max: %d  over 120: %d\n", len(fns), p90, fns[len(fns)-1].lines, over(fns, 120))
	for i := len(fns) - 1; i >= 0 && i >= len(fns)-top; i-- {
		fmt.Fprintf(out, "  %4d %s\n", fns[i].lines, fns[i].where)
	}
	fmt.Fprintf(out, "non-test files over 700 lines: %d\n", len(big))
	for _, b := range big {
		fmt.Fprintln(out, "  "+b)
	}
	total := 0
	var files []string
	for f, n := range literals {
		total += n
		files = append(files, fmt.Sprintf("  %3d %s", n, f))
	}
	sort.Strings(files)
	fmt.Fprintf(out, "function-name string literals: %d in %d files\n", total, len(literals))
	fmt.Fprintln(out, strings.Join(files, "\n"))
	return nil
}

func lengthOf(fset *token.FileSet, name string, from, to token.Pos) fn {
	a, b := fset.Position(from), fset.Position(to)
	return fn{where: fmt.Sprintf("%s:%d %s", a.Filename, a.Line, name), lines: b.Line - a.Line + 1}
}

func over(fns []fn, limit int) int {
	n := 0
	for _, f := range fns {
		if f.lines > limit {
			n++
		}
	}
	return n
}
