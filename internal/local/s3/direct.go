package s3

import (
	"fmt"
	"io"

	"github.com/johannesboyne/gofakes3"
)

// In-process access for kiln local's own code, without HTTP: writes take the same path as
// PutObject (conditions checked, OnCreated told).

// Put stores body under bucket/key (replacing any object) and returns its ETag (hex MD5).
func (s *Store) Put(bucket, key string, body []byte, contentType string) (string, error) {
	md := map[string]string{}
	if contentType != "" {
		md["Content-Type"] = contentType
	}
	etag, err := s.write(bucket, key, md, body, nil)
	if err != nil {
		return "", fmt.Errorf("put object s3://%s/%s: %w", bucket, key, err)
	}
	return etag, nil
}

// PutIfAbsent stores body under bucket/key only when the key does not exist, as PutObject
// with If-None-Match "*" does; otherwise it returns an error wrapping ErrPreconditionFailed.
func (s *Store) PutIfAbsent(bucket, key string, body []byte, contentType string) (string, error) {
	md := map[string]string{}
	if contentType != "" {
		md["Content-Type"] = contentType
	}
	star := "*"
	etag, err := s.write(bucket, key, md, body, &gofakes3.PutConditions{IfNoneMatch: &star})
	if gofakes3.HasErrorCode(err, gofakes3.ErrPreconditionFailed) {
		return "", fmt.Errorf("put object s3://%s/%s: %w", bucket, key, ErrPreconditionFailed)
	}
	if err != nil {
		return "", fmt.Errorf("put object s3://%s/%s: %w", bucket, key, err)
	}
	return etag, nil
}

// Get returns the content of bucket/key, or an error wrapping ErrNotFound.
func (s *Store) Get(bucket, key string) ([]byte, error) {
	obj, err := s.GetObject(bucket, key, nil)
	if err != nil {
		if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) || gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
			return nil, fmt.Errorf("get object s3://%s/%s: %w", bucket, key, ErrNotFound)
		}
		return nil, fmt.Errorf("get object s3://%s/%s: %w", bucket, key, err)
	}
	defer obj.Contents.Close()
	return io.ReadAll(obj.Contents)
}

// ContentType returns the stored Content-Type of bucket/key ("" when none was given).
func (s *Store) ContentType(bucket, key string) string {
	obj, err := s.HeadObject(bucket, key)
	if err != nil {
		return ""
	}
	obj.Contents.Close()
	return obj.Metadata["Content-Type"]
}
