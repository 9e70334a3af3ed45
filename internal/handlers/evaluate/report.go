package evaluate

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/kiln-dev/kiln/internal/s3uri"
	"github.com/kiln-dev/kiln/statemachines"
)

// Members of the job's output.tar.gz (the trainer's /opt/ml/output/data).
const (
	reportFile      = "evaluation.json"
	statisticsFile  = "baseline/statistics.json"
	constraintsFile = "baseline/constraints.json"
)

// Size limits: a report is small; the archive and the baseline may hold sketches.
const (
	maxReportBytes  = 8 << 20
	maxArchiveBytes = 512 << 20
	maxMemberBytes  = 64 << 20
)

type s3Location struct{ bucket, key string }

func (l s3Location) String() string { return s3uri.String(l.bucket, l.key) }

func parseS3URI(uri string) (s3Location, error) {
	bucket, key, err := s3uri.Parse(uri)
	if err != nil {
		return s3Location{}, err
	}
	return s3Location{bucket: bucket, key: key}, nil
}

// get reads an object of at most limit bytes; a missing object is an EvaluationReportError.
func (h *Handler) get(ctx context.Context, loc s3Location, limit int64) ([]byte, error) {
	out, err := h.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(loc.bucket), Key: aws.String(loc.key)})
	if isMissing(err) {
		return nil, &EvaluationReportError{URI: loc.String(), Problem: "no such object"}
	}
	if err != nil {
		return nil, fmt.Errorf("get object %s: %w", loc, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read object %s: %w", loc, err)
	}
	if int64(len(b)) > limit {
		return nil, &EvaluationReportError{URI: loc.String(), Problem: fmt.Sprintf("larger than %d bytes", limit)}
	}
	return b, nil
}

func isMissing(err error) bool {
	var nsk *s3types.NoSuchKey
	var api smithy.APIError
	return errors.As(err, &nsk) || (errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound"))
}

// readOutput returns the report and baseline members of the job's output.tar.gz.
func (h *Handler) readOutput(ctx context.Context, loc s3Location) (map[string][]byte, error) {
	b, err := h.get(ctx, loc, maxArchiveBytes)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return &EvaluationReportError{URI: loc.String(), Problem: fmt.Sprintf(format, args...)}
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, bad("not a gzip archive: %v", err)
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bad("read tar: %v", err)
		}
		name := strings.TrimPrefix(path.Clean(strings.TrimPrefix(hdr.Name, "./")), "/")
		if hdr.Typeflag != tar.TypeReg || (name != reportFile && name != statisticsFile && name != constraintsFile) {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxMemberBytes+1))
		if err != nil {
			return nil, bad("read %s: %v", name, err)
		}
		if len(data) > maxMemberBytes {
			return nil, bad("%s is larger than %d bytes", name, maxMemberBytes)
		}
		files[name] = data
	}
	if _, ok := files[reportFile]; !ok {
		return nil, bad("the archive lacks %s: training must write its evaluation report to /opt/ml/output/data/%s (see %s)", reportFile, reportFile, ContractDoc)
	}
	_, hasStats := files[statisticsFile]
	_, hasCons := files[constraintsFile]
	if hasStats != hasCons {
		return nil, bad("the archive holds only one of %s and %s: write both or neither (kiln then computes them; see %s)", statisticsFile, constraintsFile, ContractDoc)
	}
	for _, f := range []string{statisticsFile, constraintsFile} {
		if _, ok := files[f]; !ok {
			continue
		}
		if !json.Valid(files[f]) {
			return nil, bad("%s is not valid JSON", f)
		}
	}
	return files, nil
}

// copyOut writes the report and the baseline to their keys in the artifacts bucket and
// returns their s3:// URIs by member name.
func (h *Handler) copyOut(ctx context.Context, req statemachines.EvaluateRequest, files map[string][]byte) (map[string]string, error) {
	keys := map[string]string{
		reportFile:      "evaluations/" + req.Model + "/" + req.TrainingJobName + "/evaluation.json",
		statisticsFile:  "baselines/" + req.Model + "/" + req.TrainingJobName + "/statistics.json",
		constraintsFile: "baselines/" + req.Model + "/" + req.TrainingJobName + "/constraints.json",
	}
	uris := map[string]string{}
	for _, f := range []string{reportFile, statisticsFile, constraintsFile} {
		loc := s3Location{bucket: h.Bucket, key: keys[f]}
		if _, err := h.S3.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(loc.bucket), Key: aws.String(loc.key), Body: bytes.NewReader(files[f]),
			ContentType: aws.String("application/json"),
		}); err != nil {
			return nil, fmt.Errorf("put object %s: %w", loc, err)
		}
		uris[f] = loc.String()
	}
	return uris, nil
}

// Metric returns the number at the dotted path (e.g. regression_metrics.mse.value) in the
// JSON report, or an error naming the first segment that is missing or not a number.
func Metric(report []byte, dotted string) (float64, error) {
	dec := json.NewDecoder(bytes.NewReader(report))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return 0, fmt.Errorf("not valid JSON: %w", err)
	}
	walked := ""
	for _, seg := range strings.Split(dotted, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return 0, fmt.Errorf("metric %s: %s is not an object", dotted, orRoot(walked))
		}
		if v, ok = obj[seg]; !ok {
			return 0, fmt.Errorf("metric %s: no %q in %s", dotted, seg, orRoot(walked))
		}
		walked = strings.TrimPrefix(walked+"."+seg, ".")
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("metric %s is %v, not a number", dotted, v)
	}
	f, err := n.Float64()
	if err != nil {
		return 0, fmt.Errorf("metric %s: %w", dotted, err)
	}
	return f, nil
}

func orRoot(s string) string {
	if s == "" {
		return "the report"
	}
	return s
}
