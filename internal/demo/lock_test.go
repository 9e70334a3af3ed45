package demo_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/demo"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/topology"
)

// TestTheDemoLeavesAServingStacksFolderAlone runs the demo on the folder of a stack that is
// serving, as `kiln demo` beside `kiln local` would: the demo must refuse before deleting
// anything, name the holder and say how to run elsewhere.
func TestTheDemoLeavesAServingStacksFolderAlone(t *testing.T) {
	dir := t.TempDir()
	st, err := stack.Open(stack.Options{Dir: dir, Addr: "127.0.0.1:0", Who: "kiln local"})
	require.NoError(t, err)
	require.NoError(t, st.Start(context.Background()))
	defer st.Close()
	bucket := topology.ArtifactsBucket(st.TopologyEnv())
	_, err = st.S3().Put(bucket, "data/abalone/mine.csv", []byte("1,2\n"), "text/csv")
	require.NoError(t, err)
	secret, err := st.WebhookSecret()
	require.NoError(t, err)

	var out bytes.Buffer
	err = demo.Run(context.Background(), demo.Options{Dir: dir, Out: &out})
	require.Error(t, err)
	assert.ErrorIs(t, err, stack.ErrDirInUse)
	assert.Contains(t, err.Error(), "kiln local (pid")
	assert.Contains(t, err.Error(), "--dir")

	got, err := st.S3().Get(bucket, "data/abalone/mine.csv")
	require.NoError(t, err, "the demo deleted the serving stack's S3 files")
	assert.Equal(t, "1,2\n", string(got))
	again, err := st.WebhookSecret()
	require.NoError(t, err)
	assert.Equal(t, secret, again, "the demo replaced the serving stack's webhook secret")
	_, err = os.Stat(filepath.Join(dir, "kiln.db"))
	require.NoError(t, err)
	_, err = st.Clients().StepFunctions.ListStateMachines(context.Background(), nil)
	require.NoError(t, err, "the serving stack stopped answering")
}
