package cloudwatch

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/kiln-dev/kiln/internal/local/awserr"
)

// PathPrefix is where the CloudWatch RPC v2 CBOR operations live.
const PathPrefix = "/service/GraniteServiceVersion20100801/operation/"

// apiError is an error answered with a status and an error type.
type apiError struct {
	status int
	typ    string
	msg    string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

func invalid(format string, a ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf(format, a...)}
}

// JSONTargetPrefix begins the X-Amz-Target of CloudWatch's JSON 1.0 protocol, which older
// clients (the aws CLI v2.9 on Debian) speak instead of RPC v2 CBOR.
const JSONTargetPrefix = "GraniteServiceVersion20100801."

// wire protocols CloudWatch speaks.
type protocol int

const (
	protoCBOR protocol = iota
	protoJSON
	protoQuery
)

// ServeHTTP answers one CloudWatch operation: RPC v2 CBOR at PathPrefix, JSON 1.0 with an
// X-Amz-Target of JSONTargetPrefix, or the query protocol (a form with Action and Version
// 2010-08-01, in the body of a POST or in the URL).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, isJSON := strings.CutPrefix(r.Header.Get("X-Amz-Target"), JSONTargetPrefix)
	proto := protoCBOR
	if isJSON {
		proto = protoJSON
	} else if isQueryRequest(r) {
		s.serveQuery(w, r)
		return
	}
	ok := isJSON
	if !isJSON {
		op, ok = strings.CutPrefix(r.URL.Path, PathPrefix)
	}
	fail := func(err error) { writeError(w, err, proto) }
	if !ok || r.Method != http.MethodPost {
		fail(&apiError{http.StatusNotFound, "UnknownOperationException", "no CloudWatch operation at " + r.Method + " " + r.URL.Path})
		return
	}
	var rd io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			fail(&apiError{http.StatusBadRequest, "SerializationException", "read gzip body: " + err.Error()})
			return
		}
		defer zr.Close()
		rd = zr
	}
	body, err := io.ReadAll(io.LimitReader(rd, 8<<20))
	if err != nil {
		fail(&apiError{http.StatusBadRequest, "SerializationException", "read body: " + err.Error()})
		return
	}
	var in args
	if isJSON {
		in, err = decodeJSONBody(body)
	} else {
		in, err = decodeCBORBody(body)
	}
	if err != nil {
		fail(&apiError{http.StatusBadRequest, "SerializationException", err.Error()})
		return
	}
	out, err := s.operation(r, op, in)
	if err != nil {
		fail(err)
		return
	}
	if isJSON {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_ = json.NewEncoder(w).Encode(toJSON(out))
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	_, _ = w.Write(cbor.Encode(toCBOR(out)))
}

// isQueryRequest reports whether r is a query-protocol request: a form-encoded POST, or a
// GET with Action in the URL.
func isQueryRequest(r *http.Request) bool {
	if r.URL.Query().Get("Action") != "" {
		return true
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && ct == "application/x-www-form-urlencoded"
}

// serveQuery answers a query-protocol request with an XML document.
func (s *Service) serveQuery(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) { writeError(w, err, protoQuery) }
	r.Body = http.MaxBytesReader(w, r.Body, 8<<20)
	if err := r.ParseForm(); err != nil {
		fail(&apiError{http.StatusBadRequest, "MalformedQueryString", "read form: " + err.Error()})
		return
	}
	if v := r.Form.Get("Version"); v != QueryVersion {
		fail(&apiError{http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("Version %q is not CloudWatch's %s", v, QueryVersion)})
		return
	}
	op, in, err := decodeQuery(r.Form)
	if err != nil {
		fail(&apiError{http.StatusBadRequest, "MalformedQueryString", err.Error()})
		return
	}
	out, err := s.operation(r, op, in)
	if err != nil {
		fail(err)
		return
	}
	writeQuery(w, op, out)
}

// operation runs op on its decoded input, whatever the protocol.
func (s *Service) operation(r *http.Request, op string, in args) (map[string]any, error) {
	switch op {
	case "PutMetricData":
		return s.putMetricData(r, in)
	case "GetMetricStatistics":
		return s.getMetricStatistics(in)
	case "GetMetricData":
		return s.getMetricData(in)
	case "ListMetrics":
		return s.listMetrics(in)
	case "PutMetricAlarm":
		return s.putMetricAlarm(r, in)
	case "DescribeAlarms":
		return s.describeAlarms(in)
	case "SetAlarmState":
		return s.setAlarmState(r, in)
	case "DescribeAlarmHistory":
		return s.describeAlarmHistory(in)
	case "DeleteAlarms":
		for _, n := range in.strings("AlarmNames") {
			s.DeleteAlarm(n)
		}
		return map[string]any{}, nil
	}
	code := "UnknownOperationException"
	if r.Header.Get("X-Amz-Target") == "" && !strings.HasPrefix(r.URL.Path, PathPrefix) {
		code = "InvalidAction" // the query protocol's name for it
	}
	return nil, &apiError{http.StatusBadRequest, code, "operation " + op + " is not implemented by the kiln local CloudWatch (it serves " +
		strings.Join(Operations, ", ") + ")"}
}

// Operations are the CloudWatch operations the service answers, in every protocol.
var Operations = []string{"PutMetricData", "GetMetricStatistics", "GetMetricData", "ListMetrics",
	"PutMetricAlarm", "DescribeAlarms", "SetAlarmState", "DescribeAlarmHistory", "DeleteAlarms"}

func decodeCBORBody(body []byte) (args, error) {
	if len(body) == 0 {
		return args{}, nil
	}
	v, err := cbor.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("decode cbor body: %w", err)
	}
	g, err := fromCBOR(v)
	if err != nil {
		return nil, fmt.Errorf("decode cbor body: %w", err)
	}
	m, ok := g.(map[string]any)
	if !ok {
		return nil, errors.New("decode cbor body: the body is not a map")
	}
	return m, nil
}

// timeMembers are the members that are timestamps (epoch seconds in JSON 1.0).
var timeMembers = map[string]bool{"Timestamp": true, "StartTime": true, "EndTime": true, "StartDate": true, "EndDate": true}

func decodeJSONBody(body []byte) (args, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return args{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("decode json body: %w", err)
	}
	return args(jsonTimes(m).(map[string]any)), nil
}

// jsonTimes converts the timestamp members of a decoded JSON document into time.Time.
func jsonTimes(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if timeMembers[k] {
				switch t := e.(type) {
				case float64:
					v[k] = time.UnixMilli(int64(t * 1000)).UTC()
					continue
				case string:
					if p, err := time.Parse(time.RFC3339Nano, t); err == nil {
						v[k] = p
						continue
					}
				}
			}
			v[k] = jsonTimes(e)
		}
	case []any:
		for i, e := range v {
			v[i] = jsonTimes(e)
		}
	}
	return v
}

// toJSON converts an output document for JSON 1.0: times become epoch seconds.
func toJSON(v any) any {
	switch v := v.(type) {
	case time.Time:
		return float64(v.UnixMilli()) / 1e3
	case []time.Time:
		out := make([]any, len(v))
		for i, t := range v {
			out[i] = toJSON(t)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = toJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toJSON(e)
		}
		return out
	}
	return v
}

func (s *Service) putMetricData(r *http.Request, in args) (map[string]any, error) {
	ns := in.str("Namespace")
	if ns == "" {
		return nil, &apiError{http.StatusBadRequest, "MissingParameter", "Namespace is required"}
	}
	now := s.opts.Clock.Now()
	var data []datum
	for i, e := range in.list("MetricData") {
		d, err := parseDatum(args(asMap(e)), now)
		if err != nil {
			return nil, invalid("MetricData[%d]: %v", i, err)
		}
		data = append(data, d)
	}
	if len(data) == 0 {
		return nil, &apiError{http.StatusBadRequest, "MissingParameter", "MetricData is required"}
	}
	s.evaluate(r.Context(), s.record(ns, data))
	return map[string]any{}, nil
}

func (s *Service) getMetricStatistics(in args) (map[string]any, error) {
	ns, name := in.str("Namespace"), in.str("MetricName")
	from, ok1 := in.time("StartTime")
	to, ok2 := in.time("EndTime")
	period := in.integer("Period")
	if ns == "" || name == "" || !ok1 || !ok2 || period <= 0 {
		return nil, &apiError{http.StatusBadRequest, "MissingParameter", "Namespace, MetricName, StartTime, EndTime and a positive Period are required"}
	}
	statistics := append(in.strings("Statistics"), in.strings("ExtendedStatistics")...)
	if len(statistics) == 0 {
		return nil, &apiError{http.StatusBadRequest, "MissingParameter", "Statistics or ExtendedStatistics is required"}
	}
	for _, st := range statistics {
		if !validStatistic(st) {
			return nil, invalid("statistic %q is not supported", st)
		}
	}
	dims := in.dimensions("Dimensions")
	byTime := map[time.Time]map[string]any{}
	var order []time.Time
	for _, st := range statistics {
		ts, vs := s.Statistics(ns, name, dims, st, time.Duration(period)*time.Second, from, to)
		for i, t := range ts {
			dp, ok := byTime[t]
			if !ok {
				dp = map[string]any{"Timestamp": t}
				if u := in.str("Unit"); u != "" {
					dp["Unit"] = u
				}
				byTime[t] = dp
				order = append(order, t)
			}
			if strings.HasPrefix(st, "p") {
				ext, _ := dp["ExtendedStatistics"].(map[string]float64)
				if ext == nil {
					ext = map[string]float64{}
					dp["ExtendedStatistics"] = ext
				}
				ext[st] = vs[i]
			} else {
				dp[st] = vs[i]
			}
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i].Before(order[j]) })
	dps := make([]any, 0, len(order))
	for _, t := range order {
		dps = append(dps, byTime[t])
	}
	return map[string]any{"Label": name, "Datapoints": dps}, nil
}

func (s *Service) getMetricData(in args) (map[string]any, error) {
	from, ok1 := in.time("StartTime")
	to, ok2 := in.time("EndTime")
	if !ok1 || !ok2 {
		return nil, &apiError{http.StatusBadRequest, "MissingParameter", "StartTime and EndTime are required"}
	}
	var results []any
	for i, e := range in.list("MetricDataQueries") {
		q := args(asMap(e))
		id := q.str("Id")
		if q["Expression"] != nil {
			return nil, invalid("MetricDataQueries[%d]: metric math expressions are not supported locally", i)
		}
		ms := q.obj("MetricStat")
		m := ms.obj("Metric")
		stat, period := ms.str("Stat"), ms.integer("Period")
		if id == "" || m.str("Namespace") == "" || m.str("MetricName") == "" || period <= 0 || !validStatistic(stat) {
			return nil, invalid("MetricDataQueries[%d]: Id, MetricStat.Metric.Namespace, MetricName, a positive Period and a supported Stat are required", i)
		}
		if rd, ok := q["ReturnData"].(bool); ok && !rd {
			continue
		}
		ts, vs := s.Statistics(m.str("Namespace"), m.str("MetricName"), m.dimensions("Dimensions"), stat, time.Duration(period)*time.Second, from, to)
		// GetMetricData lists the newest first by default (ScanBy TimestampDescending).
		if in.str("ScanBy") != "TimestampAscending" {
			for l, r := 0, len(ts)-1; l < r; l, r = l+1, r-1 {
				ts[l], ts[r] = ts[r], ts[l]
				vs[l], vs[r] = vs[r], vs[l]
			}
		}
		label := q.str("Label")
		if label == "" {
			label = m.str("MetricName")
		}
		results = append(results, map[string]any{"Id": id, "Label": label, "Timestamps": ts, "Values": vs, "StatusCode": "Complete"})
	}
	if results == nil {
		results = []any{}
	}
	return map[string]any{"MetricDataResults": results, "Messages": []any{}}, nil
}

func (s *Service) putMetricAlarm(r *http.Request, in args) (map[string]any, error) {
	if in["Metrics"] != nil {
		return nil, invalid("alarms on metric math (Metrics) are not supported locally")
	}
	if in.str("Statistic") != "" && in.str("ExtendedStatistic") != "" {
		return nil, invalid("give Statistic or ExtendedStatistic, not both")
	}
	stat := in.str("Statistic")
	if stat == "" {
		stat = in.str("ExtendedStatistic")
	}
	th, _ := in.num("Threshold")
	d := AlarmDefinition{Name: in.str("AlarmName"), Description: in.str("AlarmDescription"), Namespace: in.str("Namespace"),
		MetricName: in.str("MetricName"), Dimensions: in.dimensions("Dimensions"), Statistic: stat,
		PeriodSeconds: in.integer("Period"), EvaluationPeriods: in.integer("EvaluationPeriods"),
		DatapointsToAlarm: in.integer("DatapointsToAlarm"), Threshold: th,
		ComparisonOperator: in.str("ComparisonOperator"), TreatMissingData: in.str("TreatMissingData")}
	if err := s.PutAlarm(r.Context(), d); err != nil {
		return nil, invalid("%v", err)
	}
	return map[string]any{}, nil
}

func (s *Service) describeAlarms(in args) (map[string]any, error) {
	names := map[string]bool{}
	for _, n := range in.strings("AlarmNames") {
		names[n] = true
	}
	prefix, stateFilter := in.str("AlarmNamePrefix"), in.str("StateValue")
	if len(names) > 0 && prefix != "" {
		return nil, invalid("give AlarmNames or AlarmNamePrefix, not both")
	}
	max := in.integer("MaxRecords")
	if max <= 0 || max > 100 {
		max = 50
	}
	start := 0
	if tok := in.str("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return nil, invalid("NextToken %q is not valid", tok)
		}
		start = n
	}
	var match []AlarmChange
	for _, a := range s.Alarms() {
		if len(names) > 0 && !names[a.Alarm.Name] {
			continue
		}
		if !strings.HasPrefix(a.Alarm.Name, prefix) || (stateFilter != "" && a.Current.Value != stateFilter) {
			continue
		}
		match = append(match, a)
	}
	out := map[string]any{}
	list := []any{}
	for i := start; i < len(match) && i < start+max; i++ {
		list = append(list, alarmShape(match[i]))
	}
	if start+max < len(match) {
		out["NextToken"] = strconv.Itoa(start + max)
	}
	out["MetricAlarms"] = list
	out["CompositeAlarms"] = []any{}
	return out, nil
}

func alarmShape(a AlarmChange) map[string]any {
	d := a.Alarm
	m := map[string]any{
		"AlarmName": d.Name, "AlarmArn": a.ARN, "AlarmDescription": d.Description,
		"Namespace": d.Namespace, "MetricName": d.MetricName, "Dimensions": dimensionList(d.Dimensions),
		"Period": d.PeriodSeconds, "EvaluationPeriods": d.EvaluationPeriods, "DatapointsToAlarm": d.DatapointsToAlarm,
		"Threshold": d.Threshold, "ComparisonOperator": d.ComparisonOperator, "ActionsEnabled": true,
		"StateValue": a.Current.Value, "StateReason": a.Current.Reason, "StateReasonData": a.Current.ReasonData,
		"StateUpdatedTimestamp": a.Current.Updated, "StateTransitionedTimestamp": a.Current.Updated,
		"AlarmActions": []any{}, "OKActions": []any{}, "InsufficientDataActions": []any{},
	}
	if strings.HasPrefix(d.Statistic, "p") {
		m["ExtendedStatistic"] = d.Statistic
	} else {
		m["Statistic"] = d.Statistic
	}
	if d.TreatMissingData != "" {
		m["TreatMissingData"] = d.TreatMissingData
	}
	return m
}

func writeError(w http.ResponseWriter, err error, proto protocol) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{http.StatusBadRequest, "InvalidParameterValue", err.Error()}
	}
	if proto == protoQuery {
		writeQueryError(w, ae)
		return
	}
	if proto == protoJSON {
		awserr.Write(w, awserr.JSON10, ae.status, ae.typ, ae.msg)
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(ae.status)
	_, _ = w.Write(cbor.Encode(cbor.Map{"__type": cbor.String(ae.typ), "message": cbor.String(ae.msg)}))
}
