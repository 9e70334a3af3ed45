// Package server is the local stack's front door: one http.Handler, on one address, that
// routes each request to the service whose AWS protocol it speaks, the way AWS's endpoints
// would if they shared a host. kiln's own paths come first:
//
//   - path /_kiln/functions/<name> → a Lambda function URL (the webhook);
//   - path /console/ → the kiln console (so no S3 bucket named "console" is reachable).
//
// Everything else goes through one table (services.go) of AWS services: each with its
// X-Amz-Target prefix, SigV4 signing name, the REST paths it owns, its protocol and its
// handler. A request is matched by X-Amz-Target (Step Functions, SageMaker, EventBridge,
// CloudWatch's JSON form, CloudWatch Logs), then by path where it is unsigned or signed for
// the path's owner (/endpoints/ SageMaker Runtime, /service/GraniteServiceVersion20100801/
// CloudWatch's CBOR, /2015-03-31/functions Lambda, /schedules Scheduler), then by signing
// name (a query form signed for monitoring is CloudWatch, for sns SNS, for s3 S3); an
// unsigned query form is CloudWatch for API version 2010-08-01, else SNS; the rest is S3
// (REST, path-style). A service kiln local does not emulate — or an unknown target or
// signing name — is answered in the protocol the request speaks (JSON's __type and
// X-Amzn-ErrorType, the query protocol's XML ErrorResponse, EC2's Response, REST-JSON's
// header, S3's XML Error), naming the service and operation.
//
// [Listen] refuses an address that is not loopback unless asked; requests are logged at
// debug level. [Protect] keeps browsers out (Host, Origin, CORS), [NewHTTPServer] bounds
// slow clients, and each service's request size limit is applied before it reads a body.
package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/local/awserr"
)

// DefaultAddr is the address the local stack listens on, the port local AWS emulators use.
const DefaultAddr = "127.0.0.1:4566"

// Routes are the handlers of the services; a nil handler answers as an unknown service.
type Routes struct {
	StepFunctions http.Handler
	SageMaker     http.Handler
	Runtime       http.Handler
	EventBridge   http.Handler
	CloudWatch    http.Handler
	SNS           http.Handler
	S3            http.Handler
	Logs          http.Handler
	// Lambda serves Lambda's REST-JSON API; Scheduler serves EventBridge Scheduler's.
	Lambda    http.Handler
	Scheduler http.Handler
	// Console serves the kiln console at ConsolePrefix.
	Console http.Handler
	// Functions maps a function's short name (webhook) to its function URL handler, served
	// at /_kiln/functions/<name>.
	Functions map[string]http.Handler
}

// FunctionURLPrefix is where function URL handlers are served.
const FunctionURLPrefix = "/_kiln/functions/"

// ConsolePrefix is where the kiln console is served.
const ConsolePrefix = "/console/"

// CloudWatchPrefix is the path prefix of the CloudWatch RPC v2 operations.
const CloudWatchPrefix = "/service/GraniteServiceVersion20100801/"

// Handler returns the router over routes, logging each request at debug level to log.
func Handler(routes Routes, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &router{r: routes, log: log}
}

type router struct {
	r   Routes
	log *slog.Logger
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	service := rt.route(sw, r)
	rt.log.Debug("request", "service", service, "method", r.Method, "path", r.URL.Path,
		"target", r.Header.Get("X-Amz-Target"), "status", sw.status, "duration", time.Since(start))
}

// route serves r and returns the name of the service that answered: kiln's own paths (the
// console, function URLs) first, then the service the table in services.go finds.
func (rt *router) route(w http.ResponseWriter, r *http.Request) string {
	p := r.URL.Path
	switch {
	case (p == "/console" || strings.HasPrefix(p, ConsolePrefix)) && rt.r.Console != nil:
		if p == "/console" {
			http.Redirect(w, r, ConsolePrefix, http.StatusMovedPermanently)
			return "console"
		}
		rt.r.Console.ServeHTTP(w, r)
		return "console"
	case strings.HasPrefix(p, FunctionURLPrefix) && r.Header.Get("X-Amz-Target") == "":
		name, _, _ := strings.Cut(strings.TrimPrefix(p, FunctionURLPrefix), "/")
		h := rt.r.Functions[name]
		if h == nil {
			writeJSONError(w, http.StatusNotFound, "ResourceNotFoundException", "no function URL for function "+name)
			return "lambda-url"
		}
		if limitBody(w, r, limitFunctionURL) {
			h.ServeHTTP(w, r)
		}
		return "lambda-url"
	}
	req := classify(r)
	var h http.Handler
	if req.svc != nil && req.svc.handler != nil {
		h = req.svc.handler(rt.r)
	}
	if h == nil {
		notEmulated(w, r, req)
		if req.svc != nil {
			return req.svc.name + " (not served)"
		}
		return req.unknown + " (not emulated)"
	}
	if req.svc.limit != nil && !limitBody(w, r, *req.svc.limit) {
		return req.svc.name
	}
	h.ServeHTTP(w, r)
	return req.svc.name
}

// formAction reports whether r is a query-protocol request (a form-encoded POST at / with
// an Action, or a request at / with Action in the query) and returns its parameters,
// leaving the body readable.
func formAction(r *http.Request) (url.Values, bool) {
	if q := r.URL.Query(); r.URL.Path == "/" && q.Get("Action") != "" {
		return q, true
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, false
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	// The service reads the whole body: what was read here, then the rest.
	r.Body = readCloser{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	if err != nil {
		return nil, false
	}
	v, err := url.ParseQuery(string(body))
	return v, err == nil && v.Get("Action") != ""
}

type readCloser struct {
	io.Reader
	io.Closer
}

// writeJSONError answers with an awsJson1_1 error (see [awserr.Write]).
func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	awserr.Write(w, awserr.JSON11, status, code, msg)
}

// CheckAddr returns an error when addr is not a loopback address and allowRemote is false:
// the local stack has no authentication.
func CheckAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("check address %q: %w", addr, err)
	}
	if allowRemote {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("check address %q: %q is not a loopback address; the local stack has no authentication, so pass --allow-remote to listen there anyway", addr, host)
	}
	return nil
}

// Listen opens a TCP listener on addr after CheckAddr.
func Listen(addr string, allowRemote bool) (net.Listener, error) {
	if err := CheckAddr(addr, allowRemote); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return l, nil
}
