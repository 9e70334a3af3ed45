// Command model is a model under SageMaker's container contract, in Go's standard library
// only, built as a static binary (CGO_ENABLED=0) so its image is FROM scratch.
//
// SageMaker (and kiln local) runs the image as `model train` or `model serve`.
//
// train reads every CSV file of the "train" channel ($SM_CHANNEL_TRAIN, a header row naming
// the features and the label), fits a linear regression by least squares on the rows not held
// out for the test, and writes
//
//	$SM_MODEL_DIR/model.json              the weights (packed into model.tar.gz)
//	$SM_OUTPUT_DATA_DIR/evaluation.json   the test-set MSE at regression_metrics.mse.value,
//	                                      the path the policy's gate reads
//
// On failure the reason goes to $SM_OUTPUT_DIR/failure and the exit code is 1.
//
// serve loads model.json from $SM_MODEL_DIR (default /opt/ml/model) and listens on port
// $SAGEMAKER_BIND_TO_PORT (default 8080) on all interfaces, or on $KILN_BIND_HOST when set:
//
//	GET  /ping          200 once the model is loaded
//	POST /invocations   text/csv rows of the features (no header), one prediction a line
package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// features and label name the CSV columns.
var features = []string{"x1", "x2", "x3"}

const label = "y"

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	role := ""
	if len(os.Args) > 1 {
		role = os.Args[len(os.Args)-1]
	}
	switch role {
	case "train":
		os.Exit(train())
	case "serve":
		if err := serve(); err != nil {
			log.Print("serve: ", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: model train|serve (SageMaker runs the image with one of them)")
		os.Exit(2)
	}
}

// model is model.json.
type model struct {
	Features  []string  `json:"features"`
	Intercept float64   `json:"intercept"`
	Weights   []float64 `json:"weights"`
}

func (m model) predict(x []float64) float64 {
	y := m.Intercept
	for i, w := range m.Weights {
		y += w * x[i]
	}
	return y
}

type row struct {
	x []float64
	y float64
}

func train() int {
	output := env("SM_OUTPUT_DIR", "/opt/ml/output")
	mse, n, err := fitAndWrite()
	if err != nil {
		_ = os.MkdirAll(output, 0o755)
		_ = os.WriteFile(filepath.Join(output, "failure"), []byte(err.Error()), 0o644)
		fmt.Fprintln(os.Stderr, "train:", err)
		return 1
	}
	fmt.Printf("trained on %d rows, test MSE %.4f\n", n, mse)
	return 0
}

// fitAndWrite trains and writes the model and the evaluation; it returns the test MSE and
// the number of rows fitted.
func fitAndWrite() (float64, int, error) {
	input := env("SM_INPUT_DIR", "/opt/ml/input")
	hps := map[string]string{}
	if b, err := os.ReadFile(filepath.Join(env("SM_INPUT_CONFIG_DIR", input+"/config"), "hyperparameters.json")); err == nil {
		if err := json.Unmarshal(b, &hps); err != nil {
			return 0, 0, fmt.Errorf("hyperparameters.json: %w", err)
		}
	}
	ridge, err1 := strconv.ParseFloat(orDefault(hps["ridge"], "0"), 64)
	testFraction, err2 := strconv.ParseFloat(orDefault(hps["test_fraction"], "0.2"), 64)
	seed, err3 := strconv.ParseInt(orDefault(hps["seed"], "7"), 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return 0, 0, fmt.Errorf("hyperparameters: %w", err)
	}
	rows, err := readRows(env("SM_CHANNEL_TRAIN", input+"/data/train"))
	if err != nil {
		return 0, 0, err
	}
	rand.New(rand.NewSource(seed)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	nTest := max(1, int(float64(len(rows))*testFraction))
	test, fit := rows[:nTest], rows[nTest:]
	if len(fit) <= len(features) {
		return 0, 0, fmt.Errorf("%d training rows: too few for %d features", len(fit), len(features))
	}
	m, err := leastSquares(fit, ridge)
	if err != nil {
		return 0, 0, err
	}
	mse := 0.0
	for _, r := range test {
		d := m.predict(r.x) - r.y
		mse += d * d
	}
	mse /= float64(len(test))
	if err := writeJSON(env("SM_MODEL_DIR", "/opt/ml/model"), "model.json", m); err != nil {
		return 0, 0, err
	}
	eval := map[string]any{"regression_metrics": map[string]any{"mse": map[string]float64{"value": mse}},
		"rows": map[string]int{"train": len(fit), "test": len(test)}}
	return mse, len(fit), writeJSON(env("SM_OUTPUT_DATA_DIR", env("SM_OUTPUT_DIR", "/opt/ml/output")+"/data"), "evaluation.json", eval)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func writeJSON(dir, name string, v any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, _ := json.Marshal(v)
	return os.WriteFile(filepath.Join(dir, name), b, 0o644)
}

// readRows reads every *.csv under channel (sorted by path), by the header's column names.
func readRows(channel string) ([]row, error) {
	var files []string
	_ = filepath.WalkDir(channel, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".csv") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		return nil, fmt.Errorf("no CSV files in the train channel %s", channel)
	}
	sort.Strings(files)
	var rows []row
	for _, name := range files {
		rs, err := readFile(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, rs...)
	}
	return rows, nil
}

func readFile(name string) ([]row, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read CSV: %w", err)
	}
	if len(recs) == 0 {
		return nil, errors.New("empty CSV file")
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimSpace(h)] = i
	}
	var rows []row
	for n, rec := range recs[1:] {
		r := row{x: make([]float64, len(features))}
		for i, name := range append(append([]string(nil), features...), label) {
			j, ok := col[name]
			if !ok || j >= len(rec) {
				return nil, fmt.Errorf("no column %s", name)
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[j]), 64)
			if err != nil {
				return nil, fmt.Errorf("row %d: %s: %w", n+2, name, err)
			}
			if i < len(features) {
				r.x[i] = v
			} else {
				r.y = v
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// leastSquares solves the normal equations (XᵀX + ridge·I) w = Xᵀy, the intercept unpenalised.
func leastSquares(rows []row, ridge float64) (model, error) {
	k := len(features) + 1
	a := make([][]float64, k)
	for i := range a {
		a[i] = make([]float64, k+1)
	}
	for _, r := range rows {
		v := append([]float64{1}, r.x...)
		for i := range k {
			a[i][k] += v[i] * r.y
			for j := range k {
				a[i][j] += v[i] * v[j]
			}
		}
	}
	for i := 1; i < k; i++ {
		a[i][i] += ridge
	}
	for c := range k { // Gauss-Jordan with partial pivoting
		p := c
		for r := c + 1; r < k; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return model{}, errors.New("the features are linearly dependent")
		}
		a[c], a[p] = a[p], a[c]
		for r := range k {
			if r != c {
				f := a[r][c] / a[c][c]
				for j := c; j <= k; j++ {
					a[r][j] -= f * a[c][j]
				}
			}
		}
	}
	w := make([]float64, k)
	for i := range k {
		w[i] = a[i][k] / a[i][i]
	}
	return model{Features: features, Intercept: w[0], Weights: w[1:]}, nil
}

func serve() error {
	b, err := os.ReadFile(filepath.Join(env("SM_MODEL_DIR", "/opt/ml/model"), "model.json"))
	if err != nil {
		return err
	}
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("model.json: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("POST /invocations", func(w http.ResponseWriter, r *http.Request) { invocations(w, r, m) })
	addr := net.JoinHostPort(env("KILN_BIND_HOST", "0.0.0.0"), env("SAGEMAKER_BIND_TO_PORT", "8080"))
	log.Print("serving on ", addr)
	return http.ListenAndServe(addr, mux)
}

func invocations(w http.ResponseWriter, r *http.Request, m model) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/csv" {
		http.Error(w, "want text/csv", http.StatusUnsupportedMediaType)
		return
	}
	recs, err := csv.NewReader(io.LimitReader(r.Body, 6<<20)).ReadAll()
	if err != nil {
		http.Error(w, "read CSV: "+err.Error(), http.StatusBadRequest)
		return
	}
	var out strings.Builder
	for n, rec := range recs {
		if len(rec) != len(features) {
			http.Error(w, fmt.Sprintf("row %d: %d values, want %d (%s)", n+1, len(rec), len(features), strings.Join(features, ",")), http.StatusBadRequest)
			return
		}
		x := make([]float64, len(rec))
		for i, v := range rec {
			if x[i], err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
				http.Error(w, fmt.Sprintf("row %d: not numbers", n+1), http.StatusBadRequest)
				return
			}
		}
		out.WriteString(strconv.FormatFloat(m.predict(x), 'g', -1, 64) + "\n")
	}
	w.Header().Set("Content-Type", "text/csv")
	_, _ = io.WriteString(w, out.String())
}
