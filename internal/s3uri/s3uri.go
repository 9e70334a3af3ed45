// Package s3uri parses s3://bucket/key URIs, the one parser every kiln package uses for
// the S3 locations that policies, events, evaluation reports and SageMaker requests carry.
// It is pure and safe for concurrent use.
package s3uri

import (
	"fmt"
	"strings"
)

// Parse returns the bucket and key of s3://bucket/key. The key may be empty or a prefix
// (s3://bucket, s3://bucket/prefix/); a caller that needs an object checks it is not empty.
// A URI without the s3:// scheme or without a bucket is an error naming the URI.
func Parse(uri string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// URI", uri)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", uri)
	}
	return bucket, key, nil
}

// String returns s3://bucket/key.
func String(bucket, key string) string { return "s3://" + bucket + "/" + key }
