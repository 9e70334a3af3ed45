// Package s3 is the local stack's S3: buckets and objects kept as plain files under a root
// directory (<state dir>/s3/), served over the S3 REST protocol (path-style) by gofakes3 with a
// disk backend of kiln's own, and offered as a small Go API to in-process users (the SageMaker
// stand-in, the Step Functions engine's aws-sdk:s3 integration).
//
// Objects are stored at <root>/<bucket>/<key>, each key segment escaped so that any key maps
// to a safe path; a sidecar under <root>/.meta/ keeps the content type, user metadata and MD5.
// PutObject honours S3's conditional writes: If-None-Match "*" on an existing key fails with
// 412 PreconditionFailed, If-Match with a stale ETag too. A Store is safe for concurrent use.
package s3
