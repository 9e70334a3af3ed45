// Package s3 is the local stack's S3: buckets and objects kept as plain files under a root
// directory (<state dir>/s3/), served over the S3 REST protocol (path-style) by gofakes3 with a
// disk backend of kiln's own, and offered as a small Go API to in-process users (the SageMaker
// stand-in, the Step Functions engine's aws-sdk:s3 integration).
//
// Objects are stored at <root>/<bucket>/<key>, each key segment escaped so that any key maps
// to a safe path; a record at <root>/.metadata/<bucket>/<SHA-256 of the key>.json keeps the
// content type, user metadata and MD5 where no key can collide with it. Keys over 1,024 bytes,
// or with a part too long for a file name, are refused with KeyTooLongError before anything
// is written. Files are 0600 and folders 0700.
// PutObject honours S3's conditional writes: If-None-Match "*" on an existing key fails with
// 412 PreconditionFailed, If-Match with a stale ETag too. A Store is safe for concurrent use.
package s3
