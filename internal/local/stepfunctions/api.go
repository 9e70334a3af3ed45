package stepfunctions

import (
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/local/awserr"
)

// TargetPrefix begins the X-Amz-Target of every Step Functions operation.
const TargetPrefix = "AWSStepFunctions."

func epoch(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return float64(t.UnixMilli()) / 1000
}

// ServeHTTP answers one Step Functions JSON 1.0 request.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if !ok || r.Method != http.MethodPost {
		writeError(w, &APIError{Code: "UnknownOperationException", Message: "no Step Functions operation in X-Amz-Target " + r.Header.Get("X-Amz-Target")})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) || len(body) > maxRequestBody {
		writeError(w, apiErr("ValidationException", "the request body is larger than %d bytes", maxRequestBody))
		return
	}
	if err != nil {
		writeError(w, apiErr("SerializationException", "read body: %v", err))
		return
	}
	var in map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			writeError(w, apiErr("SerializationException", "the body is not a JSON object: %v", err))
			return
		}
	}
	if err := checkRequest(op, in); err != nil {
		writeError(w, err)
		return
	}
	str := func(k string) string { v, _ := in[k].(string); return v }
	var out any
	switch op {
	case "DescribeStateMachineForExecution":
		rec, err := s.record(str("executionArn"))
		if err != nil {
			writeError(w, err)
			return
		}
		d, err := s.describeStateMachine(map[string]any{"stateMachineArn": cmp.Or(rec.VersionARN, rec.StateMachineARN)})
		if err != nil {
			writeError(w, err)
			return
		}
		d["updateDate"] = d["creationDate"]
		delete(d, "creationDate")
		delete(d, "status")
		delete(d, "type")
		out = d
	case "StartExecution":
		var input []byte
		if v, ok := in["input"].(string); ok {
			input = []byte(v)
		}
		rec, err := s.StartExecution(r.Context(), str("stateMachineArn"), str("name"), input)
		if err != nil {
			writeError(w, err)
			return
		}
		out = map[string]any{"executionArn": rec.ARN, "startDate": epoch(rec.StartDate)}
	case "DescribeExecution":
		rec, err := s.record(str("executionArn"))
		if err != nil {
			writeError(w, err)
			return
		}
		out = s.describeExecution(rec)
	case "ListExecutions":
		out, err = s.listExecutions(in)
	case "GetExecutionHistory":
		out, err = s.getHistory(in)
	case "StopExecution":
		var at time.Time
		at, err = s.StopExecution(str("executionArn"), str("error"), str("cause"))
		out = map[string]any{"stopDate": epoch(at)}
	case "SendTaskSuccess":
		err = s.SendTaskSuccess(str("taskToken"), []byte(str("output")))
		out = map[string]any{}
	case "SendTaskFailure":
		err = s.SendTaskFailure(str("taskToken"), str("error"), str("cause"))
		out = map[string]any{}
	case "SendTaskHeartbeat":
		err = s.SendTaskHeartbeat(str("taskToken"))
		out = map[string]any{}
	default:
		out, err = s.serveMore(r.Context(), op, in)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func summary(rec *Execution) map[string]any {
	m := map[string]any{"executionArn": rec.ARN, "stateMachineArn": rec.StateMachineARN, "name": rec.Name,
		"status": string(rec.Status), "startDate": epoch(rec.StartDate)}
	if !rec.StopDate.IsZero() {
		m["stopDate"] = epoch(rec.StopDate)
	}
	m["redriveCount"] = rec.RedriveCount
	if !rec.RedriveDate.IsZero() {
		m["redriveDate"] = epoch(rec.RedriveDate)
	}
	if rec.VersionARN != "" {
		m["stateMachineVersionArn"] = rec.VersionARN
	}
	if rec.AliasARN != "" {
		m["stateMachineAliasArn"] = rec.AliasARN
	}
	return m
}

func (s *Service) describeExecution(rec *Execution) map[string]any {
	m := summary(rec)
	s.mu.Lock()
	m["redriveStatus"], m["redriveStatusReason"] = s.redriveStatusLocked(rec, s.engine.Clock().Now())
	s.mu.Unlock()
	if m["redriveStatusReason"] == "" {
		delete(m, "redriveStatusReason")
	}
	m["input"] = string(rec.Input)
	m["inputDetails"] = map[string]any{"included": true}
	if rec.Status == asl.StatusSucceeded {
		m["output"] = string(rec.Output)
		m["outputDetails"] = map[string]any{"included": true}
	}
	if rec.Error != "" {
		m["error"] = rec.Error
	}
	if rec.Cause != "" {
		m["cause"] = rec.Cause
	}
	return m
}

// page reads maxResults (0-1000, 0 or absent meaning 100; checked by checkRequest) and
// nextToken (an offset) from in.
func page(in map[string]any) (start, size int, err error) {
	size = 100
	if v, ok := in["maxResults"].(float64); ok && v > 0 {
		size = int(v)
	}
	if tok, ok := in["nextToken"].(string); ok && tok != "" {
		n, perr := strconv.Atoi(tok)
		if perr != nil || n < 0 {
			return 0, 0, apiErr("InvalidToken", "Invalid Token: '%s'", tok)
		}
		start = n
	}
	return start, size, nil
}

func (s *Service) listExecutions(in map[string]any) (any, error) {
	smARN := str(in, "stateMachineArn")
	s.mu.Lock()
	t, err := s.resolveLocked(smARN)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if t.sm.Type == TypeExpress {
		return nil, apiErr("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine: EXPRESS executions are not recorded")
	}
	status := str(in, "statusFilter")
	switch asl.Status(status) {
	case "", asl.StatusRunning, asl.StatusSucceeded, asl.StatusFailed, asl.StatusTimedOut, asl.StatusAborted:
	default:
		return nil, apiErr("ValidationException", "statusFilter %q is not RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED", status)
	}
	redrive := str(in, "redriveFilter")
	if redrive != "" && redrive != "REDRIVEN" && redrive != "NOT_REDRIVEN" {
		return nil, apiErr("ValidationException", "redriveFilter %q is not REDRIVEN or NOT_REDRIVEN", redrive)
	}
	recs, err := s.Executions(t.sm.ARN, asl.Status(status))
	if err != nil {
		return nil, err
	}
	kept := recs[:0]
	for _, r := range recs {
		if (t.aliasARN == "" || r.AliasARN == t.aliasARN) && (t.aliasARN != "" || t.versionARN == "" || r.VersionARN == t.versionARN) &&
			(redrive == "" || (r.RedriveCount > 0) == (redrive == "REDRIVEN")) {
			kept = append(kept, r)
		}
	}
	items, next, err := paginate(in, kept)
	if err != nil {
		return nil, err
	}
	list := make([]any, 0, len(items))
	for _, r := range items {
		list = append(list, summary(r))
	}
	return withToken(map[string]any{"executions": list}, next), nil
}

func (s *Service) getHistory(in map[string]any) (any, error) {
	arn, _ := in["executionArn"].(string)
	start, size, err := page(in)
	if err != nil {
		return nil, err
	}
	evs, err := s.History(arn)
	if err != nil {
		return nil, err
	}
	if rev, _ := in["reverseOrder"].(bool); rev {
		for l, r := 0, len(evs)-1; l < r; l, r = l+1, r-1 {
			evs[l], evs[r] = evs[r], evs[l]
		}
	}
	var list []any
	for i := start; i < len(evs) && i < start+size; i++ {
		list = append(list, evs[i])
	}
	out := map[string]any{"events": orEmpty(list)}
	if start+size < len(evs) {
		out["nextToken"] = strconv.Itoa(start + size)
	}
	return out, nil
}

func writeError(w http.ResponseWriter, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Code: "InternalFailure", Message: err.Error()}
	}
	status := http.StatusBadRequest
	switch ae.Code {
	case "InternalFailure":
		status = http.StatusInternalServerError
	case "ServiceUnavailable":
		status = http.StatusServiceUnavailable
	}
	awserr.Write(w, awserr.JSON10, status, ae.Code, ae.Message)
}
