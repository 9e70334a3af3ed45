package server

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The local stack has no authentication: whoever can send it a request can train, deploy and
// read everything. A browser is the way a stranger reaches a loopback address, so [Protect]
// closes the browser's doors:
//
//   - DNS rebinding: a page on evil.example whose name later resolves to 127.0.0.1 sends
//     requests with Host: evil.example. A request is served only when its Host is an IP
//     literal (rebinding needs a name), "localhost" or a name under ".localhost" (browsers
//     resolve those to loopback themselves), or the host of the stack's own address.
//   - Cross-site requests: a page elsewhere can send a POST or PUT without a preflight (a
//     "simple" request) and its Origin header says where it came from. A request carrying a
//     foreign Origin is refused unless it only reads (GET, HEAD); its answer never carries
//     Access-Control-Allow-Origin, so the page cannot read it either.
//   - CORS: none by default. Each origin in Guard.CORSOrigins (kiln local --cors-origin, for a
//     user's own tool) gets preflights answered and Access-Control-Allow-Origin: <origin>.
//     Whatever a service behind sets (gofakes3 answers "*") is removed.

// Guard configures [Protect].
type Guard struct {
	// Addr is the stack's own listen address (host:port), as the listener reports it.
	Addr string
	// CORSOrigins are the origins ("http://localhost:3000") allowed cross-origin access;
	// empty means none.
	CORSOrigins []string
}

// CheckOrigin returns an error unless origin is one browser origin, scheme://host[:port]
// with scheme http or https and nothing after (no "*", no path): what --cors-origin takes.
func CheckOrigin(origin string) error {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil ||
		strings.Contains(origin, "*") || u.Scheme+"://"+u.Host != origin {
		return fmt.Errorf("cors origin %q: give one origin as a browser sends it, like http://localhost:3000 (no wildcard, no path)", origin)
	}
	return nil
}

// Protect returns h behind the Host, Origin and CORS checks described above. Refusals are
// HTTP 403 with an AWS-shaped JSON error (AccessDeniedException) that says what to do.
func Protect(h http.Handler, g Guard) http.Handler {
	host, port, _ := net.SplitHostPort(g.Addr)
	return &guard{next: h, host: strings.ToLower(host), port: port, cors: g.CORSOrigins}
}

type guard struct {
	next       http.Handler
	host, port string
	cors       []string
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.hostAllowed(r.Host) {
		writeJSONError(w, http.StatusForbidden, "AccessDeniedException",
			"the Host header "+r.Host+" is not this kiln local's address nor a loopback name (a DNS rebinding attempt?): use http://127.0.0.1:"+g.port+" or http://localhost:"+g.port)
		return
	}
	origin := r.Header.Get("Origin")
	corsOK := origin != "" && slices.Contains(g.cors, origin)
	if origin != "" && !corsOK && !g.ownOrigin(origin) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeJSONError(w, http.StatusForbidden, "AccessDeniedException",
				"cross-origin "+r.Method+" from "+origin+" refused: kiln local allows no cross-origin requests unless started with --cors-origin "+origin)
			return
		}
	}
	if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		// A preflight: answered here, never by a service.
		if !corsOK {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		}
		h.Set("Access-Control-Max-Age", "600")
		h.Add("Vary", "Origin")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	cw := &corsWriter{ResponseWriter: w}
	if corsOK {
		cw.origin = origin
	}
	g.next.ServeHTTP(cw, r)
	cw.fix() // a handler that wrote nothing leaves the headers to be sent now
}

// hostAllowed reports whether a request's Host names this stack without a DNS lookup an
// attacker could control.
func (g *guard) hostAllowed(hostport string) bool {
	if hostport == "" { // HTTP/1.0 without Host: not a browser
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	switch {
	case net.ParseIP(host) != nil:
		return true
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return true
	case host == g.host:
		return true
	}
	return false
}

// ownOrigin reports whether origin is a page served by this stack (the console).
func (g *guard) ownOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" || u.Port() != g.port {
		return false
	}
	return g.hostAllowed(u.Host)
}

// corsWriter removes the CORS headers a service set, and sets the allowed origin's.
type corsWriter struct {
	http.ResponseWriter
	origin string
	done   bool
}

func (c *corsWriter) fix() {
	if c.done {
		return
	}
	c.done = true
	h := c.Header()
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			delete(h, k)
		}
	}
	if c.origin != "" {
		h.Set("Access-Control-Allow-Origin", c.origin)
		h.Set("Access-Control-Expose-Headers", "ETag, x-amz-request-id, x-amz-version-id, X-Amzn-ErrorType, X-Amzn-RequestId")
		h.Add("Vary", "Origin")
	}
}

func (c *corsWriter) WriteHeader(code int) {
	c.fix()
	c.ResponseWriter.WriteHeader(code)
}

func (c *corsWriter) Write(b []byte) (int, error) {
	c.fix()
	return c.ResponseWriter.Write(b)
}

func (c *corsWriter) Flush() {
	c.fix()
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (c *corsWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Timeouts bound how long a connection may take to send a request and may sit idle.
type Timeouts struct {
	// ReadHeader bounds reading the request line and headers.
	ReadHeader time.Duration
	// Read bounds reading the whole request, body included: a client that sends half a
	// request is disconnected after it.
	Read time.Duration
	// Idle bounds how long a keep-alive connection waits for its next request.
	Idle time.Duration
}

// DefaultTimeouts are the local stack's: 10 s for headers, 30 s for a whole request (a
// 5 GB upload over loopback takes a few seconds), 120 s idle.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Idle: 120 * time.Second}

// NewHTTPServer returns an http.Server serving h with the timeouts t (zero fields take
// DefaultTimeouts'). There is no write timeout: InvokeEndpoint waits for a model.
func NewHTTPServer(h http.Handler, t Timeouts) *http.Server {
	if t.ReadHeader <= 0 {
		t.ReadHeader = DefaultTimeouts.ReadHeader
	}
	if t.Read <= 0 {
		t.Read = DefaultTimeouts.Read
	}
	if t.Idle <= 0 {
		t.Idle = DefaultTimeouts.Idle
	}
	return &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, IdleTimeout: t.Idle}
}
