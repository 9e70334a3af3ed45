package eventbus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kiln-dev/kiln/internal/eventpattern"
)

// AllowAWSSourceHeader is a local extension of PutEvents: a request with this header set to
// "true" may put events whose source begins with "aws." (as the local AWS stand-ins do), so a
// sample S3, CloudWatch or SageMaker event can be injected by hand. AWS has no such header.
const AllowAWSSourceHeader = "X-Kiln-Allow-Aws-Source"

// targetPrefix begins the X-Amz-Target header of every EventBridge operation.
const targetPrefix = "AWSEvents."

// maxRequestBody bounds a request body: ten entries of 256 KB and their framing.
const maxRequestBody = 4 << 20

// Handler returns an http.Handler speaking EventBridge's JSON 1.1 protocol (POST, header
// X-Amz-Target: AWSEvents.<Op>) for PutEvents, PutRule, DeleteRule, ListRules, DescribeRule,
// PutTargets, RemoveTargets, ListTargetsByRule, CreateEventBus, ListEventBuses, StartReplay,
// DescribeReplay and TestEventPattern. Errors are answered as AWS
// answers them: status 400 (500 for internal ones) with {"__type": Code, "message": ...}; an
// operation it does not know is an UnknownOperationException naming it. Requests are not
// authenticated: any credentials are accepted.
func (s *Service) Handler() http.Handler {
	return &handler{s: s, replays: &s.replays}
}

type handler struct {
	s       *Service
	replays *replayLog
}

// replayLog remembers the replays started through the API, for DescribeReplay.
type replayLog struct {
	mu   sync.Mutex
	byID map[string]replayRecord
}

func (l *replayLog) get(name string) (replayRecord, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.byID[name]
	return r, ok
}

// add stores rec under name unless the name is taken, and reports whether it stored it.
func (l *replayLog) add(name string, rec replayRecord) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.byID[name]; ok {
		return false
	}
	if l.byID == nil {
		l.byID = map[string]replayRecord{}
	}
	l.byID[name] = rec
	return true
}

type replayRecord struct {
	arn, state string
	source     string
	start, end time.Time
	began      time.Time
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, &APIError{Code: "InvalidAction", Message: fmt.Sprintf("method %s is not supported: use POST", r.Method)})
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if !ok {
		writeError(w, &APIError{Code: "UnknownOperationException", Message: fmt.Sprintf("Unknown operation %q: X-Amz-Target must be AWSEvents.<Operation>", r.Header.Get("X-Amz-Target"))})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		writeError(w, &APIError{Code: "SerializationException", Message: fmt.Sprintf("read request body: %v", err)})
		return
	}
	if len(body) > maxRequestBody {
		writeError(w, &APIError{Code: "RequestEntityTooLargeException", Message: "the request body is larger than 4 MB", Status: http.StatusRequestEntityTooLarge})
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var out any
	switch op {
	case "PutEvents":
		out, err = h.putEvents(r, body)
	case "ListRules":
		out, err = h.listRules(body)
	case "DescribeRule":
		out, err = h.describeRule(body)
	case "ListTargetsByRule":
		out, err = h.listTargets(body)
	case "ListEventBuses":
		out, err = h.listEventBuses()
	case "StartReplay":
		out, err = h.startReplay(r, body)
	case "DescribeReplay":
		out, err = h.describeReplay(body)
	case "TestEventPattern":
		out, err = h.testEventPattern(body)
	case "PutRule":
		out, err = h.putRule(body)
	case "DeleteRule":
		out, err = h.deleteRule(body)
	case "PutTargets":
		out, err = h.putTargets(body)
	case "RemoveTargets":
		out, err = h.removeTargets(body)
	case "CreateEventBus":
		out, err = h.createEventBus(body)
	default:
		err = &APIError{Code: "UnknownOperationException", Message: fmt.Sprintf("Unknown operation %s", op)}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, &APIError{Code: "InternalException", Message: err.Error(), Status: 500})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Code: "InternalException", Message: err.Error(), Status: 500}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", ae.Code)
	w.WriteHeader(ae.status())
	b, _ := json.Marshal(map[string]string{"__type": ae.Code, "message": ae.Message})
	_, _ = w.Write(b)
}

// decodeRequest decodes a request body strictly enough to name a malformed one.
func decodeRequest(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return &APIError{Code: "SerializationException", Message: fmt.Sprintf("decode request: %v", err)}
	}
	return nil
}

// epoch is a timestamp as the JSON protocols send it: seconds since 1970, maybe fractional.
type epoch struct{ t time.Time }

func (e *epoch) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		var s string
		if err2 := json.Unmarshal(b, &s); err2 != nil {
			return fmt.Errorf("timestamp %s is neither epoch seconds nor RFC 3339", b)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q: %w", s, err)
		}
		e.t = t
		return nil
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("timestamp %s is not a number of seconds", b)
	}
	sec, frac := math.Modf(f)
	e.t = time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()
	return nil
}

func toEpoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

type putEventsEntry struct {
	Source       *string  `json:"Source"`
	DetailType   *string  `json:"DetailType"`
	Detail       *string  `json:"Detail"`
	Resources    []string `json:"Resources"`
	EventBusName *string  `json:"EventBusName"`
	Time         *epoch   `json:"Time"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (h *handler) putEvents(r *http.Request, body []byte) (any, error) {
	var in struct {
		Entries []putEventsEntry `json:"Entries"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	entries := make([]Entry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = Entry{Source: str(e.Source), DetailType: str(e.DetailType), Detail: str(e.Detail),
			Resources: e.Resources, EventBusName: str(e.EventBusName)}
		if e.Time != nil {
			entries[i].Time = e.Time.t
		}
	}
	var res *PutEventsResult
	var err error
	if r.Header.Get(AllowAWSSourceHeader) == "true" {
		res, err = h.s.putLocal(r.Context(), entries)
	} else {
		res, err = h.s.PutEvents(r.Context(), entries)
	}
	if err != nil {
		return nil, err
	}
	type entryOut struct {
		EventID      string `json:"EventId,omitempty"`
		ErrorCode    string `json:"ErrorCode,omitempty"`
		ErrorMessage string `json:"ErrorMessage,omitempty"`
	}
	out := struct {
		FailedEntryCount int        `json:"FailedEntryCount"`
		Entries          []entryOut `json:"Entries"`
	}{FailedEntryCount: res.FailedEntryCount, Entries: make([]entryOut, len(res.Entries))}
	for i, e := range res.Entries {
		out.Entries[i] = entryOut(e)
	}
	return out, nil
}

type ruleOut struct {
	Name         string `json:"Name"`
	Arn          string `json:"Arn"`
	EventPattern string `json:"EventPattern,omitempty"`
	State        string `json:"State"`
	Description  string `json:"Description,omitempty"`
	EventBusName string `json:"EventBusName"`
	CreatedBy    string `json:"CreatedBy,omitempty"`
}

func (h *handler) ruleOut(r Rule) ruleOut {
	return ruleOut{Name: r.Name, Arn: h.s.RuleARN(r.EventBus, r.Name), EventPattern: r.EventPattern,
		State: r.State, Description: r.Description, EventBusName: r.EventBus}
}

func (h *handler) listRules(body []byte) (any, error) {
	var in struct {
		EventBusName string `json:"EventBusName"`
		NamePrefix   string `json:"NamePrefix"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	rules, err := h.s.ListRules(in.EventBusName, in.NamePrefix)
	if err != nil {
		return nil, err
	}
	out := struct {
		Rules []ruleOut `json:"Rules"`
	}{Rules: make([]ruleOut, 0, len(rules))}
	for _, r := range rules {
		out.Rules = append(out.Rules, h.ruleOut(r))
	}
	return out, nil
}

func (h *handler) describeRule(body []byte) (any, error) {
	var in struct {
		Name         string `json:"Name"`
		EventBusName string `json:"EventBusName"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, validationError("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	r, err := h.s.DescribeRule(in.EventBusName, in.Name)
	if err != nil {
		return nil, err
	}
	o := h.ruleOut(r)
	o.CreatedBy = h.s.cfg.Account
	return o, nil
}

func (h *handler) listTargets(body []byte) (any, error) {
	var in struct {
		Rule         string `json:"Rule"`
		EventBusName string `json:"EventBusName"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	r, err := h.s.DescribeRule(in.EventBusName, in.Rule)
	if err != nil {
		return nil, err
	}
	type retryOut struct {
		MaximumEventAgeInSeconds int `json:"MaximumEventAgeInSeconds"`
		MaximumRetryAttempts     int `json:"MaximumRetryAttempts"`
	}
	type transformerOut struct {
		InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
		InputTemplate string            `json:"InputTemplate"`
	}
	type targetOut struct {
		ID               string          `json:"Id"`
		Arn              string          `json:"Arn"`
		Input            string          `json:"Input,omitempty"`
		InputPath        string          `json:"InputPath,omitempty"`
		InputTransformer *transformerOut `json:"InputTransformer,omitempty"`
		RetryPolicy      retryOut        `json:"RetryPolicy"`
	}
	out := struct {
		Targets []targetOut `json:"Targets"`
	}{Targets: []targetOut{}}
	for _, t := range r.Targets {
		o := targetOut{ID: t.ID, Arn: t.ARN, Input: t.Input, InputPath: t.InputPath,
			RetryPolicy: retryOut{int(t.RetryPolicy.maxAge() / time.Second), t.RetryPolicy.maxRetries()}}
		if t.InputTransformer != nil {
			o.InputTransformer = &transformerOut{t.InputTransformer.InputPathsMap, t.InputTransformer.InputTemplate}
		}
		out.Targets = append(out.Targets, o)
	}
	return out, nil
}

func (h *handler) listEventBuses() (any, error) {
	type busOut struct {
		Name string `json:"Name"`
		Arn  string `json:"Arn"`
	}
	out := struct {
		EventBuses []busOut `json:"EventBuses"`
	}{}
	for _, n := range h.s.EventBuses() {
		out.EventBuses = append(out.EventBuses, busOut{n, h.s.BusARN(n)})
	}
	return out, nil
}

func (h *handler) startReplay(r *http.Request, body []byte) (any, error) {
	var in struct {
		ReplayName     string `json:"ReplayName"`
		EventSourceArn string `json:"EventSourceArn"`
		EventStartTime *epoch `json:"EventStartTime"`
		EventEndTime   *epoch `json:"EventEndTime"`
		Destination    *struct {
			Arn        string   `json:"Arn"`
			FilterArns []string `json:"FilterArns"`
		} `json:"Destination"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if in.EventStartTime == nil || in.EventEndTime == nil {
		return nil, validationError("StartReplay needs EventStartTime and EventEndTime")
	}
	req := ReplayRequest{Name: in.ReplayName, From: in.EventStartTime.t, To: in.EventEndTime.t}
	if req.Name == "" {
		req.Name = fmt.Sprintf("kiln-replay-%s-%s", req.From.UTC().Format("20060102T150405Z"), req.To.UTC().Format("20060102T150405Z"))
	}
	if in.Destination != nil {
		req.Bus = in.Destination.Arn
		req.Rules = in.Destination.FilterArns
	}
	if _, dup := h.replays.get(req.Name); dup {
		return nil, &APIError{Code: "ResourceAlreadyExistsException", Message: fmt.Sprintf("Replay %s already exists.", req.Name)}
	}
	began := h.s.now()
	if _, err := h.s.StartReplay(r.Context(), req); err != nil {
		return nil, err
	}
	arn := fmt.Sprintf("arn:%s:events:%s:%s:replay/%s", h.s.cfg.Partition, h.s.cfg.Region, h.s.cfg.Account, req.Name)
	// The archived events are routed before StartReplay returns; their deliveries run on.
	h.replays.add(req.Name, replayRecord{arn: arn, state: "COMPLETED", source: in.EventSourceArn, start: req.From, end: req.To, began: began})
	return map[string]any{"ReplayArn": arn, "State": "STARTING", "ReplayStartTime": toEpoch(began)}, nil
}

func (h *handler) describeReplay(body []byte) (any, error) {
	var in struct {
		ReplayName string `json:"ReplayName"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	rec, ok := h.replays.get(in.ReplayName)
	if !ok {
		return nil, notFound("Replay %s does not exist.", in.ReplayName)
	}
	out := map[string]any{"ReplayName": in.ReplayName, "ReplayArn": rec.arn, "State": rec.state,
		"EventStartTime": toEpoch(rec.start), "EventEndTime": toEpoch(rec.end), "ReplayStartTime": toEpoch(rec.began)}
	if rec.source != "" {
		out["EventSourceArn"] = rec.source
	}
	return out, nil
}

// requiredEventFields are the envelope fields TestEventPattern insists on, as its API
// reference lists them.
var requiredEventFields = []string{"id", "account", "source", "time", "region", "resources", "detail-type"}

func (h *handler) testEventPattern(body []byte) (any, error) {
	var in struct {
		EventPattern string `json:"EventPattern"`
		Event        string `json:"Event"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	p, err := eventpattern.Compile([]byte(in.EventPattern))
	if err != nil {
		return nil, &APIError{Code: "InvalidEventPatternException", Message: fmt.Sprintf("Event pattern is not valid. Reason: %v", err)}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(in.Event), &fields); err != nil {
		return nil, validationError("Parameter Event is not valid. Reason: the event is not a JSON object: %v", err)
	}
	for _, f := range requiredEventFields {
		if _, ok := fields[f]; !ok {
			return nil, validationError("Parameter Event is not valid. Reason: the event has no %q field.", f)
		}
	}
	ok, err := p.Match([]byte(in.Event))
	if err != nil {
		return nil, validationError("Parameter Event is not valid. Reason: %v", err)
	}
	return map[string]bool{"Result": ok}, nil
}

func (h *handler) putRule(body []byte) (any, error) {
	var in struct {
		Name               string `json:"Name"`
		EventPattern       string `json:"EventPattern"`
		State              string `json:"State"`
		Description        string `json:"Description"`
		EventBusName       string `json:"EventBusName"`
		ScheduleExpression string `json:"ScheduleExpression"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if in.ScheduleExpression != "" {
		return nil, validationError("ScheduleExpression is not supported by the local bus: kiln's schedules run on its scheduler")
	}
	if in.EventPattern == "" {
		return nil, validationError("Parameter EventPattern is required.")
	}
	r := Rule{Name: in.Name, EventBus: in.EventBusName, EventPattern: in.EventPattern, State: in.State, Description: in.Description}
	if old, err := h.s.DescribeRule(in.EventBusName, in.Name); err == nil {
		r.Targets = old.Targets // PutRule keeps the rule's targets, as the API does
	}
	if err := h.s.PutRule(r); err != nil {
		return nil, err
	}
	return map[string]string{"RuleArn": h.s.RuleARN(busName(in.EventBusName), in.Name)}, nil
}

func (h *handler) deleteRule(body []byte) (any, error) {
	var in struct {
		Name         string `json:"Name"`
		EventBusName string `json:"EventBusName"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	h.s.DeleteRule(in.EventBusName, in.Name) // deleting a missing rule succeeds, as on AWS
	return struct{}{}, nil
}

type targetIn struct {
	ID               string `json:"Id"`
	Arn              string `json:"Arn"`
	Input            string `json:"Input"`
	InputPath        string `json:"InputPath"`
	InputTransformer *struct {
		InputPathsMap map[string]string `json:"InputPathsMap"`
		InputTemplate string            `json:"InputTemplate"`
	} `json:"InputTransformer"`
	RetryPolicy *struct {
		MaximumRetryAttempts     *int `json:"MaximumRetryAttempts"`
		MaximumEventAgeInSeconds *int `json:"MaximumEventAgeInSeconds"`
	} `json:"RetryPolicy"`
}

func (t targetIn) target() Target {
	out := Target{ID: t.ID, ARN: t.Arn, Input: t.Input, InputPath: t.InputPath}
	if t.InputTransformer != nil {
		out.InputTransformer = &InputTransformer{InputPathsMap: t.InputTransformer.InputPathsMap, InputTemplate: t.InputTransformer.InputTemplate}
	}
	if t.RetryPolicy != nil {
		out.RetryPolicy.MaximumRetryAttempts = t.RetryPolicy.MaximumRetryAttempts
		if t.RetryPolicy.MaximumEventAgeInSeconds != nil {
			out.RetryPolicy.MaximumEventAge = time.Duration(*t.RetryPolicy.MaximumEventAgeInSeconds) * time.Second
		}
	}
	return out
}

type failedEntries struct {
	FailedEntryCount int        `json:"FailedEntryCount"`
	FailedEntries    []struct{} `json:"FailedEntries"`
}

func (h *handler) putTargets(body []byte) (any, error) {
	var in struct {
		Rule         string     `json:"Rule"`
		EventBusName string     `json:"EventBusName"`
		Targets      []targetIn `json:"Targets"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	targets := make([]Target, len(in.Targets))
	for i, t := range in.Targets {
		targets[i] = t.target()
	}
	if err := h.s.PutTargets(in.EventBusName, in.Rule, targets); err != nil {
		return nil, err
	}
	return failedEntries{FailedEntries: []struct{}{}}, nil
}

func (h *handler) removeTargets(body []byte) (any, error) {
	var in struct {
		Rule         string   `json:"Rule"`
		EventBusName string   `json:"EventBusName"`
		IDs          []string `json:"Ids"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := h.s.RemoveTargets(in.EventBusName, in.Rule, in.IDs); err != nil {
		return nil, err
	}
	return failedEntries{FailedEntries: []struct{}{}}, nil
}

func (h *handler) createEventBus(body []byte) (any, error) {
	var in struct {
		Name string `json:"Name"`
	}
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := h.s.CreateEventBus(in.Name); err != nil {
		return nil, err
	}
	return map[string]string{"EventBusArn": h.s.BusARN(in.Name)}, nil
}
