package serving

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"path"
	"strings"
	"sync"
	"time"
)

// CaptureConfig is an endpoint config's DataCaptureConfig, as SageMaker's API spells it.
type CaptureConfig struct {
	EnableCapture             *bool           `json:"EnableCapture,omitempty"`
	InitialSamplingPercentage int             `json:"InitialSamplingPercentage"`
	DestinationS3Uri          string          `json:"DestinationS3Uri"`
	KmsKeyID                  string          `json:"KmsKeyId,omitempty"`
	CaptureOptions            []CaptureOption `json:"CaptureOptions"`
	CaptureContentTypeHeader  *struct {
		CsvContentTypes  []string `json:"CsvContentTypes,omitempty"`
		JSONContentTypes []string `json:"JsonContentTypes,omitempty"`
	} `json:"CaptureContentTypeHeader,omitempty"`
}

// CaptureOption is one CaptureMode (Input, Output).
type CaptureOption struct {
	CaptureMode string `json:"CaptureMode"`
}

// Enabled reports whether d captures anything (a nil config captures nothing).
func (d *CaptureConfig) Enabled() bool {
	return d != nil && (d.EnableCapture == nil || *d.EnableCapture)
}

// Captures reports whether d captures mode (Input, Output, InputAndOutput).
func (d *CaptureConfig) Captures(mode string) bool {
	for _, o := range d.CaptureOptions {
		if strings.EqualFold(o.CaptureMode, mode) {
			return true
		}
	}
	return false
}

// Capture buffers Model Monitor capture records per endpoint, variant and hour and writes
// them through Put as JSON Lines. Its methods are safe for concurrent use.
type Capture struct {
	// Put writes one object at an s3:// URI.
	Put func(ctx context.Context, uri string, body []byte) error
	// Rand returns a float in [0,1) for sampling.
	Rand func() float64
	// MaxRecords flushes a buffer at this many records.
	MaxRecords int
	// Log receives failed writes.
	Log *slog.Logger

	mu      sync.Mutex
	buffers map[string]*captureBuffer
	wg      sync.WaitGroup
}

type captureBuffer struct {
	uri     string // the object's s3:// URI
	records [][]byte
}

// Run flushes every buffer each time tick delivers, until ctx is done.
func (c *Capture) Run(ctx context.Context, tick func() <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick():
			if err := c.Flush(ctx); err != nil {
				c.Log.Warn("flush captured data", "err", err)
			}
		}
	}
}

type captureRecord struct {
	CaptureData struct {
		EndpointInput  *captureData `json:"endpointInput,omitempty"`
		EndpointOutput *captureData `json:"endpointOutput,omitempty"`
	} `json:"captureData"`
	EventMetadata struct {
		EventID       string `json:"eventId"`
		InferenceTime string `json:"inferenceTime"`
	} `json:"eventMetadata"`
	EventVersion string `json:"eventVersion"`
}

type captureData struct {
	ObservedContentType string `json:"observedContentType"`
	Mode                string `json:"mode"`
	Data                string `json:"data"`
	Encoding            string `json:"encoding"`
}

// encodeCapture encodes a payload as CSV, JSON or BASE64 by the config's content types
// (with none configured SageMaker base64-encodes everything).
func encodeCapture(d *CaptureConfig, contentType, mode string, body []byte) *captureData {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.TrimSpace(strings.ToLower(contentType))
	}
	enc := "BASE64"
	if h := d.CaptureContentTypeHeader; h != nil {
		for _, t := range h.CsvContentTypes {
			if strings.EqualFold(t, mt) {
				enc = "CSV"
			}
		}
		for _, t := range h.JSONContentTypes {
			if strings.EqualFold(t, mt) {
				enc = "JSON"
			}
		}
	}
	data := string(body)
	if enc == "BASE64" {
		data = base64.StdEncoding.EncodeToString(body)
	}
	return &captureData{ObservedContentType: contentType, Mode: mode, Data: data, Encoding: enc}
}

func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Record captures one invocation when the sampling draw allows it.
func (c *Capture) Record(endpoint, variant string, d *CaptureConfig, inType string, in []byte, outType string, out []byte, at time.Time) {
	if d.InitialSamplingPercentage < 100 && c.Rand()*100 >= float64(d.InitialSamplingPercentage) {
		return
	}
	var rec captureRecord
	if d.Captures("Input") || d.Captures("InputAndOutput") {
		rec.CaptureData.EndpointInput = encodeCapture(d, inType, "INPUT", in)
	}
	if d.Captures("Output") || d.Captures("InputAndOutput") {
		rec.CaptureData.EndpointOutput = encodeCapture(d, outType, "OUTPUT", out)
	}
	at = at.UTC()
	rec.EventMetadata.EventID = newEventID()
	rec.EventMetadata.InferenceTime = at.Format("2006-01-02T15:04:05Z")
	rec.EventVersion = "0"
	line, err := json.Marshal(rec)
	if err != nil {
		return
	}
	hour := at.Format("2006/01/02/15")
	key := d.DestinationS3Uri + "|" + endpoint + "|" + variant + "|" + hour
	if full := c.add(key, d.DestinationS3Uri, endpoint, variant, hour, at, line); full != nil {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			if err := c.write(context.Background(), full); err != nil {
				c.Log.Warn("write captured data", "uri", full.uri, "err", err)
			}
		}()
	}
}

// add appends line to its buffer and returns the buffer when it is full (taken out).
func (c *Capture) add(key, dest, endpoint, variant, hour string, at time.Time, line []byte) *captureBuffer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buffers == nil {
		c.buffers = map[string]*captureBuffer{}
	}
	b, ok := c.buffers[key]
	if !ok {
		name := fmt.Sprintf("%s-%03d-%s.jsonl", at.Format("04-05"), at.Nanosecond()/1e6, newEventID())
		b = &captureBuffer{uri: strings.TrimRight(dest, "/") + "/" + path.Join(endpoint, variant, hour, name)}
		c.buffers[key] = b
	}
	b.records = append(b.records, line)
	if len(b.records) < c.MaxRecords {
		return nil
	}
	delete(c.buffers, key)
	return b
}

func (c *Capture) write(ctx context.Context, b *captureBuffer) error {
	var body []byte
	for _, r := range b.records {
		body = append(body, r...)
		body = append(body, '\n')
	}
	if err := c.Put(ctx, b.uri, body); err != nil {
		return fmt.Errorf("put %s: %w", b.uri, err)
	}
	return nil
}

// Flush writes every buffered record and waits for writes in flight.
func (c *Capture) Flush(ctx context.Context) error {
	bufs := c.take()
	var errs []error
	for _, b := range bufs {
		if err := c.write(ctx, b); err != nil {
			errs = append(errs, err)
		}
	}
	c.wg.Wait()
	return errors.Join(errs...)
}

// take empties the buffers and returns them.
func (c *Capture) take() map[string]*captureBuffer {
	c.mu.Lock()
	defer c.mu.Unlock()
	bufs := c.buffers
	c.buffers = map[string]*captureBuffer{}
	return bufs
}
