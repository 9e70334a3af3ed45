package console

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// Prefix is the path the console is served under.
const Prefix = "/console/"

// StepFunctionsAPI is the part of the Step Functions client the console reads with.
type StepFunctionsAPI interface {
	ListStateMachines(ctx context.Context, params *sfn.ListStateMachinesInput, optFns ...func(*sfn.Options)) (*sfn.ListStateMachinesOutput, error)
	ListExecutions(ctx context.Context, params *sfn.ListExecutionsInput, optFns ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error)
	DescribeExecution(ctx context.Context, params *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	DescribeStateMachineForExecution(ctx context.Context, params *sfn.DescribeStateMachineForExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeStateMachineForExecutionOutput, error)
	GetExecutionHistory(ctx context.Context, params *sfn.GetExecutionHistoryInput, optFns ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
}

// SageMakerAPI is the part of the SageMaker client the console reads and approves with.
type SageMakerAPI interface {
	ListModelPackageGroups(ctx context.Context, params *sagemaker.ListModelPackageGroupsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListModelPackageGroupsOutput, error)
	ListModelPackages(ctx context.Context, params *sagemaker.ListModelPackagesInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListModelPackagesOutput, error)
	DescribeModelPackage(ctx context.Context, params *sagemaker.DescribeModelPackageInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeModelPackageOutput, error)
	UpdateModelPackage(ctx context.Context, params *sagemaker.UpdateModelPackageInput, optFns ...func(*sagemaker.Options)) (*sagemaker.UpdateModelPackageOutput, error)
	ListEndpoints(ctx context.Context, params *sagemaker.ListEndpointsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListEndpointsOutput, error)
	DescribeEndpoint(ctx context.Context, params *sagemaker.DescribeEndpointInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointOutput, error)
}

// CloudWatchAPI is the part of the CloudWatch client the console reads drift with.
type CloudWatchAPI interface {
	DescribeAlarms(ctx context.Context, params *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	GetMetricData(ctx context.Context, params *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// LogsAPI is the part of the CloudWatch Logs client the console reads the governor's
// decisions with.
type LogsAPI interface {
	FilterLogEvents(ctx context.Context, params *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

var (
	_ StepFunctionsAPI = (*sfn.Client)(nil)
	_ SageMakerAPI     = (*sagemaker.Client)(nil)
	_ CloudWatchAPI    = (*cloudwatch.Client)(nil)
	_ LogsAPI          = (*cloudwatchlogs.Client)(nil)
)

// Handler serves the console's pages and its API. Its dependencies are its fields; build
// one with real clients pointed at the stack (or at an account).
type Handler struct {
	SFN        StepFunctionsAPI
	SageMaker  SageMakerAPI
	CloudWatch CloudWatchAPI
	Logs       LogsAPI
	// TriggerLogGroup is the trigger Lambda's log group (/aws/lambda/kiln-<stage>-trigger).
	TriggerLogGroup string
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
	// Log receives API failures; default discards.
	Log *slog.Logger
	// Releases rolls a stage back (the endpoints page's Rollback button); nil refuses
	// rollbacks. Stage is the stage the console's endpoints belong to.
	Releases Releases
	Stage    string

	once   sync.Once
	mux    *http.ServeMux
	static fs.FS
	cache  sync.Map // execution ARN → finished executionInfo (immutable once stopped)
}

//go:embed web/index.html web/console.css web/dist/console.js
var assets embed.FS

// Assets returns the embedded static files (index.html, console.css, dist/console.js).
func Assets() fs.FS {
	sub, err := fs.Sub(assets, "web")
	if err != nil {
		panic(err) // the embed pattern guarantees web/ exists
	}
	return sub
}

// ErrBadRequest is the class of a request the API refuses; the message says why.
var ErrBadRequest = errors.New("bad request")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadRequest, fmt.Sprintf(format, args...))
}

func (h *Handler) init() {
	h.once.Do(func() {
		if h.Clock == nil {
			h.Clock = time.Now
		}
		if h.Log == nil {
			h.Log = slog.New(slog.DiscardHandler)
		}
		h.static = Assets()
		m := http.NewServeMux()
		m.HandleFunc("GET /console/api/executions", h.api(h.listExecutions))
		m.HandleFunc("GET /console/api/execution", h.api(h.getExecution))
		m.HandleFunc("GET /console/api/models", h.api(h.listModels))
		m.HandleFunc("POST /console/api/approval", h.api(h.approve))
		m.HandleFunc("GET /console/api/endpoints", h.api(h.listEndpoints))
		m.HandleFunc("POST /console/api/rollback", h.api(h.rollback))
		m.HandleFunc("GET /console/api/governor", h.api(h.listDecisions))
		m.HandleFunc("/console/api/", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no console API at " + r.Method + " " + r.URL.Path})
		})
		m.HandleFunc("/console/", h.page)
		h.mux = m
	})
}

// ServeHTTP serves /console/... (pages, assets and the API).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.init()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

// page serves an embedded asset, or index.html for every page path (the pages are drawn by
// the script from the path).
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the console's pages are read with GET", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, Prefix)
	switch name {
	case "console.css", "dist/console.js":
	default:
		name = "index.html"
	}
	b, err := fs.ReadFile(h.static, name)
	if err != nil {
		http.Error(w, "console asset "+name+" missing", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	// Everything the page loads comes from this origin; no outside network.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

// api adapts an API function to an http.HandlerFunc: JSON out, a bad request as 400, any
// other failure as 502 (the AWS endpoint behind the console failed).
func (h *Handler) api(f func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, err := f(r)
		switch {
		case errors.Is(err, ErrBadRequest):
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		case err != nil:
			h.Log.Error("console api", "path", r.URL.Path, "err", err)
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		default:
			writeJSON(w, http.StatusOK, out)
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
