package iam

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/kiln-dev/kiln/internal/topology"
)

// Protocol names how a request's service answers errors.
type Protocol int

// The protocols of the services kiln local serves.
const (
	ProtocolNone  Protocol = iota // not an AWS API (the console, a function URL)
	ProtocolJSON                  // X-Amz-Target JSON 1.0/1.1, and SageMaker Runtime
	ProtocolCBOR                  // CloudWatch RPC v2
	ProtocolQuery                 // SNS and CloudWatch query: XML errors
	ProtocolS3                    // S3 REST: XML errors
)

// Described is what a request asks of IAM: its protocol, the service's IAM prefix, and the
// calls to authorize.
type Described struct {
	Protocol Protocol
	Service  string
	Calls    []Call
}

// maxDescribeBody bounds how much of a body is read to name the resources (the services'
// own limits are larger only for S3 object bodies, which are never read here).
const maxDescribeBody = 1 << 20

// DescribeHTTP names the IAM calls of an AWS request to the local endpoint, reading its body
// when the resource is in it and leaving the body readable for the service.
func DescribeHTTP(r *http.Request, env topology.Env) Described {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, op, _ := strings.Cut(target, ".")
		svc, ok := map[string]string{"AWSStepFunctions": "states", "SageMaker": "sagemaker", "AWSEvents": "events",
			"GraniteServiceVersion20100801": "cloudwatch", "Logs_20140328": "logs"}[prefix]
		if !ok {
			return Described{}
		}
		return Described{Protocol: ProtocolJSON, Service: svc, Calls: jsonCalls(env, svc, op, jsonBody(r))}
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/service/GraniteServiceVersion20100801/operation/"):
		op := strings.TrimPrefix(p, "/service/GraniteServiceVersion20100801/operation/")
		return Described{Protocol: ProtocolCBOR, Service: "cloudwatch", Calls: jsonCalls(env, "cloudwatch", op, cborBody(r))}
	case strings.HasPrefix(p, "/endpoints/"):
		name, _, _ := strings.Cut(strings.TrimPrefix(p, "/endpoints/"), "/")
		return Described{Protocol: ProtocolJSON, Service: "sagemaker",
			Calls: []Call{{Action: "sagemaker:InvokeEndpoint", Resource: sagemakerARN(env, "endpoint", name)}}}
	case p == "/console" || strings.HasPrefix(p, "/console/") || strings.HasPrefix(p, "/_kiln/"):
		return Described{}
	}
	if form, ok := queryForm(r); ok {
		return queryCalls(r, env, form)
	}
	return Described{Protocol: ProtocolS3, Service: "s3", Calls: s3Calls(r)}
}

// peek reads up to maxDescribeBody of r's body and puts it back.
func peek(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, maxDescribeBody))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
	return b
}

func jsonBody(r *http.Request) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(plain(r), &m)
	return m
}

// plain returns r's body as sent, decompressed when the SDK gzipped it (CloudWatch's
// PutMetricData is).
func plain(r *http.Request) []byte {
	b := peek(r)
	if !strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		return b
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(io.LimitReader(zr, maxDescribeBody))
	return out
}

func cborBody(r *http.Request) map[string]any {
	v, err := cbor.Decode(plain(r))
	m, ok := v.(cbor.Map)
	if err != nil || !ok {
		return nil
	}
	out := map[string]any{}
	if ns, ok := m["Namespace"].(cbor.String); ok {
		out["Namespace"] = string(ns)
	}
	if names, ok := m["AlarmNames"].(cbor.List); ok {
		var list []any
		for _, n := range names {
			if s, ok := n.(cbor.String); ok {
				list = append(list, string(s))
			}
		}
		out["AlarmNames"] = list
	}
	return out
}

// queryForm returns a query-protocol request's parameters (a form POST at / or a GET at /
// with Action), leaving the body readable.
func queryForm(r *http.Request) (url.Values, bool) {
	if r.URL.Path != "/" {
		return nil, false
	}
	if q := r.URL.Query(); q.Get("Action") != "" {
		return q, true
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || ct != "application/x-www-form-urlencoded" {
		return nil, false
	}
	v, err := url.ParseQuery(string(plain(r)))
	return v, err == nil && v.Get("Action") != ""
}

// queryCalls describes SNS and CloudWatch query requests (the service from the credential
// scope, as the router decides).
func queryCalls(r *http.Request, env topology.Env, form url.Values) Described {
	op := form.Get("Action")
	if credentialService(r) == "monitoring" || form.Get("Version") == "2010-08-01" {
		body := map[string]any{}
		var names []any
		for i := 1; form.Get("AlarmNames.member."+itoa(i)) != ""; i++ {
			names = append(names, form.Get("AlarmNames.member."+itoa(i)))
		}
		if names != nil {
			body["AlarmNames"] = names
		}
		if ns := form.Get("Namespace"); ns != "" {
			body["Namespace"] = ns
		}
		return Described{Protocol: ProtocolQuery, Service: "cloudwatch", Calls: jsonCalls(env, "cloudwatch", op, body)}
	}
	res := "*"
	if t := form.Get("TopicArn"); t != "" {
		res = t
	}
	return Described{Protocol: ProtocolQuery, Service: "sns", Calls: []Call{{Action: "sns:" + op, Resource: res, Context: secure()}}}
}

func credentialService(r *http.Request) string {
	if parts := strings.Split(credentialScope(r), "/"); len(parts) == 5 {
		return parts[3]
	}
	return ""
}

// secure is the context every SDK call has on AWS, where it travels over TLS.
func secure() map[string]string { return map[string]string{"aws:SecureTransport": "true"} }
