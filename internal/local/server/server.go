// Package server is the local stack's front door: one http.Handler, on one address, that
// routes each request to the service whose AWS protocol it speaks, the way AWS's endpoints
// would if they shared a host:
//
//   - X-Amz-Target "AWSStepFunctions.*" → Step Functions (JSON 1.0);
//   - X-Amz-Target "SageMaker.*" → SageMaker (JSON 1.1);
//   - X-Amz-Target "AWSEvents.*" → EventBridge (JSON 1.1);
//   - X-Amz-Target "GraniteServiceVersion20100801.*" → CloudWatch (JSON 1.0, older clients);
//   - X-Amz-Target "Logs_20140328.*" → CloudWatch Logs (JSON 1.1);
//   - any other X-Amz-Target → an AWS-shaped UnknownOperationException naming it;
//   - path /service/GraniteServiceVersion20100801/ → CloudWatch (RPC v2 CBOR);
//   - path /endpoints/ → SageMaker Runtime (REST);
//   - path /_kiln/functions/<name> → a Lambda function URL (the webhook);
//   - path /console/ → the kiln console (so no S3 bucket named "console" is reachable);
//   - a query-protocol request (a form with Action=) → CloudWatch when its SigV4 credential
//     scope names the service monitoring or its Version is 2010-08-01, else SNS;
//   - everything else → S3 (REST, path-style).
//
// [Listen] refuses an address that is not loopback unless asked; requests are logged at
// debug level. [Protect] keeps browsers out (Host, Origin, CORS), [NewHTTPServer] bounds
// slow clients, and each service's request size limit is applied before it reads a body.
package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
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

// route serves r and returns the name of the service that answered.
func (rt *router) route(w http.ResponseWriter, r *http.Request) string {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, op, _ := strings.Cut(target, ".")
		var h http.Handler
		var limit *bodyLimit
		switch prefix {
		case "AWSStepFunctions":
			h, limit = rt.r.StepFunctions, &limitStepFunctions
		case "SageMaker":
			h, limit = rt.r.SageMaker, &limitSageMaker
		case "AWSEvents":
			h, limit = rt.r.EventBridge, &limitEventBridge
		case "GraniteServiceVersion20100801":
			h = rt.r.CloudWatch
		case "Logs_20140328":
			h = rt.r.Logs
		}
		if h == nil {
			unknownTarget(w, prefix, op)
			return "unknown"
		}
		if limit != nil && !limitBody(w, r, *limit) {
			return prefix
		}
		h.ServeHTTP(w, r)
		return prefix
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, CloudWatchPrefix):
		return serve(w, r, rt.r.CloudWatch, "cloudwatch")
	case (p == "/console" || strings.HasPrefix(p, ConsolePrefix)) && rt.r.Console != nil:
		if p == "/console" {
			http.Redirect(w, r, ConsolePrefix, http.StatusMovedPermanently)
			return "console"
		}
		rt.r.Console.ServeHTTP(w, r)
		return "console"
	case strings.HasPrefix(p, "/endpoints/"):
		return serve(w, r, rt.r.Runtime, "sagemaker-runtime")
	case strings.HasPrefix(p, FunctionURLPrefix):
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
	if form, ok := formAction(r); ok {
		if queryService(r, form) == "monitoring" {
			return serve(w, r, rt.r.CloudWatch, "cloudwatch")
		}
		if rt.r.SNS != nil {
			rt.r.SNS.ServeHTTP(w, r)
			return "sns"
		}
	}
	if !limitBody(w, r, limitS3) {
		return "s3"
	}
	return serve(w, r, rt.r.S3, "s3")
}

func serve(w http.ResponseWriter, r *http.Request, h http.Handler, name string) string {
	if h == nil {
		writeJSONError(w, http.StatusNotImplemented, "UnknownOperationException", "the "+name+" service is not served by this kiln local stack")
		return name
	}
	h.ServeHTTP(w, r)
	return name
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

// queryService names the AWS service a query-protocol request is for: the service of its
// SigV4 credential scope (Credential=KEY/DATE/REGION/SERVICE/aws4_request, in the
// Authorization header or the presigned X-Amz-Credential), else "monitoring" for
// CloudWatch's API version 2010-08-01, else "sns".
func queryService(r *http.Request, form url.Values) string {
	scope := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, after, ok := strings.Cut(auth, "Credential="); ok {
			scope, _, _ = strings.Cut(after, ",")
		}
	}
	if parts := strings.Split(strings.TrimSpace(scope), "/"); len(parts) == 5 && parts[3] != "" {
		return parts[3]
	}
	if form.Get("Version") == "2010-08-01" {
		return "monitoring"
	}
	return "sns"
}

type readCloser struct {
	io.Reader
	io.Closer
}

// unknownTarget answers a JSON-protocol request for a service kiln does not serve.
func unknownTarget(w http.ResponseWriter, prefix, op string) {
	writeJSONError(w, http.StatusBadRequest, "UnknownOperationException",
		fmt.Sprintf("the operation %s of service %s is not implemented by kiln local (it serves AWSStepFunctions, SageMaker, AWSEvents and GraniteServiceVersion20100801 over JSON)", op, prefix))
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
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
