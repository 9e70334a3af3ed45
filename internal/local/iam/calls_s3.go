package iam

import (
	"net/http"
	"net/url"
	"strings"
)

// s3Calls names the IAM call of a path-style S3 REST request: objects are
// arn:aws:s3:::BUCKET/KEY, buckets arn:aws:s3:::BUCKET; a listing carries s3:prefix.
func s3Calls(r *http.Request) []Call {
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	bucket, key, _ := strings.Cut(path, "/")
	if k, err := url.PathUnescape(key); err == nil {
		key = k
	}
	if bucket == "" {
		return []Call{{Action: "s3:ListAllMyBuckets", Resource: "*", Context: secure()}}
	}
	q := r.URL.Query()
	obj := "arn:aws:s3:::" + bucket + "/" + key
	bkt := "arn:aws:s3:::" + bucket
	var action string
	res := obj
	switch {
	case key != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		action = "s3:GetObject"
	case key != "" && r.Method == http.MethodPut:
		action = "s3:PutObject"
	case key != "" && r.Method == http.MethodDelete:
		action = "s3:DeleteObject"
	case r.Method == http.MethodPost && q.Has("delete"):
		action, res = "s3:DeleteObject", bkt+"/*"
	case r.Method == http.MethodGet && q.Has("location"):
		action, res = "s3:GetBucketLocation", bkt
	case r.Method == http.MethodGet && q.Has("versions"):
		action, res = "s3:ListBucketVersions", bkt
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		ctx := secure()
		ctx["s3:prefix"] = q.Get("prefix")
		return []Call{{Action: "s3:ListBucket", Resource: bkt, Context: ctx}}
	case r.Method == http.MethodPut:
		action, res = "s3:CreateBucket", bkt
	case r.Method == http.MethodDelete:
		action, res = "s3:DeleteBucket", bkt
	default:
		return nil
	}
	// HeadObject reads the metadata only: S3 asks KMS for no data key.
	return []Call{{Action: action, Resource: res, Context: secure(), noKMS: r.Method == http.MethodHead}}
}
