package console_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the committed bundle web/dist/console.js from web/src")

// bundleArgs is the one build of the console's script: esbuild (pinned in package.json)
// bundling web/src with @dagrejs/dagre into one minified file, licence comments kept.
var bundleArgs = []string{"web/src/main.js", "--bundle", "--minify", "--format=iife", "--target=es2020",
	"--legal-comments=eof", "--charset=utf8", "--log-level=warning"}

// TestBundleIsReproducible rebuilds the bundle from web/src and requires it to equal the
// committed web/dist/console.js, so the embedded script is what the sources say. With
// -update (make console) it rewrites the committed file instead. Without node_modules (no
// `make tools` yet) it skips, except under CI=true.
func TestBundleIsReproducible(t *testing.T) {
	esbuild, err := filepath.Abs(filepath.Join("..", "..", "node_modules", ".bin", "esbuild"))
	require.NoError(t, err)
	if _, err := os.Stat(esbuild); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("esbuild is not installed at %s: run make tools", esbuild)
		}
		t.Skipf("esbuild is not installed at %s (run make tools)", esbuild)
	}
	out := filepath.Join(t.TempDir(), "console.js")
	cmd := exec.Command(esbuild, append(bundleArgs, "--outfile="+out)...)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run(), "esbuild %v", bundleArgs)
	built, err := os.ReadFile(out)
	require.NoError(t, err)
	committed := filepath.Join("web", "dist", "console.js")
	if *update {
		require.NoError(t, os.WriteFile(committed, built, 0o644))
		t.Logf("wrote %s (%d bytes)", committed, len(built))
		return
	}
	have, err := os.ReadFile(committed)
	require.NoError(t, err)
	if !bytes.Equal(have, built) {
		t.Fatalf("%s (%d bytes) is not the build of web/src (%d bytes): run make console and commit the result", committed, len(have), len(built))
	}
}
