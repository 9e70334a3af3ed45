package driftcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
)

// PrintLast writes the last drift check of every endpoint in every kiln artifacts bucket
// (monitoring/<endpoint>/latest.json), one line per model and stage: kiln status's drift part.
func PrintLast(ctx context.Context, out io.Writer, c *awss3.Client) error {
	buckets, err := c.ListBuckets(ctx, &awss3.ListBucketsInput{})
	if err != nil {
		return fmt.Errorf("list buckets: %w", err)
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DRIFT: MODEL\tSTAGE\tCHECKED\tSTATUS\tROWS\tMAX DISTANCE\tDRIFTED FEATURES")
	for _, b := range buckets.Buckets {
		name := aws.ToString(b.Name)
		if !strings.HasPrefix(name, "kiln-") || !strings.Contains(name, "-artifacts-") {
			continue
		}
		if err := lastDriftOfBucket(ctx, tw, c, name); err != nil {
			return err
		}
	}
	return tw.Flush()
}

func lastDriftOfBucket(ctx context.Context, tw io.Writer, c *awss3.Client, bucket string) error {
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("monitoring/"), Delimiter: aws.String("/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/monitoring/: %w", bucket, err)
		}
		for _, cp := range page.CommonPrefixes {
			endpoint := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), "monitoring/"), "/")
			sum, ok, err := readLatestDrift(ctx, c, bucket, endpoint)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			drifted := strings.Join(sum.DriftedFeatures, ", ")
			if drifted == "" {
				drifted = "none"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.4f\t%s\n", orDash(sum.Model), orDash(sum.Stage), sum.WindowEnd.UTC().Format(time.RFC3339),
				sum.Status, sum.Rows, sum.MaxDistance, drifted)
		}
	}
	return nil
}

func readLatestDrift(ctx context.Context, c *awss3.Client, bucket, endpoint string) (monitordrift.Summary, bool, error) {
	var sum monitordrift.Summary
	key := monitordrift.LatestKey(endpoint)
	out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var nsk *s3types.NoSuchKey
	if errors.As(err, &nsk) {
		return sum, false, nil
	}
	if err != nil {
		return sum, false, fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	if err := json.NewDecoder(io.LimitReader(out.Body, 1<<20)).Decode(&sum); err != nil {
		return sum, false, fmt.Errorf("decode s3://%s/%s: %w", bucket, key, err)
	}
	return sum, true, nil
}

// orDash returns s, or "-" when it is empty.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
