package main

import (
	"bytes"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/kiln-dev/kiln/examples/abalone/model"
)

// MaxBody is the largest request body accepted: SageMaker's 6 MB payload limit.
const MaxBody = 6 << 20

// NewHandler returns the SageMaker serving routes for m. It is safe for concurrent requests.
func NewHandler(m *model.Model, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed: use GET", http.StatusMethodNotAllowed)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("/invocations", func(w http.ResponseWriter, r *http.Request) {
		invoke(m, log, w, r)
	})
	return mux
}

func invoke(m *model.Model, log *slog.Logger, w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed: use POST", http.StatusMethodNotAllowed)
		return
	}
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/csv" {
		http.Error(w, "unsupported content type "+strconv.Quote(ct)+": want text/csv", http.StatusUnsupportedMediaType)
		return
	}
	if !acceptsCSV(r.Header.Get("Accept")) {
		http.Error(w, "cannot answer in "+strconv.Quote(r.Header.Get("Accept"))+": only text/csv", http.StatusNotAcceptable)
		return
	}
	rows, err := model.ParseRequestCSV(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body over 6 MB", http.StatusRequestEntityTooLarge)
			return
		}
		log.Info("bad request", "err", err)
		http.Error(w, "malformed request: "+err.Error(), http.StatusBadRequest)
		return
	}
	preds, err := m.PredictAll(rows)
	if err != nil {
		log.Error("predict", "err", err)
		http.Error(w, "predict: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var out bytes.Buffer
	for _, p := range preds {
		out.WriteString(strconv.FormatFloat(p, 'g', -1, 64))
		out.WriteByte('\n')
	}
	w.Header().Set("Content-Type", "text/csv")
	_, _ = w.Write(out.Bytes())
}

// acceptsCSV reports whether an Accept header allows text/csv (an absent header does).
func acceptsCSV(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if mt == "text/csv" || mt == "text/*" || mt == "*/*" {
			return true
		}
	}
	return false
}
