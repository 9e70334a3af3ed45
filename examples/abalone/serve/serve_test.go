package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/examples/abalone/model"
)

func trainedModel(t testing.TB) *model.Model {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "data", "abalone.csv"))
	require.NoError(t, err)
	defer f.Close()
	d := &model.Dataset{}
	require.NoError(t, d.ParseTrainingCSV(f))
	p := model.DefaultParams()
	p.NumRound = 20
	m, err := model.Train(d, nil, p, nil)
	require.NoError(t, err)
	return m
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestInvocations(t *testing.T) {
	m := trainedModel(t)
	h := NewHandler(m, quiet())
	row1 := "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15"
	row2 := "I,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055"
	predict := func(row string) string {
		x, err := model.ParseRequestCSV(strings.NewReader(row))
		require.NoError(t, err)
		p, err := m.Predict(x[0])
		require.NoError(t, err)
		return strconv.FormatFloat(p, 'g', -1, 64)
	}
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		accept      string
		body        string
		status      int
		want        string
	}{
		{name: "ping answers 200 once loaded", method: "GET", path: "/ping", status: 200},
		{name: "one row gets one prediction", method: "POST", path: "/invocations", contentType: "text/csv", body: row1 + "\n", status: 200, want: predict(row1) + "\n"},
		{name: "several rows get one prediction per line in order", method: "POST", path: "/invocations", contentType: "text/csv; charset=utf-8", accept: "text/csv", body: row1 + "\n" + row2, status: 200, want: predict(row1) + "\n" + predict(row2) + "\n"},
		{name: "a malformed row is a 400 naming row and column", method: "POST", path: "/invocations", contentType: "text/csv", body: row1 + "\nM,0.4,0.3,tall,0.5,0.2,0.1,0.1\n", status: 400, want: `malformed request: row 2, column Height: value "tall" is not a number`},
		{name: "a row with Rings still attached is a 400", method: "POST", path: "/invocations", contentType: "text/csv", body: row1 + ",15\n", status: 400, want: "row 1: got 9 columns, want 8"},
		{name: "json is a 415", method: "POST", path: "/invocations", contentType: "application/json", body: `[1,2]`, status: 415, want: `unsupported content type "application/json": want text/csv`},
		{name: "no content type is a 415", method: "POST", path: "/invocations", body: row1, status: 415},
		{name: "asking for json back is a 406", method: "POST", path: "/invocations", contentType: "text/csv", accept: "application/json", body: row1, status: 406},
		{name: "a body over 6 MB is a 413", method: "POST", path: "/invocations", contentType: "text/csv", body: strings.Repeat(row1+"\n", MaxBody/len(row1)+10), status: 413},
		{name: "GET on invocations is a 405", method: "GET", path: "/invocations", status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.want != "" {
				if tt.status == 200 {
					assert.Equal(t, tt.want, rec.Body.String())
					assert.Equal(t, "text/csv", rec.Header().Get("Content-Type"))
				} else {
					assert.Contains(t, rec.Body.String(), tt.want)
				}
			}
		})
	}
}

func TestTheServerListensOnAllInterfacesUnlessKilnAsksForLoopback(t *testing.T) {
	none := func(string) string { return "" }
	assert.Equal(t, "0.0.0.0", defaultHost(none), "in a container SageMaker pings port 8080 from outside")
	loopback := func(k string) string { return map[string]string{"KILN_BIND_HOST": "127.0.0.1"}[k] }
	assert.Equal(t, "127.0.0.1", defaultHost(loopback))
}

func TestRunServesAndStopsGracefully(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "model.json"))
	require.NoError(t, err)
	require.NoError(t, trainedModel(t).WriteJSON(f))
	require.NoError(t, f.Close())

	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	env := map[string]string{"SM_MODEL_DIR": dir, "KILN_BIND_HOST": "127.0.0.1"}
	go func() {
		done <- run(ctx, []string{"--port", "0"}, func(k string) string { return env[k] }, quiet(), func(a net.Addr) { addrs <- a })
	}()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("run ended early: %v", err)
	}
	assert.True(t, strings.HasPrefix(addr.String(), "127.0.0.1:"), "got %s, want loopback", addr)
	resp, err := http.Post("http://"+addr.String()+"/invocations", "text/csv", strings.NewReader("F,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode, string(body))
	v, err := strconv.ParseFloat(strings.TrimSpace(string(body)), 64)
	require.NoError(t, err)
	assert.InDelta(t, 10, v, 5, "a grown female abalone has about ten rings")

	cancel()
	require.NoError(t, <-done)
}

func TestRunRejectsBadSetup(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"a missing model file is an error", []string{"--model-dir", t.TempDir(), "--port", "0"}, "load model"},
		{"a port that is not a number is an error", []string{"--port", "http"}, `port "http"`},
		{"an unknown argument is an error", []string{"train"}, `unexpected argument "train"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, func(string) string { return "" }, quiet(), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func BenchmarkInvocationOneRow(b *testing.B) {
	h := NewHandler(trainedModel(b), quiet())
	const row = "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\n"
	for b.Loop() {
		req := httptest.NewRequest("POST", "/invocations", strings.NewReader(row))
		req.Header.Set("Content-Type", "text/csv")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Body.String())
		}
	}
}
