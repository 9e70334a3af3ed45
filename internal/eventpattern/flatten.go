package eventpattern

// maxEventDepth bounds the nesting of objects and arrays in an event.
const maxEventDepth = 10000

// scanner walks an event's JSON once, checking its syntax everywhere and recording the leaf
// values at the paths of the tree; whatever no pattern tests is skipped without being kept.
type scanner struct {
	b     []byte
	i     int
	depth int
	st    *eventState
}

func (s *scanner) fail(reason string) error {
	return &EventError{Offset: s.i, Reason: reason}
}

func (s *scanner) ws() { s.i = skipWS(s.b, s.i) }

// flatten fills st.vals with the event's leaf values at the paths under root.
func (st *eventState) flatten(event []byte, root *pathNode) error {
	st.vals = st.vals[:0]
	st.elems = st.elems[:0]
	st.cur = -1
	st.nArrays = 0
	s := scanner{b: event, st: st}
	s.ws()
	if s.i >= len(s.b) {
		return s.fail("empty input")
	}
	if s.b[s.i] != '{' {
		return s.fail("the event must be a JSON object")
	}
	if err := s.object(root); err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.b) {
		return s.fail("unexpected data after the event object")
	}
	return nil
}

// object scans an object starting at '{' whose path is node; fields no pattern reads are
// skipped. The position lives in a local between calls, so the loop over the fields does not
// go through memory for it.
func (s *scanner) object(node *pathNode) error {
	s.depth++
	if s.depth > maxEventDepth {
		return s.fail("nested too deeply")
	}
	b := s.b
	i := skipWS(b, s.i+1)
	if i < len(b) && b[i] == '}' {
		s.i = i + 1
		s.depth--
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			s.i = i
			return s.fail("expected a field name")
		}
		end, esc, reason := scanString(b, i)
		if reason != "" {
			s.i = end
			return s.fail(reason)
		}
		key := b[i+1 : end-1]
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			s.i = i
			return s.fail("expected ':' after a field name")
		}
		i = skipWS(b, i+1)
		if esc {
			key = decodeString(key)
		}
		var child *pathNode
		if node.mayHold(key) {
			child = node.descend(key)
		}
		if child == nil && i < len(b) && b[i] == '"' {
			// The commonest case, a string no pattern reads, without the general skipper.
			if i, reason = skipString(b, i); reason != "" {
				s.i = i
				return s.fail(reason)
			}
		} else {
			s.i = i
			if err := s.value(child); err != nil {
				return err
			}
			i = s.i
		}
		i = skipWS(b, i)
		if i >= len(b) {
			s.i = i
			return s.fail("unexpected end of input in an object")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			s.i = i + 1
			s.depth--
			return nil
		default:
			s.i = i
			return s.fail("expected ',' or '}' in an object")
		}
	}
}

// array scans an array starting at '['; its elements are values at node's path, each
// recorded as an element so that values can later be told apart by element.
func (s *scanner) array(node *pathNode) error {
	s.depth++
	if s.depth > maxEventDepth {
		return s.fail("nested too deeply")
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return nil
	}
	st := s.st
	outer := st.cur
	array, depth := st.nArrays, int32(0)
	st.nArrays++
	if outer >= 0 {
		depth = st.elems[outer].depth + 1
	}
	for idx := int32(0); ; idx++ {
		st.cur = int32(len(st.elems))
		st.elems = append(st.elems, element{array: array, index: idx, parent: outer, depth: depth})
		if err := s.value(node); err != nil {
			return err
		}
		st.cur = outer
		s.ws()
		if s.i >= len(s.b) {
			return s.fail("unexpected end of input in an array")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			s.depth--
			return nil
		default:
			return s.fail("expected ',' or ']' in an array")
		}
	}
}

// value scans any JSON value; node is its path's tree node, or nil when no pattern reads the
// value, which is then only checked.
func (s *scanner) value(node *pathNode) error {
	if node == nil {
		var reason string
		s.i, s.st.skip, reason = skipValue(s.b, s.i, s.depth, s.st.skip)
		if reason != "" {
			return s.fail(reason)
		}
		return nil
	}
	if s.i >= len(s.b) {
		return s.fail("unexpected end of input, expected a value")
	}
	switch c := s.b[s.i]; {
	case c == '{':
		if len(node.names) == 0 {
			return s.value(nil)
		}
		return s.object(node)
	case c == '[':
		return s.array(node)
	case c == '"':
		raw, esc, err := s.str()
		if err != nil {
			return err
		}
		if node.id >= 0 {
			if esc {
				raw = decodeString(raw)
			}
			s.emit(node.id, kindString, raw)
		}
		return nil
	case c == 't':
		return s.literal("true", node, kindTrue)
	case c == 'f':
		return s.literal("false", node, kindFalse)
	case c == 'n':
		return s.literal("null", node, kindNull)
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.i
		if err := s.number(); err != nil {
			return err
		}
		if node.id >= 0 {
			v := s.emit(node.id, kindNumber, s.b[start:s.i])
			v.num, v.numOK = scaleNumberBytes(v.str)
		}
		return nil
	default:
		return s.fail("unexpected character, expected a value")
	}
}

// emit records a leaf value with the array element it sits in.
func (s *scanner) emit(path int32, k kind, b []byte) *value {
	st := s.st
	st.vals = append(st.vals, value{str: b, path: path, kind: k, elem: st.cur})
	return &st.vals[len(st.vals)-1]
}

func (s *scanner) literal(word string, node *pathNode, k kind) error {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return s.fail("invalid literal, expected " + word)
	}
	s.i += len(word)
	if node.id >= 0 {
		s.emit(node.id, k, nil)
	}
	return nil
}

// number checks a JSON number starting at the current position.
func (s *scanner) number() error {
	i, reason := skipNumber(s.b, s.i)
	s.i = i
	if reason != "" {
		return s.fail(reason)
	}
	return nil
}

// str scans a string starting at '"' and returns its raw content (escapes not decoded) and
// whether it holds escapes.
func (s *scanner) str() ([]byte, bool, error) {
	start := s.i + 1
	end, esc, reason := scanString(s.b, s.i)
	s.i = end
	if reason != "" {
		return nil, false, s.fail(reason)
	}
	return s.b[start : end-1], esc, nil
}
