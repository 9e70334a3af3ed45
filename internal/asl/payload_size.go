package asl

// maxPayloadBytes is Step Functions' limit on a state's input, output or task result.
const maxPayloadBytes = 256 * 1024

// jsonSizeOver reports whether the compact JSON text of v is longer than limit bytes. It
// first counts a lower bound of the length without building the text (stopping once over);
// only values near the limit are encoded to be measured exactly.
func jsonSizeOver(v any, limit int) bool {
	n := 0
	var walk func(v any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case nil:
			n += 4
		case bool:
			n += 4
		case string:
			n += len(x) + 2
		case float64:
			n++
		case map[string]any:
			n += 2
			for k, e := range x {
				n += len(k) + 3
				if walk(e) {
					return true
				}
			}
		case []any:
			n += 2
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		default:
			b, _ := marshalJSON(x)
			n += len(b)
		}
		return n > limit
	}
	if walk(v) {
		return true
	}
	if n > limit/2 {
		// Close to the limit the estimate is not enough: measure exactly.
		b, err := marshalJSON(v)
		return err == nil && len(b) > limit
	}
	return false
}
