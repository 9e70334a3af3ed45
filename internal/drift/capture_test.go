package drift

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadCaptureSample(t *testing.T) {
	f, err := os.Open("testdata/capture.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var c Capture
	w := Window{From: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 22, 19, 0, 0, 0, time.UTC)}
	require.NoError(t, c.ReadCapture("capture.jsonl", f, w))

	assert.Equal(t, 4, c.Records, "csv, multi-row csv, base64 and json records")
	assert.Equal(t, 1, c.OutsideWindow, "the record from 17:10 is outside the window")
	assert.Equal(t, [][]string{
		{"M", "0.455", "0.365", "0.095", "0.514", "0.2245", "0.101", "0.15"},
		{"F", "0.53", "0.42", "0.135", "0.677", "0.2565", "0.1415", "0.21"},
		{"I", "0.33", "0.255", "0.08", "0.205", "0.0895", "0.0395", "0.055"},
		{"M", "0.44", "0.365", "0.125", "0.516", "0.2155", "0.114", "0.155"},
		{"M", "0.35", "0.265", "0.09", "0.2255", "0.0995", "0.0485", "0.07"},
	}, c.Rows)
	require.Len(t, c.Malformed, 2)
	assert.Equal(t, 4, c.Malformed[0].Line)
	assert.Contains(t, c.Malformed[0].Reason, "decode record")
	assert.Equal(t, 5, c.Malformed[1].Line)
	assert.Equal(t, "no captureData.endpointInput", c.Malformed[1].Reason)
	assert.Equal(t, "capture.jsonl", c.Malformed[1].Source)
}

func TestReadCaptureMalformedLines(t *testing.T) {
	rec := func(input string) string {
		return `{"captureData":{"endpointInput":` + input + `},"eventMetadata":{"eventId":"e","inferenceTime":"2026-11-22T18:05:11Z"},"eventVersion":"0"}`
	}
	tests := []struct {
		name   string
		line   string
		reason string
	}{
		{"an output-mode input is malformed", rec(`{"observedContentType":"text/csv","mode":"OUTPUT","data":"1","encoding":"CSV"}`), `endpointInput.mode "OUTPUT": want INPUT`},
		{"an unknown encoding is malformed", rec(`{"observedContentType":"text/csv","mode":"INPUT","data":"1","encoding":"UTF16"}`), `encoding "UTF16"`},
		{"broken base64 is malformed", rec(`{"observedContentType":"text/csv","mode":"INPUT","data":"!!!","encoding":"BASE64"}`), "decode base64 data"},
		{"a broken csv quote is malformed", rec(`{"observedContentType":"text/csv","mode":"INPUT","data":"M,\"0.4","encoding":"CSV"}`), "parse csv data"},
		{"json data that is an object without instances is malformed", rec(`{"observedContentType":"application/json","mode":"INPUT","data":"{\"rows\":1}","encoding":"JSON"}`), "want an array"},
		{"a bad inference time is malformed", `{"captureData":{"endpointInput":{"mode":"INPUT","data":"1","encoding":"CSV"}},"eventMetadata":{"eventId":"e","inferenceTime":"yesterday"},"eventVersion":"0"}`, `inferenceTime "yesterday"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Capture
			good := rec(`{"observedContentType":"text/csv","mode":"INPUT","data":"M,1","encoding":"CSV"}`)
			w := Window{From: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)}
			require.NoError(t, c.ReadCapture("f", strings.NewReader(tt.line+"\n"+good+"\n"), w))
			require.Len(t, c.Malformed, 1)
			assert.Contains(t, c.Malformed[0].Reason, tt.reason)
			assert.Equal(t, 1, c.Malformed[0].Line)
			assert.Equal(t, 1, c.Records, "the good line after a malformed one is still read")
			assert.Equal(t, [][]string{{"M", "1"}}, c.Rows)
		})
	}
}
