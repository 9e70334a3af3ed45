package s3

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAPutStoresAndAnnouncesOrStoresNothing puts keys that used to be answered 500 after
// being stored, through the SDK: each is either stored, readable and announced, or refused
// with S3's 4xx and absent.
func TestAPutStoresAndAnnouncesOrStoresNothing(t *testing.T) {
	var mu sync.Mutex
	created := map[string]bool{}
	s := openStore(t, Options{OnCreated: func(ev ObjectCreated) { mu.Lock(); created[ev.Key] = true; mu.Unlock() }})
	c := newClient(t, s.Handler())
	ctx := context.Background()
	_, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("art")})
	require.NoError(t, err)

	cases := []struct {
		name, key string
		code      string // "" when stored
	}{
		{"a key", "a", ""},
		{"a key named like the old metadata sidecar of another", "a.meta.json/z", ""},
		{"a part of 250 bytes", "data/" + strings.Repeat("p", 250), ""},
		{"a part of 255 bytes", strings.Repeat("q", 255), ""},
		{"a part of 300 bytes is too long for the local file system", "data/" + strings.Repeat("r", 300), "KeyTooLongError"},
		{"a key of 1025 bytes is too long", strings.Repeat("k/", 512) + "k", "KeyTooLongError"},
		{"a key under an object is a conflict", "a/b", "InvalidArgument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("art"), Key: aws.String(tc.key),
				Body: bytes.NewReader([]byte("body " + tc.key)), ContentType: aws.String("text/plain")})
			mu.Lock()
			announced := created[tc.key]
			mu.Unlock()
			if tc.code == "" {
				require.NoError(t, err)
				got, err := s.Get("art", tc.key)
				require.NoError(t, err)
				assert.Equal(t, "body "+tc.key, string(got))
				assert.Equal(t, "text/plain", s.ContentType("art", tc.key))
				assert.True(t, announced, "no Object Created event")
				return
			}
			var ae smithy.APIError
			require.True(t, errors.As(err, &ae), "got %v, want %s", err, tc.code)
			assert.Equal(t, tc.code, ae.ErrorCode())
			_, err = s.Get("art", tc.key)
			assert.ErrorIs(t, err, ErrNotFound, "a refused object was stored")
			assert.False(t, announced, "a refused object was announced")
		})
	}
	objs, err := s.List("art", "")
	require.NoError(t, err)
	assert.Len(t, objs, 4)
}

// TestSidecarsOfEarlierVersionsAreMoved opens a store laid out by an earlier kiln (metadata
// in .meta/<bucket>/<key>.meta.json) and finds every object's metadata kept.
func TestSidecarsOfEarlierVersionsAreMoved(t *testing.T) {
	root := t.TempDir()
	for _, k := range []string{"data/x.csv", "odd key"} {
		p := filepath.Join(root, "art", escapeKey(k))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o600))
		mp := filepath.Join(root, ".meta", "art", escapeKey(k)+".meta.json")
		require.NoError(t, os.MkdirAll(filepath.Dir(mp), 0o700))
		require.NoError(t, os.WriteFile(mp, []byte(`{"hash":"AQID","metadata":{"Content-Type":"text/csv"}}`), 0o600))
	}
	s, err := Open(root, Options{})
	require.NoError(t, err)
	for _, k := range []string{"data/x.csv", "odd key"} {
		assert.Equal(t, "text/csv", s.ContentType("art", k), k)
	}
	objs, err := s.List("art", "")
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Equal(t, "010203", objs[0].ETag)
	_, err = os.Stat(filepath.Join(root, ".meta"))
	assert.True(t, os.IsNotExist(err), "the old sidecars are still there")
}
