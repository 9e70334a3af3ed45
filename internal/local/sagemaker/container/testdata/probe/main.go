// Command probe is a training and serving program for the Docker runtime's tests: `probe
// train` writes what it sees of SageMaker's contract to /opt/ml/model/probe.json; `probe
// serve` answers GET /ping and POST /invocations (with the same report) on
// $KILN_BIND_HOST:$SAGEMAKER_BIND_TO_PORT.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: probe train|serve")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "train":
		os.Exit(train())
	case "serve":
		os.Exit(serve())
	}
	fmt.Println("unknown role", os.Args[1])
	os.Exit(2)
}

// report is what the program sees.
func report() map[string]any {
	var ifaces []string
	list, _ := net.Interfaces()
	for _, i := range list {
		ifaces = append(ifaces, i.Name)
	}
	hps, _ := os.ReadFile("/opt/ml/input/config/hyperparameters.json")
	data, _ := os.ReadFile(filepath.Join(os.Getenv("SM_CHANNEL_TRAIN"), "data.csv"))
	model, _ := os.ReadFile("/opt/ml/model/model.txt")
	return map[string]any{
		"args": os.Args[1:], "interfaces": ifaces, "hyperparameters": string(hps), "data": string(data),
		"model": string(model), "uid": os.Getuid(),
		"env": map[string]string{"SM_MODEL_DIR": os.Getenv("SM_MODEL_DIR"), "LD_PRELOAD": os.Getenv("LD_PRELOAD"),
			"MODEL_GREETING": os.Getenv("MODEL_GREETING"), "SM_HP_DEPTH": os.Getenv("SM_HP_DEPTH")},
	}
}

func train() int {
	fmt.Println("probe training")
	b, _ := json.Marshal(report())
	if err := os.WriteFile("/opt/ml/model/probe.json", b, 0o600); err != nil {
		fmt.Println("write model:", err)
		return 1
	}
	if os.Getenv("PROBE_FAIL") != "" {
		_ = os.WriteFile("/opt/ml/output/failure", []byte("the probe was asked to fail"), 0o600)
		return 3
	}
	return 0
}

func serve() int {
	addr := net.JoinHostPort(os.Getenv("KILN_BIND_HOST"), os.Getenv("SAGEMAKER_BIND_TO_PORT"))
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/invocations", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(report())
	})
	fmt.Println("probe serving on", addr)
	if err := http.ListenAndServe(addr, mux); err != nil {
		fmt.Println(err)
		return 1
	}
	return 0
}
