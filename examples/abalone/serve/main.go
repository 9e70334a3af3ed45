// Command serve is the abalone sample's SageMaker serving program. It loads model.json from
// --model-dir (default $SM_MODEL_DIR, else /opt/ml/model) and listens on --host (default
// $KILN_BIND_HOST, else 0.0.0.0, all interfaces, as a SageMaker container must) and --port
// (default $SAGEMAKER_BIND_TO_PORT, else 8080):
//
//	GET  /ping         200 once the model is loaded
//	POST /invocations  text/csv rows of Sex,Length,Diameter,Height,WholeWeight,ShuckedWeight,
//	                   VisceraWeight,ShellWeight (no header, no Rings), one or many lines;
//	                   answers text/csv, one predicted Rings per line, in order
//
// A malformed row gets 400 naming the row and column, another content type 415, a body over
// 6 MB 413. SIGTERM or SIGINT stops accepting connections and lets requests in flight finish.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/kiln-dev/kiln/examples/abalone/model"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, log, nil)
	stop()
	if err != nil {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

// run loads the model and serves until ctx ends; ready, when not nil, learns the address
// once the listener is open.
func run(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, ready func(net.Addr)) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	modelDir := fs.String("model-dir", envOr(getenv, "SM_MODEL_DIR", "/opt/ml/model"), "directory holding model.json")
	// In a container the server listens on all interfaces: SageMaker's health check reaches
	// port 8080 from outside. kiln local runs it on the host, and asks for loopback.
	host := fs.String("host", defaultHost(getenv), "address to listen on ($KILN_BIND_HOST)")
	port := fs.String("port", envOr(getenv, "SAGEMAKER_BIND_TO_PORT", "8080"), "port to listen on")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("parse flags: %w", err)
	}
	if fs.NArg() > 0 && fs.Arg(0) != "serve" {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if n, err := strconv.Atoi(*port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q: want 0 to 65535", *port)
	}
	m, err := loadModel(filepath.Join(*modelDir, "model.json"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, *port))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: NewHandler(m, log), ReadHeaderTimeout: 10 * time.Second}
	log.Info("serving", "addr", ln.Addr().String(), "trees", len(m.Trees))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr())
	}
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func loadModel(name string) (*model.Model, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	defer f.Close()
	m, err := model.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", name, err)
	}
	return m, nil
}

// defaultHost is $KILN_BIND_HOST (kiln local's loopback), else all interfaces.
func defaultHost(getenv func(string) string) string {
	return envOr(getenv, "KILN_BIND_HOST", "0.0.0.0")
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}
