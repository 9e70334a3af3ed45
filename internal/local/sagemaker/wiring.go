package sagemaker

import (
	"context"
	"fmt"
	"time"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
	"github.com/kiln-dev/kiln/internal/local/sagemaker/serving"
)

// wireDataPlane builds the runtimes and the serving data plane from the config.
func (s *Service) wireDataPlane() {
	s.images = &container.Images{Commands: &container.Commands{Images: s.cfg.Images, Root: s.cfg.Root, Log: s.log},
		NoDocker: s.cfg.NoDocker}
	if s.cfg.Docker != nil {
		d := *s.cfg.Docker
		d.Root, d.Log = s.cfg.Root, s.log
		s.images.Docker = &d
	}
	s.capture = &serving.Capture{Rand: s.cfg.Rand, MaxRecords: s.cfg.CaptureMaxRecords, Log: s.log,
		Put: func(ctx context.Context, uri string, body []byte) error {
			bucket, key, err := parseS3URI(uri)
			if err != nil {
				return err
			}
			return s.cfg.Blobs.Put(ctx, bucket, key, body)
		}}
	s.launcher = &serving.Launcher{Runtime: s.images, Client: s.client, PingTimeout: s.cfg.PingTimeout}
	s.router = &serving.Router{Client: s.client, Metrics: s.cfg.Metrics, Capture: s.capture, Rand: s.cfg.Rand,
		Now: s.cfg.Clock.Now}
}

// reap stops the processes and removes the containers an earlier run on the same Root left.
func (s *Service) reap() {
	container.Reap(s.cfg.Root, s.log)
	if s.images.Docker == nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	if _, err := s.images.Docker.Reap(ctx); err != nil {
		s.log.Warn("leftover containers not removed", "err", err)
	}
}

// startCaptureFlush flushes the capture buffers every CaptureFlushInterval on the clock
// (never when it is negative) until the service closes.
func (s *Service) startCaptureFlush() {
	if s.cfg.CaptureFlushInterval < 0 {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.capture.Run(s.ctx, func() <-chan time.Time { return s.cfg.Clock.After(s.cfg.CaptureFlushInterval) })
	}()
}

// killJobs kills every running training program because the service is closing.
func (s *Service) killJobs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, run := range s.running {
		run.kill()
	}
}

// FlushCapture writes every buffered data capture record to the blob store now (the drift
// job calls it before reading a window) and waits for writes in flight.
func (s *Service) FlushCapture(ctx context.Context) error {
	if err := s.capture.Flush(ctx); err != nil {
		return fmt.Errorf("flush captured data: %w", err)
	}
	return nil
}
