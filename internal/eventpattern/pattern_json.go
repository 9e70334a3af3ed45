package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// object is a JSON object of a pattern with its keys in document order.
type object struct {
	keys []string
	vals []any
}

// maxPatternDepth bounds the nesting of a pattern document.
const maxPatternDepth = 100

// parsePatternJSON decodes a pattern document into object, []any, string, json.Number, bool
// and nil, keeping the order of keys, letting the last of duplicate keys win, and rejecting
// trailing data.
func parsePatternJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := parseNode(dec, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, patternErr("", "unexpected data after the pattern object")
	}
	return v, nil
}

func parseNode(dec *json.Decoder, path string, depth int) (any, error) {
	if depth > maxPatternDepth {
		return nil, patternErr(path, "nested deeper than %d levels", maxPatternDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, patternErr(path, "not valid JSON: %v", jsonReason(err))
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := &object{}
			seen := map[string]int{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, patternErr(path, "not valid JSON: %v", jsonReason(err))
				}
				key := kt.(string)
				v, err := parseNode(dec, joinPath(path, key), depth+1)
				if err != nil {
					return nil, err
				}
				// As EventBridge documents, a key given twice counts once: the last one.
				if i, dup := seen[key]; dup {
					obj.vals[i] = v
					continue
				}
				seen[key] = len(obj.keys)
				obj.keys = append(obj.keys, key)
				obj.vals = append(obj.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, patternErr(path, "not valid JSON: %v", jsonReason(err))
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := parseNode(dec, fmt.Sprintf("%s[%d]", path, len(arr)), depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, patternErr(path, "not valid JSON: %v", jsonReason(err))
			}
			return arr, nil
		}
		return nil, patternErr(path, "not valid JSON: unexpected %v", t)
	default:
		return t, nil
	}
}

// jsonReason shortens a decoder error for a pattern error message.
func jsonReason(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return err.Error()
}

// joinPath appends a field name to a dotted pattern path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names the JSON type of a decoded pattern value for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case *object:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "the number " + string(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// patternErr builds a *PatternError for path.
func patternErr(path, format string, args ...any) error {
	return &PatternError{Path: path, Reason: fmt.Sprintf(format, args...)}
}
