package asl

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeJSON decodes one JSON value into plain Go values (numbers as float64), as
// encoding/json does without UseNumber, but faster. Anything unusual (a syntax error, an
// escape it does not handle) falls back to encoding/json so errors read the same.
func decodeJSON(b []byte) (any, error) {
	return decodeJSONOrdered(b, nil)
}

// decodeJSONOrdered is decodeJSON that also records the key order of every object it decodes
// in order (when order is not nil; the encoding/json fallback records nothing).
func decodeJSONOrdered(b []byte, order *keyOrder) (any, error) {
	return decodeJSONWith(b, order, nil)
}

// decodeBufs are a decoder's key buffers, for a caller that decodes one input after another
// (a recycled execution) to reuse instead of allocating them each time.
type decodeBufs struct {
	keyBuf, keyArena []string
}

// emptied returns the buffers truncated, their contents cleared so they keep no key alive.
func (b decodeBufs) emptied() decodeBufs {
	clear(b.keyBuf[:cap(b.keyBuf)])
	clear(b.keyArena[:cap(b.keyArena)])
	return decodeBufs{keyBuf: b.keyBuf[:0], keyArena: b.keyArena[:0]}
}

// decodeJSONWith is decodeJSONOrdered using, and leaving in bufs when it is not nil, the key
// buffers; the key lists it records are slices of bufs.keyArena, which must stay untouched
// until order is reset.
func decodeJSONWith(b []byte, order *keyOrder, bufs *decodeBufs) (any, error) {
	d := decoder{b: b, order: order}
	if bufs != nil {
		d.keyBuf, d.keyArena = bufs.keyBuf, bufs.keyArena
	}
	if order != nil && d.keyBuf == nil {
		d.keyBuf = make([]string, 0, 8) // grown once for a typical input, not key by key
	}
	d.ws()
	v, ok := d.value(0)
	if bufs != nil {
		bufs.keyBuf, bufs.keyArena = d.keyBuf[:0], d.keyArena
	}
	if ok {
		d.ws()
		if d.i == len(d.b) {
			return v, nil
		}
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

type decoder struct {
	b     []byte
	i     int
	order *keyOrder
	// keyBuf collects the keys of the objects being decoded (when order is set): an object
	// appends its keys after its parent's, copies them out when it ends and truncates back.
	keyBuf []string
	// double is whether the last number num parsed had a fraction or an exponent;
	// doubleIdx collects such elements' indexes of the arrays being decoded (when order is set).
	double    bool
	doubleIdx []int
	// keyArena holds the recorded key lists back to back, so recording costs no allocation
	// per object; a list is a capacity-capped slice of it, so appending to one copies.
	keyArena []string
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value parses a value; ok is false on anything it does not accept.
func (d *decoder) value(depth int) (any, bool) {
	if d.i >= len(d.b) || depth > 10000 {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		d.i++
		m := map[string]any{}
		d.ws()
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return m, true
		}
		keyStart := len(d.keyBuf)
		for {
			d.ws()
			if d.i >= len(d.b) || d.b[d.i] != '"' {
				return nil, false
			}
			k, ok := d.str()
			if !ok {
				return nil, false
			}
			d.ws()
			if d.i >= len(d.b) || d.b[d.i] != ':' {
				return nil, false
			}
			d.i++
			d.ws()
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			m[k] = v
			if d.order != nil {
				d.keyBuf = append(d.keyBuf, k)
				d.noteDouble(m, v, k, -1)
			}
			d.ws()
			if d.i >= len(d.b) {
				return nil, false
			}
			if d.b[d.i] == ',' {
				d.i++
				continue
			}
			if d.b[d.i] == '}' {
				d.i++
				if d.order != nil {
					if n := len(d.keyBuf) - keyStart; n > 1 {
						a := len(d.keyArena)
						d.keyArena = append(d.keyArena, d.keyBuf[keyStart:]...)
						d.order.record(m, d.keyArena[a:len(d.keyArena):len(d.keyArena)])
					}
					d.keyBuf = d.keyBuf[:keyStart]
				}
				return m, true
			}
			return nil, false
		}
	case c == '[':
		d.i++
		a := []any{}
		idxStart := len(d.doubleIdx)
		d.ws()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return a, true
		}
		for {
			d.ws()
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			a = append(a, v)
			if _, isNum := v.(float64); isNum && d.order != nil && d.double && d.order.numbers {
				d.doubleIdx = append(d.doubleIdx, len(a)-1)
			}
			d.ws()
			if d.i >= len(d.b) {
				return nil, false
			}
			if d.b[d.i] == ',' {
				d.i++
				continue
			}
			if d.b[d.i] == ']' {
				d.i++
				for _, i := range d.doubleIdx[idxStart:] {
					d.order.recordDouble(a, "", i)
				}
				d.doubleIdx = d.doubleIdx[:idxStart]
				return a, true
			}
			return nil, false
		}
	case c == '"':
		s, ok := d.str()
		return s, ok
	case c == 't':
		if d.lit("true") {
			return true, true
		}
	case c == 'f':
		if d.lit("false") {
			return false, true
		}
	case c == 'n':
		if d.lit("null") {
			return nil, true
		}
	case c == '-' || c >= '0' && c <= '9':
		return d.num()
	}
	return nil, false
}

func (d *decoder) lit(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

func (d *decoder) num() (any, bool) {
	start := d.i
	if d.b[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	intStart := d.i
	if digits() == 0 || d.b[intStart] == '0' && d.i-intStart > 1 {
		return nil, false
	}
	simple := true
	if d.i < len(d.b) && d.b[d.i] == '.' {
		simple = false
		d.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		simple = false
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	d.double = !simple
	text := d.b[start:d.i]
	if simple && len(text) < 16 {
		var n int64
		neg := text[0] == '-'
		for _, c := range text {
			if c != '-' {
				n = n*10 + int64(c-'0')
			}
		}
		if neg {
			n = -n
		}
		return float64(n), true
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return nil, false
	}
	return f, true
}

// str parses a string at d.i (which holds '"').
func (d *decoder) str() (string, bool) {
	d.i++
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			s := string(d.b[start:d.i])
			d.i++
			return s, true
		case c == '\\':
			return d.strSlow(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.b[d.i:])
			if r == utf8.RuneError && size == 1 {
				return d.strSlow(start)
			}
			d.i += size
		default:
			d.i++
		}
	}
	return "", false
}

// strSlow finishes a string with escapes or invalid UTF-8 by handing it to encoding/json.
func (d *decoder) strSlow(start int) (string, bool) {
	i := d.i
	for i < len(d.b) {
		c := d.b[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '"' {
			var s string
			if err := json.Unmarshal(d.b[start-1:i+1], &s); err != nil {
				return "", false
			}
			d.i = i + 1
			return s, true
		}
		i++
	}
	return "", false
}

// noteDouble records member key of m when v is a number num just parsed in floating-point form.
func (d *decoder) noteDouble(m map[string]any, v any, key string, index int) {
	if _, isNum := v.(float64); isNum && d.double && d.order.numbers {
		d.order.recordDouble(m, key, index)
	}
}
