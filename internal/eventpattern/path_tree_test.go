package eventpattern

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathTreeSwitchesToAMapWhenWide(t *testing.T) {
	root := newPathNode()
	for i := range wideNode + 5 {
		root.insert([]string{fmt.Sprintf("f%d", i), "x"})
	}
	require.NotNil(t, root.byName)
	for i := range wideNode + 5 {
		n := root.child([]byte(fmt.Sprintf("f%d", i)))
		require.NotNil(t, n, "child f%d", i)
		assert.NotNil(t, n.child([]byte("x")))
	}
	assert.Nil(t, root.child([]byte("zz")))
}

func TestPathTreeDescend(t *testing.T) {
	long := strings.Repeat("n", maxIndexedName+3)
	build := func(wide bool) *pathNode {
		root := newPathNode()
		root.insert([]string{"detail", "state", "value"})
		root.insert([]string{"detail", "x"})
		root.insert([]string{"a", "b"})
		root.insert([]string{"a.b"}) // cannot come from a pattern, but must not confuse lookups
		root.insert([]string{long, "y"})
		if wide {
			for i := range wideNode {
				root.insert([]string{fmt.Sprintf("w%d", i)})
			}
		}
		return root
	}
	cases := []struct {
		name  string
		key   string
		found bool
	}{
		{"a direct child is found", "detail", true},
		{"a dotted key reaches a nested node", "detail.state", true},
		{"a dotted key reaches a deep node", "detail.state.value", true},
		{"a dotted key past the tree finds nothing", "detail.state.value.more", false},
		{"a dotted key with an unknown head finds nothing", "other.state", false},
		{"a dotted key with an unknown tail finds nothing", "detail.nope", false},
		{"a key ending in a dot finds nothing", "detail.", false},
		{"a name longer than the length index is found", long, true},
		{"a long name leads to its children", long + ".y", true},
		{"an unknown long name finds nothing", long + "z", false},
		{"the empty key finds nothing", "", false},
	}
	for _, wide := range []bool{false, true} {
		root := build(wide)
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s (wide node: %v)", tc.name, wide), func(t *testing.T) {
				got := root.descend([]byte(tc.key))
				assert.Equal(t, tc.found, got != nil)
			})
		}
	}
}

func TestIndexDot(t *testing.T) {
	cases := []struct {
		name string
		key  string
		want int
	}{
		{"a key without a dot gives -1", "detail-type", -1},
		{"a dot in the first word is found", "a.b", 1},
		{"a dot in the second word is found", "abcdefghij.k", 10},
		{"a dot in the tail is found", "abcdefgh.", 8},
		{"the first of several dots is found", "abcdefg.h.i", 7},
		{"bytes above 0x7f are not dots", "\xae\xaeabcdefgh", -1},
		{"the empty key gives -1", "", -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, indexDot([]byte(tc.key)))
		})
	}
}

// TestPathTreeFirstByteFilter checks the set of first bytes descend consults before any
// lookup: names starting with bytes in each quarter of the byte range, and the empty name,
// which has no first byte and so turns the filter off.
func TestPathTreeFirstByteFilter(t *testing.T) {
	root := newPathNode()
	for _, name := range []string{"\x01ctl", "detail", "Zebra", "\u00e9t\u00e9", "\xffz"} {
		root.insert([]string{name, "x"})
	}
	cases := []struct {
		name  string
		key   string
		found bool
	}{
		{"a name starting with a control byte is found", "\x01ctl", true},
		{"a lower-case name is found", "detail", true},
		{"an upper-case name is found", "Zebra", true},
		{"a name starting above 0x7f is found", "\u00e9t\u00e9", true},
		{"a name starting with 0xff is found", "\xffz", true},
		{"a dotted key through a name starting above 0x7f is found", "\u00e9t\u00e9.x", true},
		{"a name sharing only the first byte is not found", "dog", false},
		{"a name with an unknown first byte is not found", "source", false},
		{"a key starting with a dot finds nothing without an empty name", ".x", false},
		{"the empty key finds nothing", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.found, root.descend([]byte(tc.key)) != nil)
		})
	}
	t.Run("an empty name is reached by a key starting with a dot", func(t *testing.T) {
		root.insert([]string{"", "y"})
		got := root.descend([]byte(".y"))
		require.NotNil(t, got)
		assert.Same(t, root.insert([]string{"", "y"}), got)
	})
}
