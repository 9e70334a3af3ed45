package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/lambdaerr"
	"github.com/kiln-dev/kiln/internal/local/awserr"
	"github.com/kiln-dev/kiln/internal/topology"
)

// APIPrefix is the path prefix of Lambda's function operations (API version 2015-03-31).
const APIPrefix = "/2015-03-31/functions"

// Payload limits of Invoke, as Lambda documents them.
const (
	// MaxSyncPayload bounds a RequestResponse (or DryRun) invocation's request: 6 MB.
	MaxSyncPayload = 6 << 20
	// MaxAsyncPayload bounds an Event invocation's request: 1 MB.
	MaxAsyncPayload = 1 << 20
)

// API serves Lambda's REST-JSON API over a [Registry]: ListFunctions, GetFunction,
// GetFunctionConfiguration and Invoke (RequestResponse, Event, DryRun), with Lambda's error
// shapes. Any other operation answers UnknownOperationException naming it. An API is safe for
// concurrent use; its fields must not change once it serves.
type API struct {
	// Registry holds the functions; required.
	Registry *Registry
	// Env returns the environment variables of the function named short (nil: none).
	Env func(short topology.FunctionName) map[string]string
	// LogGroup returns the log group of the function named short (nil: /aws/lambda/<name>).
	LogGroup func(short topology.FunctionName) string
	// Started is when the functions were deployed (their LastModified); zero: when first asked.
	Started time.Time
	// Since, when set, is called before an invocation with LogType Tail and returns what
	// gives, afterwards, the log lines the function wrote meanwhile (nil: no log tail).
	Since func(short topology.FunctionName) func() string
}

// MaxLogTail is how much of the log an Invoke with LogType Tail returns: the last 4 KB.
const MaxLogTail = 4 << 10

// ServeHTTP routes a request under [APIPrefix] to its operation.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ours := strings.CutPrefix(r.URL.EscapedPath(), APIPrefix)
	rest = strings.Trim(rest, "/")
	parts := strings.Split(rest, "/")
	ref := ""
	if rest != "" {
		ref = pathUnescape(parts[0])
	}
	switch {
	case !ours:
		a.unknown(w, r)
	case rest == "" && r.Method == http.MethodGet:
		a.listFunctions(w, r)
	case len(parts) == 1 && ref != "" && r.Method == http.MethodGet:
		a.getFunction(w, r, ref, false)
	case len(parts) == 2 && parts[1] == "configuration" && r.Method == http.MethodGet:
		a.getFunction(w, r, ref, true)
	case len(parts) == 2 && parts[1] == "invocations" && r.Method == http.MethodPost:
		a.invoke(w, r, ref)
	default:
		a.unknown(w, r)
	}
}

// unknown answers an operation the API does not serve, naming it.
func (a *API) unknown(w http.ResponseWriter, r *http.Request) {
	awserr.Write(w, awserr.RESTJSON, http.StatusNotFound, "UnknownOperationException",
		fmt.Sprintf("kiln local does not emulate the Lambda operation %s %s: it serves ListFunctions, GetFunction, GetFunctionConfiguration and Invoke",
			r.Method, r.URL.Path))
}

func pathUnescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// apiError is a Lambda API error: an HTTP status and Lambda's exception name.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func writeAPIError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{http.StatusInternalServerError, "ServiceException", err.Error()}
	}
	awserr.Write(w, awserr.RESTJSON, e.status, e.code, e.message)
}

// resolve finds the function ref names (name, ARN or partial ARN) with an optional qualifier,
// answering Lambda's ResourceNotFoundException when there is none.
func (a *API) resolve(ref, qualifier string) (*function, error) {
	if qualifier != "" && qualifier != "$LATEST" {
		ref = strings.TrimSuffix(ref, ":"+qualifier) + ":" + qualifier
	}
	f, err := a.Registry.lookup(ref)
	if err != nil {
		arn := ref
		if !strings.HasPrefix(arn, "arn:") {
			env := a.Registry.opts.Env
			arn = fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", env.Partition, env.Region, env.Account, strings.TrimPrefix(ref, env.Account+":function:"))
		}
		return nil, &apiError{http.StatusNotFound, "ResourceNotFoundException", "Function not found: " + arn}
	}
	return f, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", awserr.RequestID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// configuration is a function's FunctionConfiguration as Lambda returns it.
func (a *API) configuration(f *function) map[string]any {
	started := a.Started
	if started.IsZero() {
		started = time.Now()
	}
	group := "/aws/lambda/" + f.name
	if a.LogGroup != nil {
		group = a.LogGroup(f.short)
	}
	vars := map[string]string{}
	if a.Env != nil {
		vars = a.Env(f.short)
	}
	summary := ""
	if tf, ok := topology.FunctionNamed(f.short); ok {
		summary = tf.Summary
	}
	env := a.Registry.opts.Env
	return map[string]any{
		"FunctionName": f.name, "FunctionArn": f.arn, "Description": summary,
		"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": []string{"arm64"}, "PackageType": "Zip",
		"Role":    fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition, env.Account, f.name+"-fn"),
		"Timeout": int(f.timeout / time.Second), "MemorySize": topology.FunctionMemoryMB, "EphemeralStorage": map[string]int{"Size": 512},
		"LastModified": started.UTC().Format("2006-01-02T15:04:05.000-0700"), "Version": "$LATEST",
		"Environment": map[string]any{"Variables": vars}, "TracingConfig": map[string]string{"Mode": "PassThrough"},
		"State": "Active", "LastUpdateStatus": "Successful",
		"LoggingConfig": map[string]string{"LogFormat": "JSON", "LogGroup": group, "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO"},
	}
}

// listFunctions answers ListFunctions: every function in name order, paged by Marker and
// MaxItems (1 to 50, default 50).
func (a *API) listFunctions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, start := 50, 0
	if s := q.Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			writeAPIError(w, &apiError{http.StatusBadRequest, "InvalidParameterValueException", "MaxItems must be a number from 1 to 10000, not " + s})
			return
		}
		limit = min(n, 50)
	}
	names := a.Registry.Names()
	if m := q.Get("Marker"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > len(names) {
			writeAPIError(w, &apiError{http.StatusBadRequest, "InvalidParameterValueException", "the Marker " + m + " is not one this service gave"})
			return
		}
		start = n
	}
	out := map[string]any{"Functions": []any{}}
	list := []any{}
	for _, n := range names[start:min(start+limit, len(names))] {
		if f, err := a.Registry.lookup(n); err == nil {
			list = append(list, a.configuration(f))
		}
	}
	out["Functions"] = list
	if start+limit < len(names) {
		out["NextMarker"] = strconv.Itoa(start + limit)
	}
	writeJSON(w, http.StatusOK, out)
}

// getFunction answers GetFunction (the configuration, where the code is, the tags) or, with
// configOnly, GetFunctionConfiguration.
func (a *API) getFunction(w http.ResponseWriter, r *http.Request, ref string, configOnly bool) {
	f, err := a.resolve(ref, r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeAPIError(w, err)
		return
	}
	cfg := a.configuration(f)
	if configOnly {
		writeJSON(w, http.StatusOK, cfg)
		return
	}
	// The code runs in the kiln process itself: there is no package to download.
	writeJSON(w, http.StatusOK, map[string]any{"Configuration": cfg, "Code": map[string]string{"RepositoryType": "S3"},
		"Tags": map[string]string{"kiln:local": "in-process"}})
}

// invoke answers Invoke for the invocation types Lambda has: RequestResponse (the result,
// or the function's error with X-Amz-Function-Error), Event (202, run in the background)
// and DryRun (204, nothing runs).
func (a *API) invoke(w http.ResponseWriter, r *http.Request, ref string) {
	kind := r.Header.Get("X-Amz-Invocation-Type")
	limit := int64(MaxSyncPayload)
	switch kind {
	case "", "RequestResponse", "DryRun":
	case "Event":
		limit = MaxAsyncPayload
	default:
		writeAPIError(w, &apiError{http.StatusBadRequest, "InvalidParameterValueException",
			"1 validation error detected: Value '" + kind + "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"})
		return
	}
	f, err := a.resolve(ref, r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeAPIError(w, err)
		return
	}
	payload, err := readPayload(r, limit)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	switch kind {
	case "DryRun":
		w.Header().Set("X-Amzn-RequestId", awserr.RequestID())
		w.WriteHeader(http.StatusNoContent)
	case "Event":
		if err := a.Registry.InvokeAsync(context.WithoutCancel(r.Context()), f.name, payload); err != nil {
			writeAPIError(w, err)
			return
		}
		w.Header().Set("X-Amzn-RequestId", awserr.RequestID())
		w.WriteHeader(http.StatusAccepted)
	default:
		a.invokeSync(w, r, f, payload)
	}
}

// invokeSync runs f and writes its result; a function error is a 200 whose body is the
// runtime's error document and whose X-Amz-Function-Error header says Unhandled, as Lambda
// answers for every runtime error (a handler's error included).
func (a *API) invokeSync(w http.ResponseWriter, r *http.Request, f *function, payload []byte) {
	var tail func() string
	if r.Header.Get("X-Amz-Log-Type") == "Tail" && a.Since != nil {
		tail = a.Since(f.short)
	}
	out, err := a.Registry.Invoke(context.WithoutCancel(r.Context()), f.name, payload)
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if tail != nil {
		log := tail()
		log = log[max(0, len(log)-MaxLogTail):]
		w.Header().Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(log)))
	}
	if err != nil {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		writeJSON(w, http.StatusOK, map[string]string{"errorMessage": lambdaerr.Message(err), "errorType": lambdaerr.Name(err)})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", awserr.RequestID())
	if out == nil {
		out = []byte("null")
	}
	_, _ = w.Write(out)
}

// readPayload reads an Invoke request's payload: at most limit bytes, JSON or empty.
func readPayload(r *http.Request, limit int64) ([]byte, error) {
	tooLarge := &apiError{http.StatusRequestEntityTooLarge, "RequestTooLargeException",
		fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)}
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &apiError{http.StatusBadRequest, "InvalidRequestContentException", "read the request body: " + err.Error()}
	}
	if int64(len(body)) > limit {
		return nil, tooLarge
	}
	if len(body) > 0 && !json.Valid(body) {
		return nil, &apiError{http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: the payload is not valid JSON"}
	}
	return body, nil
}
