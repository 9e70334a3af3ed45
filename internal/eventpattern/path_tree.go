package eventpattern

import "bytes"

// pathNode is one field name in the tree of event paths that some pattern tests. id is the
// path's number when a pattern tests a leaf there, -1 otherwise.
type pathNode struct {
	names  []string
	kids   []*pathNode
	byName map[string]*pathNode
	id     int32
}

// smallNode is how many children a node keeps in slices before it switches to a map; a
// linear scan comparing lengths first beats hashing for a few dozen names.
const smallNode = 32

func newPathNode() *pathNode { return &pathNode{id: -1} }

// child returns the child for a field name, or nil when no pattern goes there.
func (n *pathNode) child(key []byte) *pathNode {
	if n.byName != nil {
		return n.byName[string(key)]
	}
	for i, name := range n.names {
		if len(name) == len(key) && name == string(key) {
			return n.kids[i]
		}
	}
	return nil
}

// descend returns the node for an event's field name, following the name's dots as nested
// names ("a.b" is a then b), or nil when no pattern goes there.
func (n *pathNode) descend(key []byte) *pathNode {
	if bytes.IndexByte(key, '.') < 0 {
		return n.child(key)
	}
	cur := n
	for cur != nil {
		i := bytes.IndexByte(key, '.')
		if i < 0 {
			return cur.child(key)
		}
		cur = cur.child(key[:i])
		key = key[i+1:]
	}
	return nil
}

// insert returns the node for segs, creating the nodes on the way.
func (n *pathNode) insert(segs []string) *pathNode {
	cur := n
	for _, s := range segs {
		next := cur.child([]byte(s))
		if next == nil {
			next = newPathNode()
			cur.names = append(cur.names, s)
			cur.kids = append(cur.kids, next)
			if len(cur.names) > smallNode {
				if cur.byName == nil {
					cur.byName = make(map[string]*pathNode, len(cur.names))
					for i, name := range cur.names {
						cur.byName[name] = cur.kids[i]
					}
				} else {
					cur.byName[s] = next
				}
			}
		}
		cur = next
	}
	return cur
}
