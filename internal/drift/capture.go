package drift

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// CaptureRecord is one line of a Model Monitor data capture file: one request and its response.
type CaptureRecord struct {
	CaptureData   CaptureData   `json:"captureData"`
	EventMetadata EventMetadata `json:"eventMetadata"`
	EventVersion  string        `json:"eventVersion"`
}

// CaptureData holds the captured request and response; either may be absent when capture
// was configured for one direction only.
type CaptureData struct {
	EndpointInput  *CapturePayload `json:"endpointInput,omitempty"`
	EndpointOutput *CapturePayload `json:"endpointOutput,omitempty"`
}

// CapturePayload is one captured body: Mode is "INPUT" or "OUTPUT", Encoding "CSV", "JSON" or
// "BASE64" (then Data is the body in standard base64).
type CapturePayload struct {
	ObservedContentType string `json:"observedContentType"`
	Mode                string `json:"mode"`
	Data                string `json:"data"`
	Encoding            string `json:"encoding"`
}

// EventMetadata identifies the request; InferenceTime is RFC 3339.
type EventMetadata struct {
	EventID       string `json:"eventId"`
	InferenceID   string `json:"inferenceId,omitempty"`
	InferenceTime string `json:"inferenceTime"`
}

// MalformedLine is a capture line that could not be read, with the reason.
type MalformedLine struct {
	Source string `json:"source"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Window bounds the inference times a [Capture] keeps: From inclusive, To exclusive; a zero
// bound is open.
type Window struct {
	From, To time.Time
}

// Capture accumulates the feature rows of captured requests, file after file.
// It is not safe for concurrent use.
type Capture struct {
	// Records counts the well-formed records read inside the window.
	Records int
	// OutsideWindow counts well-formed records whose inference time fell outside the window.
	OutsideWindow int
	// Rows are the request rows, as text cells, in reading order.
	Rows [][]string
	// Malformed lists the lines that could not be read. A malformed line never stops reading.
	Malformed []MalformedLine
}

// maxLine bounds one capture line: a 6 MB request body in base64 plus the envelope.
const maxLine = 16 << 20

// ReadCapture reads one JSON Lines capture file named source and appends the request rows of
// the records inside w. Each malformed line (bad JSON, no endpointInput, mode other than
// INPUT, unknown encoding, bad base64, CSV or JSON data, missing or bad inferenceTime when
// w has a bound) is recorded in Malformed and skipped. Only a read error is returned.
func (c *Capture) ReadCapture(source string, r io.Reader, w Window) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		rows, in, err := parseRecord(text, w)
		if err != nil {
			c.Malformed = append(c.Malformed, MalformedLine{Source: source, Line: line, Reason: err.Error()})
			continue
		}
		if !in {
			c.OutsideWindow++
			continue
		}
		c.Records++
		c.Rows = append(c.Rows, rows...)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			c.Malformed = append(c.Malformed, MalformedLine{Source: source, Line: line + 1, Reason: "line longer than 16 MiB; the rest of the file is skipped"})
			return nil
		}
		return fmt.Errorf("read capture %s: %w", source, err)
	}
	return nil
}

// parseRecord returns the rows of one capture line and whether it falls inside w.
func parseRecord(text []byte, w Window) ([][]string, bool, error) {
	var rec CaptureRecord
	if err := json.Unmarshal(text, &rec); err != nil {
		return nil, false, fmt.Errorf("decode record: %w", err)
	}
	if !w.From.IsZero() || !w.To.IsZero() {
		at, err := time.Parse(time.RFC3339Nano, rec.EventMetadata.InferenceTime)
		if err != nil {
			return nil, false, fmt.Errorf("eventMetadata.inferenceTime %q is not an RFC 3339 time", rec.EventMetadata.InferenceTime)
		}
		if (!w.From.IsZero() && at.Before(w.From)) || (!w.To.IsZero() && !at.Before(w.To)) {
			return nil, false, nil
		}
	}
	in := rec.CaptureData.EndpointInput
	if in == nil {
		return nil, false, errors.New("no captureData.endpointInput")
	}
	if in.Mode != "" && in.Mode != "INPUT" {
		return nil, false, fmt.Errorf("endpointInput.mode %q: want INPUT", in.Mode)
	}
	rows, err := decodePayload(in)
	if err != nil {
		return nil, false, fmt.Errorf("endpointInput: %w", err)
	}
	return rows, true, nil
}

// decodePayload returns the rows of a captured request body.
func decodePayload(p *CapturePayload) ([][]string, error) {
	data := []byte(p.Data)
	switch strings.ToUpper(p.Encoding) {
	case "CSV", "":
	case "JSON":
		return jsonRows(data)
	case "BASE64":
		raw, err := base64.StdEncoding.DecodeString(p.Data)
		if err != nil {
			return nil, fmt.Errorf("decode base64 data: %w", err)
		}
		data = raw
		if strings.Contains(strings.ToLower(p.ObservedContentType), "json") {
			return jsonRows(data)
		}
	default:
		return nil, fmt.Errorf("encoding %q: want CSV, JSON or BASE64", p.Encoding)
	}
	return csvRows(data)
}

func csvRows(data []byte) ([][]string, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parse csv data: %w", err)
	}
	if len(rows) == 0 {
		return nil, errors.New("data holds no row")
	}
	return rows, nil
}

// jsonRows accepts a row ([1, "M", ...]), a list of rows, or {"instances": [...]} whose items
// are rows or {"features": row}.
func jsonRows(data []byte) ([][]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parse json data: %w", err)
	}
	if obj, ok := v.(map[string]any); ok {
		inst, ok := obj["instances"].([]any)
		if !ok {
			return nil, errors.New(`json data: want an array or {"instances": [...]}`)
		}
		v = inst
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, errors.New("json data: want a non-empty array")
	}
	if _, nested := list[0].([]any); !nested {
		if _, obj := list[0].(map[string]any); !obj {
			list = []any{list}
		}
	}
	rows := make([][]string, 0, len(list))
	for i, item := range list {
		if obj, ok := item.(map[string]any); ok {
			item = obj["features"]
		}
		cells, ok := item.([]any)
		if !ok {
			return nil, fmt.Errorf("json data: row %d is not an array", i+1)
		}
		row := make([]string, len(cells))
		for j, c := range cells {
			switch x := c.(type) {
			case nil:
				row[j] = ""
			case string:
				row[j] = x
			case json.Number:
				row[j] = x.String()
			case bool:
				row[j] = fmt.Sprint(x)
			default:
				return nil, fmt.Errorf("json data: row %d cell %d is not a scalar", i+1, j+1)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}
