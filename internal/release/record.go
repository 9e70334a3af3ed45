package release

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/kiln-dev/kiln/statemachines"
)

// Kinds of history record. A deployment record (written by the deploy workflow) has no kind.
const (
	// KindRollback records a rollback asked for: who, why, from which package to which.
	KindRollback = "rollback"
	// KindOutOfService records an endpoint taken out of service: no earlier release existed.
	KindOutOfService = "out-of-service"
)

// Record is one entry of deployments/<endpoint>/history/: a deployment as the deploy
// workflow's BuildRecord state writes it, or a change this package made (Kind set).
type Record struct {
	Kind               string                 `json:"kind,omitempty"`
	EndpointName       string                 `json:"endpointName"`
	EndpointConfigName string                 `json:"endpointConfigName,omitempty"`
	ModelName          string                 `json:"modelName,omitempty"`
	ModelPackageARN    string                 `json:"modelPackageArn,omitempty"`
	ReleaseID          string                 `json:"releaseId,omitempty"`
	Model              string                 `json:"model"`
	Stage              string                 `json:"stage"`
	Strategy           string                 `json:"strategy,omitempty"`
	Baseline           statemachines.Baseline `json:"baseline"`
	DeployedAt         string                 `json:"deployedAt,omitempty"`
	ExecutionARN       string                 `json:"executionArn,omitempty"`
	// RequestedAt, RequestedBy and Reason say when, by whom and why a change was asked for.
	RequestedAt string `json:"requestedAt,omitempty"`
	RequestedBy string `json:"requestedBy,omitempty"`
	Reason      string `json:"reason,omitempty"`
	// FromPackageARN is the package the change took out of service.
	FromPackageARN string `json:"fromPackageArn,omitempty"`
}

// Time returns when the record happened: DeployedAt, else RequestedAt; zero when neither parses.
func (r Record) Time() time.Time {
	for _, s := range []string{r.DeployedAt, r.RequestedAt} {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// HistoryPrefix returns deployments/<endpoint>/history/.
func HistoryPrefix(endpoint string) string { return "deployments/" + endpoint + "/history/" }

// CurrentKey returns deployments/<endpoint>/current.json, the record of what is live.
func CurrentKey(endpoint string) string { return "deployments/" + endpoint + "/current.json" }

// History returns the endpoint's history records, oldest first.
func (r *Releaser) History(ctx context.Context, endpoint string) ([]Record, error) {
	var out []Record
	p := s3.NewListObjectsV2Paginator(r.S3, &s3.ListObjectsV2Input{Bucket: aws.String(r.Bucket), Prefix: aws.String(HistoryPrefix(endpoint))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", r.Bucket, HistoryPrefix(endpoint), err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !strings.HasSuffix(key, ".json") {
				continue
			}
			var rec Record
			found, err := r.getJSON(ctx, key, &rec)
			if err != nil {
				return nil, err
			}
			if found {
				out = append(out, rec)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time().Before(out[j].Time()) })
	return out, nil
}

// getJSON decodes the object at key into v; false when there is no such object.
func (r *Releaser) getJSON(ctx context.Context, key string, v any) (bool, error) {
	out, err := r.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.Bucket), Key: aws.String(key)})
	var nsk *s3types.NoSuchKey
	var api smithy.APIError
	if errors.As(err, &nsk) || (errors.As(err, &api) && api.ErrorCode() == "NoSuchKey") {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get object s3://%s/%s: %w", r.Bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	if err != nil {
		return false, fmt.Errorf("read object s3://%s/%s: %w", r.Bucket, key, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("decode s3://%s/%s: %w", r.Bucket, key, err)
	}
	return true, nil
}

// putJSON writes v at key; only when no object is there yet if onlyNew.
func (r *Releaser) putJSON(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if _, err := r.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(r.Bucket), Key: aws.String(key),
		Body: bytes.NewReader(b), ContentType: aws.String("application/json")}); err != nil {
		return fmt.Errorf("put object s3://%s/%s: %w", r.Bucket, key, err)
	}
	return nil
}
