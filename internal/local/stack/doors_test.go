package stack

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/server"
	"github.com/kiln-dev/kiln/internal/topology"
)

// do sends one raw request to the stack, as a browser or a script would, and returns the
// status and headers and the body (read and closed).
func do(t *testing.T, method, url string, body []byte, headers map[string]string) (reply, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{resp.StatusCode, resp.Header}, got
}

// reply is what a test reads of a response.
type reply struct {
	StatusCode int
	Header     http.Header
}

func TestTheEndpointKeepsBrowsersOut(t *testing.T) {
	s := open(t, t.TempDir(), Options{CORSOrigins: []string{"http://localhost:3000"}})
	defer s.Close()
	bucket := topology.ArtifactsBucket(s.TopologyEnv())
	port := s.Endpoint()[strings.LastIndex(s.Endpoint(), ":")+1:]
	obj := s.Endpoint() + "/" + bucket + "/data/abalone/page.csv"
	listSM := map[string]string{"X-Amz-Target": "AWSStepFunctions.ListStateMachines", "Content-Type": "application/x-amz-json-1.0"}
	with := func(h map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for a, b := range h {
			out[a] = b
		}
		return out
	}
	cases := []struct {
		name    string
		method  string
		url     string
		headers map[string]string
		status  int
		acao    string
	}{
		{"a page elsewhere cannot put an object", "PUT", obj, map[string]string{"Origin": "https://evil.example"}, 403, ""},
		{"a page on another local port cannot put an object", "PUT", obj, map[string]string{"Origin": "http://127.0.0.1:1"}, 403, ""},
		{"a sandboxed page cannot start anything", "POST", s.Endpoint() + "/", with(listSM, "Origin", "null"), 403, ""},
		{"a preflight from a page elsewhere is refused", "OPTIONS", obj, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"}, 403, ""},
		{"a rebound name is refused", "GET", s.Endpoint() + "/", map[string]string{"Host": "evil.example:" + port}, 403, ""},
		{"a rebound name is refused on a write too", "POST", s.Endpoint() + "/", with(listSM, "Host", "attacker.example"), 403, ""},
		{"a cross-origin read gets no permission to be read", "GET", s.Endpoint() + "/", map[string]string{"Origin": "https://evil.example"}, 200, ""},
		{"the SDK without an Origin is served", "POST", s.Endpoint() + "/", listSM, 200, ""},
		{"localhost is served", "POST", s.Endpoint() + "/", with(listSM, "Host", "localhost:"+port), 200, ""},
		{"the stack's own pages may write", "PUT", obj, map[string]string{"Origin": "http://localhost:" + port}, 200, ""},
		{"an origin allowed by --cors-origin may write and read", "PUT", obj, map[string]string{"Origin": "http://localhost:3000"}, 200, "http://localhost:3000"},
		{"an allowed origin's preflight is answered", "OPTIONS", obj, map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT"}, 204, "http://localhost:3000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.method == "PUT" {
				body = []byte("a,b\n")
			}
			if tc.method == "POST" {
				body = []byte("{}")
			}
			resp, got := do(t, tc.method, tc.url, body, tc.headers)
			assert.Equal(t, tc.status, resp.StatusCode, "body: %s", got)
			assert.Equal(t, tc.acao, resp.Header.Get("Access-Control-Allow-Origin"))
		})
	}
	// Nothing a refused request sent was stored.
	keys, err := s.S3().List(bucket, "data/abalone/page.csv")
	require.NoError(t, err)
	assert.Len(t, keys, 1, "only the allowed PUTs stored the object")
}

func TestAnOversizedRequestGetsTheServicesOwnSizeError(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close()
	big := bytes.Repeat([]byte("a"), server.StepFunctionsMaxRequest+10)
	body := append([]byte(`{"stateMachineArn":"x","input":"`), big...)
	body = append(body, '"', '}')
	resp, got := do(t, "POST", s.Endpoint()+"/", body, map[string]string{"X-Amz-Target": "AWSStepFunctions.StartExecution", "Content-Type": "application/x-amz-json-1.0"})
	assert.Equal(t, 400, resp.StatusCode)
	assert.Equal(t, "ValidationException", resp.Header.Get("X-Amzn-ErrorType"), "body: %.200s", got)
	assert.NotContains(t, string(got), "unexpected end of JSON")

	resp, _ = do(t, "POST", s.FunctionURL("webhook"), bytes.Repeat([]byte("x"), server.FunctionURLMaxRequest+1), nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}

func TestAHalfSentRequestIsDisconnected(t *testing.T) {
	srv := server.NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
	}), server.Timeouts{ReadHeader: 200 * time.Millisecond, Read: 300 * time.Millisecond, Idle: 300 * time.Millisecond})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	for _, partial := range []string{
		"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\na", // one byte of a 100-byte body
		"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n",                             // headers never finished
	} {
		c, err := net.Dial("tcp", l.Addr().String())
		require.NoError(t, err)
		_, err = fmt.Fprint(c, partial)
		require.NoError(t, err)
		start := time.Now()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.Copy(io.Discard, c) // returns when the server closes the connection
		assert.Less(t, time.Since(start), 2*time.Second, "the server kept a half-sent request open")
		c.Close()
	}
	d := server.DefaultTimeouts
	for _, v := range []time.Duration{d.ReadHeader, d.Read} {
		assert.LessOrEqual(t, v, 60*time.Second)
		assert.Positive(t, v)
	}
	assert.Positive(t, d.Idle)
}

func TestACORSOriginMustBeOneOrigin(t *testing.T) {
	for _, o := range []string{"*", "http://localhost:3000/", "localhost:3000", "http://*.example", "file://x"} {
		_, err := Open(Options{Dir: t.TempDir(), Addr: "127.0.0.1:0", CORSOrigins: []string{o}})
		assert.ErrorContains(t, err, "cors origin", o)
	}
	assert.NoError(t, server.CheckOrigin("https://tool.example:8443"))
}
