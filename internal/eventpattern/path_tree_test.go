package eventpattern

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathTreeSwitchesToAMapWhenWide(t *testing.T) {
	root := newPathNode()
	for i := range smallNode + 5 {
		root.insert([]string{string(rune('A' + i)), "x"})
	}
	require.NotNil(t, root.byName)
	for i := range smallNode + 5 {
		n := root.child([]byte{byte('A' + i)})
		require.NotNil(t, n, "child %c", 'A'+i)
		assert.NotNil(t, n.child([]byte("x")))
	}
	assert.Nil(t, root.child([]byte("zz")))
}
