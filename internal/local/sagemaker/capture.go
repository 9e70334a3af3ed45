package sagemaker

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"sync"
	"time"
)

// captureWriter buffers Model Monitor capture records per endpoint, variant and hour and
// writes them to the blob store as JSON Lines.
type captureWriter struct {
	s       *Service
	mu      sync.Mutex
	buffers map[string]*captureBuffer
	wg      sync.WaitGroup
}

type captureBuffer struct {
	uri     string // the object's s3:// URI
	records [][]byte
}

func newCaptureWriter(s *Service) *captureWriter {
	return &captureWriter{s: s, buffers: map[string]*captureBuffer{}}
}

// start runs the time-based flush on the service's clock.
func (c *captureWriter) start() {
	if c.s.cfg.CaptureFlushInterval < 0 {
		return
	}
	c.s.wg.Add(1)
	go func() {
		defer c.s.wg.Done()
		for {
			select {
			case <-c.s.ctx.Done():
				return
			case <-c.s.cfg.Clock.After(c.s.cfg.CaptureFlushInterval):
				if err := c.flushAll(c.s.ctx); err != nil {
					c.s.log.Warn("flush captured data", "err", err)
				}
			}
		}
	}()
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
func encodeCapture(d *dataCaptureConfig, contentType, mode string, body []byte) *captureData {
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

// record captures one invocation when the sampling draw allows it.
func (c *captureWriter) record(endpoint, variant string, d *dataCaptureConfig, inType string, in []byte, outType string, out []byte, at time.Time) {
	if d.InitialSamplingPercentage < 100 && c.s.cfg.Rand()*100 >= float64(d.InitialSamplingPercentage) {
		return
	}
	var rec captureRecord
	if d.captures("Input") || d.captures("InputAndOutput") {
		rec.CaptureData.EndpointInput = encodeCapture(d, inType, "INPUT", in)
	}
	if d.captures("Output") || d.captures("InputAndOutput") {
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
	c.mu.Lock()
	b, ok := c.buffers[key]
	if !ok {
		name := fmt.Sprintf("%s-%03d-%s.jsonl", at.Format("04-05"), at.Nanosecond()/1e6, newEventID())
		b = &captureBuffer{uri: joinS3(d.DestinationS3Uri, endpoint, variant, hour, name)}
		c.buffers[key] = b
	}
	b.records = append(b.records, line)
	var full *captureBuffer
	if len(b.records) >= c.s.cfg.CaptureMaxRecords {
		full = b
		delete(c.buffers, key)
	}
	c.mu.Unlock()
	if full != nil {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			if err := c.write(context.Background(), full); err != nil {
				c.s.log.Warn("write captured data", "uri", full.uri, "err", err)
			}
		}()
	}
}

func (c *captureWriter) write(ctx context.Context, b *captureBuffer) error {
	bucket, key, err := parseS3URI(b.uri)
	if err != nil {
		return err
	}
	var body []byte
	for _, r := range b.records {
		body = append(body, r...)
		body = append(body, '\n')
	}
	if err := c.s.cfg.Blobs.Put(ctx, bucket, key, body); err != nil {
		return fmt.Errorf("put %s: %w", b.uri, err)
	}
	return nil
}

// flushAll writes every buffered record and waits for writes in flight.
func (c *captureWriter) flushAll(ctx context.Context) error {
	c.mu.Lock()
	bufs := c.buffers
	c.buffers = map[string]*captureBuffer{}
	c.mu.Unlock()
	var errs []error
	for _, b := range bufs {
		if err := c.write(ctx, b); err != nil {
			errs = append(errs, err)
		}
	}
	c.wg.Wait()
	return errors.Join(errs...)
}

// FlushCapture writes every buffered data capture record to the blob store now (the drift
// job calls it before reading a window) and waits for writes in flight.
func (s *Service) FlushCapture(ctx context.Context) error {
	if err := s.capture.flushAll(ctx); err != nil {
		return fmt.Errorf("flush captured data: %w", err)
	}
	return nil
}
