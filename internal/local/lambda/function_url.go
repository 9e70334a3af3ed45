package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/kiln-dev/kiln/internal/clock"
)

// FunctionURL serves fn the way a Lambda function URL does: the HTTP request becomes an
// events.LambdaFunctionURLRequest (payload format 2.0: lower-cased headers, the raw body, or
// base64 when it is not UTF-8), the function's events.LambdaFunctionURLResponse becomes the
// HTTP response. A function error is a 502, as the function URL reports it. clk stamps
// the request context (nil: clock.Wall).
func FunctionURL(fn Func, clk clock.Clock) http.Handler {
	if clk == nil {
		clk = clock.Wall{}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 6<<20))
		if err != nil {
			http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
			return
		}
		req := toURLRequest(r, body, clk.Now())
		payload, err := json.Marshal(req)
		if err != nil {
			http.Error(w, "encode request: "+err.Error(), http.StatusInternalServerError)
			return
		}
		out, err := fn(context.WithoutCancel(r.Context()), payload)
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Amzn-ErrorType", "Function.Error")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`{"Message":"Internal Server Error"}`))
			return
		}
		writeURLResponse(w, out)
	})
}

func toURLRequest(r *http.Request, body []byte, now time.Time) events.LambdaFunctionURLRequest {
	headers := map[string]string{}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	query := map[string]string{}
	for k, vs := range r.URL.Query() {
		query[k] = strings.Join(vs, ",")
	}
	var cookies []string
	for _, c := range r.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	req := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: r.URL.Path, RawQueryString: r.URL.RawQuery, Cookies: cookies,
		Headers: headers, QueryStringParameters: query,
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID: "anonymous", RequestID: newRequestID(now), APIID: "kiln-local", DomainName: r.Host,
			DomainPrefix: "kiln-local", Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: r.Method, Path: r.URL.Path,
				Protocol: r.Proto, SourceIP: ip, UserAgent: r.UserAgent()},
		},
	}
	if utf8.Valid(body) {
		req.Body = string(body)
	} else {
		req.Body = base64.StdEncoding.EncodeToString(body)
		req.IsBase64Encoded = true
	}
	return req
}

func newRequestID(now time.Time) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(now.Unix()), now.UnixNano()&0xffffffffffff)
}

// writeURLResponse writes a function's result: a LambdaFunctionURLResponse when it has a
// statusCode, otherwise the result itself as a 200 JSON body, as function URLs do.
func writeURLResponse(w http.ResponseWriter, out []byte) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(out, &probe) != nil || probe["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
		return
	}
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		body = b
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
