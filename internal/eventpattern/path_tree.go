package eventpattern

import (
	"encoding/binary"
	"math/bits"
)

// pathNode is one field name in the tree of event paths that some pattern tests. id is the
// path's number when a pattern tests a leaf there, -1 otherwise. Names never hold a dot: a
// pattern's dotted name is split into nested names when it is compiled.
type pathNode struct {
	names  []string
	kids   []*pathNode
	byLen  [maxIndexedName + 1][]int32 // indexes into names, by name length
	byName map[string]*pathNode        // every name, once the node is wide
	first  [4]uint64                   // the first bytes of the names, as a set of 256 bits
	empty  bool                        // one of the names is ""
	id     int32
}

// maxIndexedName is the longest name found through byLen; longer names are found by a scan.
// wideNode is how many children make a node switch to a map.
const (
	maxIndexedName = 47
	wideNode       = 64
)

func newPathNode() *pathNode { return &pathNode{id: -1} }

// child returns the child for a field name, or nil when no pattern goes there. Names are
// bucketed by length, so a lookup usually compares the key with one name at most.
func (n *pathNode) child(key []byte) *pathNode {
	if n.byName != nil {
		return n.byName[string(key)]
	}
	if len(key) <= maxIndexedName {
		for _, i := range n.byLen[len(key)] {
			if n.names[i] == string(key) {
				return n.kids[i]
			}
		}
		return nil
	}
	for i, name := range n.names {
		if name == string(key) {
			return n.kids[i]
		}
	}
	return nil
}

// descend returns the node for an event's field name, following the name's dots as nested
// names ("a.b" is a then b), or nil when no pattern goes there.
func (n *pathNode) descend(key []byte) *pathNode {
	if !n.mayHold(key) {
		return nil
	}
	if c := n.child(key); c != nil {
		return c
	}
	dot := indexDot(key)
	if dot < 0 {
		return nil
	}
	if next := n.child(key[:dot]); next != nil {
		return next.descend(key[dot+1:])
	}
	return nil
}

// mayHold reports whether descend could find key here. Most of an event's names start with a
// byte no name here starts with; then neither the name nor its part before a dot can be here.
// It is small enough to be inlined where the scanner asks, saving the call for those names.
func (n *pathNode) mayHold(key []byte) bool {
	return len(key) == 0 || n.first[key[0]>>6]&(1<<(key[0]&63)) != 0 || n.empty
}

// indexDot returns the index of the first '.' in key, or -1, eight bytes at a time.
func indexDot(key []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(key); i += 8 {
		x := binary.LittleEndian.Uint64(key[i:i+8]) ^ (ones * '.')
		if m := (x - ones) &^ x & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(key); i++ {
		if key[i] == '.' {
			return i
		}
	}
	return -1
}

// insert returns the node for segs, creating the nodes on the way.
func (n *pathNode) insert(segs []string) *pathNode {
	cur := n
	for _, s := range segs {
		next := cur.child([]byte(s))
		if next == nil {
			next = newPathNode()
			i := int32(len(cur.names))
			cur.names = append(cur.names, s)
			cur.kids = append(cur.kids, next)
			if s == "" {
				cur.empty = true
			} else {
				cur.first[s[0]>>6] |= 1 << (s[0] & 63)
			}
			if len(s) <= maxIndexedName {
				cur.byLen[len(s)] = append(cur.byLen[len(s)], i)
			}
			switch {
			case cur.byName != nil:
				cur.byName[s] = next
			case len(cur.names) > wideNode:
				cur.byName = make(map[string]*pathNode, len(cur.names))
				for j, name := range cur.names {
					cur.byName[name] = cur.kids[j]
				}
			}
		}
		cur = next
	}
	return cur
}
