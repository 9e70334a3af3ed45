package serving

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
)

// Launcher starts serving programs and waits until they answer GET /ping.
type Launcher struct {
	// Runtime runs the images.
	Runtime container.Runtime
	// Client pings the programs.
	Client *http.Client
	// PingTimeout bounds how long a program may take to answer GET /ping with 200 (real
	// time: it waits for a real program).
	PingTimeout time.Duration
}

// Start runs srv (its Port is chosen here: a free loopback port) and returns the variant,
// weighted weight, once it answers GET /ping with 200; on failure it stops the program.
func (l *Launcher) Start(ctx context.Context, srv container.Serving, weight float64) (*Variant, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	srv.Port = port
	proc, err := l.Runtime.Serve(ctx, srv)
	if err != nil {
		return nil, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	v := &Variant{Name: srv.Variant, Weight: weight, URL: base + "/invocations", Dir: srv.Dir, proc: proc}
	if err := l.waitPing(ctx, v, base+"/ping"); err != nil {
		v.Stop()
		return nil, err
	}
	return v, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitPing polls GET /ping until it answers 200, the program exits, or PingTimeout passes.
// Polling is the only way to learn that another program is ready.
func (l *Launcher) waitPing(ctx context.Context, v *Variant, url string) error {
	deadline := time.NewTimer(l.PingTimeout)
	defer deadline.Stop()
	delay := 20 * time.Millisecond
	for {
		if l.ping(ctx, url) {
			return nil
		}
		select {
		case <-v.Exited():
			return fmt.Errorf("the serving process exited before answering /ping: %s", logTail(container.ServingLogPath(v.Dir)))
		case <-ctx.Done():
			return fmt.Errorf("wait for /ping: %w", ctx.Err())
		case <-deadline.C:
			return fmt.Errorf("the serving process did not answer GET /ping with 200 within %s", l.PingTimeout)
		case <-time.After(delay):
		}
		delay = min(delay*2, 250*time.Millisecond)
	}
}

// ping reports whether GET url answers 200.
func (l *Launcher) ping(ctx context.Context, url string) bool {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := l.Client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	t := strings.TrimSpace(string(b))
	if len(t) > 300 {
		t = "..." + t[len(t)-300:]
	}
	if t == "" {
		return "(empty log)"
	}
	return t
}
