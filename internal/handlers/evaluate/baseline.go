package evaluate

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kiln-dev/kiln/internal/drift"
	"github.com/kiln-dev/kiln/internal/policy"
)

// ListAPI is the part of the S3 client that lists the training data when the trainer wrote
// no drift baseline and kiln computes one.
type ListAPI interface {
	ListObjectsV2(ctx context.Context, params *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ ListAPI = (*s3.Client)(nil)

// maxBaselineBytes bounds the training data read to compute a baseline.
const maxBaselineBytes = 256 << 20

// ContractDoc is the page that says what training must write; errors about a missing piece
// of a job's output point to it.
const ContractDoc = "docs/models.md"

// computeBaseline returns statistics.json and constraints.json in Model Monitor's formats for
// the model's features, computed as Model Monitor's baselining job does from the CSV files of
// the training channel (every object under the model's data prefix in Bucket). A file whose
// first row names every feature is read by those names; a file without such a header is read
// by position, the features being its first columns in the policy's order.
func (h *Handler) computeBaseline(ctx context.Context, m policy.Model) (map[string][]byte, error) {
	if h.List == nil {
		return nil, &EvaluationReportError{URI: "s3://" + h.Bucket + "/" + m.DataPrefix,
			Problem: "the training job wrote no drift baseline and this evaluator cannot list the training data to compute one (see " + ContractDoc + ")"}
	}
	var keys []string
	p := s3.NewListObjectsV2Paginator(h.List, &s3.ListObjectsV2Input{Bucket: aws.String(h.Bucket), Prefix: aws.String(m.DataPrefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list training data s3://%s/%s: %w", h.Bucket, m.DataPrefix, err)
		}
		for _, o := range page.Contents {
			if k := aws.ToString(o.Key); strings.HasSuffix(strings.ToLower(k), ".csv") {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	var rows [][]string
	read := int64(0)
	for _, k := range keys {
		loc := s3Location{bucket: h.Bucket, key: k}
		b, err := h.get(ctx, loc, maxBaselineBytes-read)
		if err != nil {
			return nil, err
		}
		read += int64(len(b))
		got, err := featureRows(b, m.Features)
		if err != nil {
			return nil, &EvaluationReportError{URI: loc.String(), Problem: err.Error()}
		}
		rows = append(rows, got...)
	}
	if len(rows) == 0 {
		return nil, &EvaluationReportError{URI: "s3://" + h.Bucket + "/" + m.DataPrefix,
			Problem: "the training job wrote no drift baseline and the training data has no CSV rows to compute one from (see " + ContractDoc + ")"}
	}
	stats, cons, err := drift.Baseline(m.Features, rows, drift.Options{Threshold: m.DriftThreshold})
	if err != nil {
		return nil, fmt.Errorf("compute the drift baseline of %s: %w", m.Name, err)
	}
	sb, err := json.MarshalIndent(stats, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode statistics: %w", err)
	}
	cb, err := json.MarshalIndent(cons, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode constraints: %w", err)
	}
	return map[string][]byte{statisticsFile: sb, constraintsFile: cb}, nil
}

// featureRows returns the feature columns of a CSV file (see computeBaseline for the header rule).
func featureRows(b []byte, features []string) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read CSV: %w", err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	cols := make([]int, len(features))
	header := recs[0]
	named := true
	for i, f := range features {
		j := slices.Index(header, f)
		if j < 0 {
			named = false
			break
		}
		cols[i] = j
	}
	if named {
		recs = recs[1:]
	} else {
		for i := range cols {
			cols[i] = i
		}
	}
	out := make([][]string, 0, len(recs))
	for n, rec := range recs {
		row := make([]string, len(cols))
		for i, j := range cols {
			if j >= len(rec) {
				return nil, fmt.Errorf("row %d has %d columns, fewer than the %d features", n+1, len(rec), len(features))
			}
			row[i] = rec[j]
		}
		out = append(out, row)
	}
	return out, nil
}
