#!/usr/bin/env python3
"""A model under SageMaker's container contract, in Python's standard library only.

SageMaker (and kiln local) runs the image as `model.py train` or `model.py serve`.

train: reads every CSV file of the "train" channel ($SM_CHANNEL_TRAIN, header row naming
       the FEATURES and the LABEL), fits a linear regression by least squares on 80% of the
       rows, and writes
         $SM_MODEL_DIR/model.json                  the weights (packed into model.tar.gz)
         $SM_OUTPUT_DATA_DIR/evaluation.json       the test-set MSE at regression_metrics.mse.value,
                                                   the path the policy's gate reads
       On failure the reason goes to /opt/ml/output/failure (SM_OUTPUT_DIR) and the exit code is 1.
serve: loads model.json from $SM_MODEL_DIR (default /opt/ml/model) and listens on port
       $SAGEMAKER_BIND_TO_PORT (default 8080) on all interfaces, or on $KILN_BIND_HOST when set
         GET  /ping          200 once the model is loaded
         POST /invocations   text/csv rows of the features (no header), one prediction a line
"""
import csv
import glob
import http.server
import io
import json
import os
import random
import sys

FEATURES = ["x1", "x2", "x3"]
LABEL = "y"


def env(name, default):
    return os.environ.get(name) or default


def read_rows(channel):
    rows = []
    files = sorted(glob.glob(os.path.join(channel, "**", "*.csv"), recursive=True))
    if not files:
        raise ValueError("no CSV files in the train channel " + channel)
    for name in files:
        with open(name, newline="") as f:
            for rec in csv.DictReader(f):
                rows.append(([float(rec[c]) for c in FEATURES], float(rec[LABEL])))
    return rows


def solve(a, b):
    """Solve a x = b by Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12:
            raise ValueError("the features are linearly dependent")
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(rows, ridge):
    k = len(FEATURES) + 1
    xtx = [[0.0] * k for _ in range(k)]
    xty = [0.0] * k
    for x, y in rows:
        v = [1.0] + x
        for i in range(k):
            xty[i] += v[i] * y
            for j in range(k):
                xtx[i][j] += v[i] * v[j]
    for i in range(1, k):
        xtx[i][i] += ridge
    return solve(xtx, xty)


def predict(w, x):
    return w[0] + sum(wi * xi for wi, xi in zip(w[1:], x))


def train():
    prefix = env("SM_INPUT_DIR", "/opt/ml/input")
    output = env("SM_OUTPUT_DIR", "/opt/ml/output")
    try:
        with open(os.path.join(env("SM_INPUT_CONFIG_DIR", prefix + "/config"), "hyperparameters.json")) as f:
            hps = json.load(f)
    except FileNotFoundError:
        hps = {}
    try:
        ridge = float(hps.get("ridge", "0"))
        test_fraction = float(hps.get("test_fraction", "0.2"))
        rows = read_rows(env("SM_CHANNEL_TRAIN", prefix + "/data/train"))
        random.Random(int(hps.get("seed", "7"))).shuffle(rows)
        n_test = max(1, int(len(rows) * test_fraction))
        test, fit_rows = rows[:n_test], rows[n_test:]
        if len(fit_rows) <= len(FEATURES):
            raise ValueError("%d training rows: too few for %d features" % (len(fit_rows), len(FEATURES)))
        w = fit(fit_rows, ridge)
        mse = sum((predict(w, x) - y) ** 2 for x, y in test) / len(test)
        model_dir = env("SM_MODEL_DIR", "/opt/ml/model")
        os.makedirs(model_dir, exist_ok=True)
        with open(os.path.join(model_dir, "model.json"), "w") as f:
            json.dump({"features": FEATURES, "intercept": w[0], "weights": w[1:]}, f)
        data_dir = env("SM_OUTPUT_DATA_DIR", output + "/data")
        os.makedirs(data_dir, exist_ok=True)
        with open(os.path.join(data_dir, "evaluation.json"), "w") as f:
            json.dump({"regression_metrics": {"mse": {"value": mse}}, "rows": {"train": len(fit_rows), "test": len(test)}}, f)
        print("trained on %d rows, test MSE %.4f" % (len(fit_rows), mse), flush=True)
        return 0
    except Exception as e:  # the reason SageMaker shows as FailureReason
        os.makedirs(output, exist_ok=True)
        with open(os.path.join(output, "failure"), "w") as f:
            f.write(str(e)[:1000])
        print("train: %s" % e, file=sys.stderr, flush=True)
        return 1


def serve():
    with open(os.path.join(env("SM_MODEL_DIR", "/opt/ml/model"), "model.json")) as f:
        m = json.load(f)
    w = [m["intercept"]] + m["weights"]

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self, code, body, ctype="text/plain"):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/ping":
                self.answer(200, "")
            else:
                self.answer(404, "not found\n")

        def do_POST(self):
            if self.path != "/invocations":
                return self.answer(404, "not found\n")
            if self.headers.get("Content-Type", "").split(";")[0].strip() != "text/csv":
                return self.answer(415, "want text/csv\n")
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            out = []
            for n, rec in enumerate(csv.reader(io.StringIO(body)), 1):
                if not rec:
                    continue
                try:
                    x = [float(v) for v in rec]
                except ValueError:
                    return self.answer(400, "row %d: not numbers\n" % n)
                if len(x) != len(FEATURES):
                    return self.answer(400, "row %d: %d values, want %d (%s)\n" % (n, len(x), len(FEATURES), ",".join(FEATURES)))
                out.append(repr(predict(w, x)))
            self.answer(200, "\n".join(out) + "\n", "text/csv")

        def log_message(self, fmt, *args):
            print(fmt % args, file=sys.stderr, flush=True)

    addr = (env("KILN_BIND_HOST", "0.0.0.0"), int(env("SAGEMAKER_BIND_TO_PORT", "8080")))
    server = http.server.ThreadingHTTPServer(addr, Handler)
    print("serving on %s:%d" % addr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    role = sys.argv[-1] if len(sys.argv) > 1 else ""
    if role == "train":
        sys.exit(train())
    if role == "serve":
        serve()
        sys.exit(0)
    print("usage: model.py train|serve (SageMaker runs the image with one of them)", file=sys.stderr)
    sys.exit(2)
