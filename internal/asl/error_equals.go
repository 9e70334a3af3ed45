package asl

// errorMatches reports whether an ErrorEquals name matches the error, with the wildcard rules:
// nothing matches States.Runtime; States.ALL matches every other error (States.DataLimitExceeded
// included, as recorded on AWS); States.TaskFailed matches everything but States.Timeout.
func errorMatches(pattern, name string) bool {
	if name == ErrRuntime {
		return false
	}
	switch pattern {
	case name:
		return true
	case ErrAll:
		return true
	case ErrTaskFailed:
		return name != ErrTimeout
	}
	return false
}

// errorNames checks an ErrorEquals list.
func (c *checker) errorEquals(path string, obj map[string]any) []string {
	v, ok := obj["ErrorEquals"]
	if !ok {
		c.add(join(path, "ErrorEquals"), "is required")
		return nil
	}
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		c.add(join(path, "ErrorEquals"), "must be a non-empty array of strings")
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			c.add(index(join(path, "ErrorEquals"), i), "must be a string")
			continue
		}
		if s == ErrAll && len(arr) > 1 {
			c.soft(join(path, "ErrorEquals"), "States.ALL must appear alone")
		}
		out = append(out, s)
	}
	return out
}

// handlers calls fn for each element of the Retry or Catch array v (at path) with its path
// and whether it is the array's last element, reporting a v that is not an array and each
// element that is not an object.
func (c *checker) handlers(path string, v any, fn func(p string, obj map[string]any, last bool)) {
	arr, ok := v.([]any)
	if !ok {
		c.add(path, "must be an array")
		return
	}
	for i, e := range arr {
		p := index(path, i)
		obj, ok := e.(map[string]any)
		if !ok {
			c.add(p, "must be an object")
			continue
		}
		fn(p, obj, i == len(arr)-1)
	}
}

// allLast reports a States.ALL in the ErrorEquals of a retrier or catcher (kind) at p that is
// not the last of its array.
func (c *checker) allLast(p string, errorEquals []string, last bool, kind string) {
	if last {
		return
	}
	for j, name := range errorEquals {
		if name == ErrAll {
			c.soft(index(join(p, "ErrorEquals"), j), "a %s with States.ALL must be the last one", kind)
		}
	}
}
