package stack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestADamagedDatabaseIsRefusedWithAWayOut damages a real stack's kiln.db the ways a disk,
// a full file system or a careless copy would, and checks Open refuses each without a
// panic, saying what is wrong and how to go on, and leaves the file as it was.
func TestADamagedDatabaseIsRefusedWithAWayOut(t *testing.T) {
	base := t.TempDir()
	s := open(t, base, Options{})
	require.NoError(t, s.Close())
	good, err := os.ReadFile(filepath.Join(base, "kiln.db"))
	require.NoError(t, err)
	require.Greater(t, len(good), 8*4096)

	garbage := func(b []byte) []byte {
		out := append([]byte(nil), b...)
		for i := 2 * 4096; i < len(out); i += 4096 { // every page after the two meta pages
			for j := 0; j < 64; j++ {
				out[i+j] = byte(0xA5 ^ j)
			}
		}
		return out
	}
	cases := []struct {
		name    string
		content []byte
		want    string
	}{
		{"an empty file is not a fresh start", nil, "empty"},
		{"a truncated file is refused", good[:len(good)/2], "truncated"},
		{"a file cut inside its meta pages is refused", good[:5000], "damaged"},
		{"garbage in the data pages is refused", garbage(good), "damaged"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "kiln.db")
			require.NoError(t, os.WriteFile(path, tc.content, 0o600))
			_, err := Open(Options{Dir: dir, Addr: "127.0.0.1:0"})
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrDamagedState)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), "move the state folder away")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, len(tc.content), len(after), "the damaged file was changed")
		})
	}
	t.Run("a healthy file opens", func(t *testing.T) {
		s := open(t, base, Options{})
		require.NoError(t, s.Close())
	})
}
