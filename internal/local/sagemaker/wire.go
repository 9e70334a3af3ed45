package sagemaker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/s3uri"
)

// Time is a SageMaker timestamp: on the wire, epoch seconds as a JSON number with
// millisecond precision (what the AWS SDKs' JSON 1.1 deserializers expect).
type Time struct{ time.Time }

func newTime(t time.Time) *Time { return &Time{t.UTC().Truncate(time.Millisecond)} }

// MarshalJSON writes epoch seconds as a number.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON reads epoch seconds (a number) or an RFC 3339 string.
func (t *Time) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("parse timestamp %q: %w", s, err)
		}
		t.Time = v.UTC()
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("parse timestamp %s: %w", b, err)
	}
	t.Time = time.UnixMilli(int64(f*1000 + 0.5)).UTC()
	return nil
}

// epochMillis renders a time the way SageMaker's EventBridge events do: epoch
// milliseconds as a string.
func epochMillis(t *Time) string {
	if t == nil {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// decodeInput decodes a request body into v, naming the problem on failure. An empty body
// decodes as {}.
func decodeInput(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return validationf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be of type %s", te.Field, jsonKind(te.Type.Kind().String()))
		}
		return validationf("the request body is not valid JSON: %v", err)
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "int", "int64", "int32", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "map", "struct":
		return "structure"
	case "slice":
		return "list"
	}
	return k
}

// validName checks a SageMaker resource name as SageMaker does: at most 63 characters
// (SageMaker's "Member must have length less than or equal to 63") and the pattern
// ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$; both failures are reported together, counted, in
// SageMaker's "N validation errors detected: ...; ..." shape.
func validName(field, v string) error {
	if v == "" {
		return validationf("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(field))
	}
	pattern := true
	prevDash := false
	groups := 0
	for i, r := range v {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		switch {
		case alnum:
			prevDash = false
			groups++
		case r == '-' && i > 0:
			prevDash = true
		default:
			pattern = false
		}
	}
	if prevDash || groups > 63 {
		pattern = false
	}
	var problems []string
	if !pattern {
		problems = append(problems, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", v, lowerFirst(field)))
	}
	if len(v) > 63 {
		problems = append(problems, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 63", v, lowerFirst(field)))
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return validationf("1 validation error detected: %s", problems[0])
	}
	return validationf("%d validation errors detected: %s", len(problems), strings.Join(problems, "; "))
}

// decodeRequired decodes body into in (see decodeInput) and checks that the member name
// points at, called field on the wire, is set: the input of the calls that name one resource.
func decodeRequired(body []byte, in any, field string, name *string) error {
	if err := decodeInput(body, in); err != nil {
		return err
	}
	return required(field, *name)
}

func required(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return validationf("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(field))
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// parseS3URI splits s3://bucket/prefix.
func parseS3URI(uri string) (bucket, key string, err error) {
	bucket, key, err = s3uri.Parse(uri)
	if err != nil {
		return "", "", validationf("%v", err)
	}
	return bucket, key, nil
}

// joinS3 appends path elements to an s3:// URI with single slashes.
func joinS3(base string, elems ...string) string {
	out := strings.TrimRight(base, "/")
	for _, e := range elems {
		out += "/" + strings.Trim(e, "/")
	}
	return out
}
