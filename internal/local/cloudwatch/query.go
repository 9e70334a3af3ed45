package cloudwatch

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// QueryVersion is the Version of CloudWatch's query protocol (form-encoded Action=...,
// XML answers), which the aws CLI v2 before 2.13 speaks.
const QueryVersion = "2010-08-01"

// xmlNamespace is the namespace of the query protocol's XML documents.
const xmlNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"

// queryNumbers are the members whose query-protocol values are numbers.
var queryNumbers = map[string]bool{"Value": true, "Values": true, "Counts": true, "SampleCount": true,
	"Sum": true, "Minimum": true, "Maximum": true, "Period": true, "EvaluationPeriods": true,
	"DatapointsToAlarm": true, "Threshold": true, "MaxRecords": true, "MaxDatapoints": true,
	"StorageResolution": true}

// queryBools are the members whose query-protocol values are booleans.
var queryBools = map[string]bool{"ReturnData": true, "ActionsEnabled": true, "RecentlyActive": false}

// decodeQuery reads a query-protocol form into the same document the JSON and CBOR
// protocols decode to: "A.member.N" is the N-th element of list A, "A.B" member B of A,
// numbers, booleans and timestamps typed by member name.
func decodeQuery(form url.Values) (string, args, error) {
	op := form.Get("Action")
	root := map[string]any{}
	for key, vals := range form {
		if key == "Action" || key == "Version" || len(vals) == 0 {
			continue
		}
		parts := strings.Split(key, ".")
		var cur any = root
		name, parent := "", ""
		for i, p := range parts {
			last := i == len(parts)-1
			if p == "member" && !last {
				n, err := strconv.Atoi(parts[i+1])
				if err != nil || n < 1 || n > 10000 {
					return op, nil, fmt.Errorf("parameter %s: %q is not a list index", key, parts[i+1])
				}
				parts[i+1] = "#" + strconv.Itoa(n)
				continue
			}
			var k string
			if strings.HasPrefix(p, "#") {
				k = p
			} else {
				k, parent, name = p, name, p
			}
			m, ok := cur.(map[string]any)
			if !ok {
				return op, nil, fmt.Errorf("parameter %s conflicts with another", key)
			}
			if last {
				if parent == "Dimensions" {
					name = "" // a dimension's Value is a string
				}
				v, err := queryScalar(name, vals[0])
				if err != nil {
					return op, nil, fmt.Errorf("parameter %s: %w", key, err)
				}
				if vals[0] == "" && !strings.HasPrefix(k, "#") && len(parts) == 1 {
					// "AlarmNames=" is how an empty list is sent
					m[k] = []any{}
					continue
				}
				m[k] = v
				continue
			}
			next, ok := m[k]
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			cur = next
		}
	}
	return op, args(lists(root).(map[string]any)), nil
}

// lists turns the maps keyed "#1", "#2"... that decodeQuery builds into lists.
func lists(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	indexed := len(m) > 0
	for k, e := range m {
		m[k] = lists(e)
		if !strings.HasPrefix(k, "#") {
			indexed = false
		}
	}
	if !indexed {
		return m
	}
	keys := make([]int, 0, len(m))
	for k := range m {
		n, _ := strconv.Atoi(k[1:])
		keys = append(keys, n)
	}
	sort.Ints(keys)
	out := make([]any, 0, len(keys))
	for _, n := range keys {
		out = append(out, m["#"+strconv.Itoa(n)])
	}
	return out
}

func queryScalar(name, s string) (any, error) {
	switch {
	case queryNumbers[name]:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return f, nil
	case queryBools[name]:
		return s == "true", nil
	case timeMembers[name]:
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an ISO 8601 timestamp", s)
		}
		return t, nil
	}
	return s, nil
}

// writeQuery answers op's output as the query protocol's XML document.
func writeQuery(w http.ResponseWriter, op string, out map[string]any) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResponse xmlns="%s"><%sResult>`, op, xmlNamespace, op)
	writeXMLMembers(&b, out)
	fmt.Fprintf(&b, `</%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, op, requestID(), op)
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write(b.Bytes())
}

// writeQueryError answers err as the query protocol's ErrorResponse.
func writeQueryError(w http.ResponseWriter, ae *apiError) {
	var b bytes.Buffer
	fault := "Sender"
	if ae.status >= 500 {
		fault = "Receiver"
	}
	fmt.Fprintf(&b, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>`, xmlNamespace, fault)
	_ = xml.EscapeText(&b, []byte(ae.typ))
	b.WriteString(`</Code><Message>`)
	_ = xml.EscapeText(&b, []byte(ae.msg))
	fmt.Fprintf(&b, `</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, requestID())
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(ae.status)
	_, _ = w.Write(b.Bytes())
}

func requestID() string {
	return strconv.FormatInt(time.Now().UnixNano(), 36)
}

func writeXMLMembers(b *bytes.Buffer, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if m[k] == nil {
			continue
		}
		fmt.Fprintf(b, "<%s>", k)
		writeXMLValue(b, m[k])
		fmt.Fprintf(b, "</%s>", k)
	}
}

func writeXMLValue(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case map[string]any:
		writeXMLMembers(b, v)
	case map[string]float64:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString("<entry><key>")
			_ = xml.EscapeText(b, []byte(k))
			b.WriteString("</key><value>")
			writeXMLValue(b, v[k])
			b.WriteString("</value></entry>")
		}
	case []any:
		for _, e := range v {
			b.WriteString("<member>")
			writeXMLValue(b, e)
			b.WriteString("</member>")
		}
	case []float64:
		for _, e := range v {
			b.WriteString("<member>")
			writeXMLValue(b, e)
			b.WriteString("</member>")
		}
	case []time.Time:
		for _, e := range v {
			b.WriteString("<member>")
			writeXMLValue(b, e)
			b.WriteString("</member>")
		}
	case time.Time:
		b.WriteString(v.UTC().Format("2006-01-02T15:04:05.000Z"))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
	case int:
		b.WriteString(strconv.Itoa(v))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case string:
		_ = xml.EscapeText(b, []byte(v))
	default:
		_ = xml.EscapeText(b, []byte(fmt.Sprint(v)))
	}
}
