package container

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnpackRefusesEntriesOutsideTheModelDirectory(t *testing.T) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "../evil.txt", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg}))
	_, _ = tw.Write([]byte("x"))
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	err := Unpack(buf.Bytes(), t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "escapes")
	assert.Error(t, Unpack([]byte("not gzip"), t.TempDir()))
}
