package s3uri_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/s3uri"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, uri, bucket, key, wantErr string
	}{
		{"an object's URI gives its bucket and key", "s3://b/x/y.json", "b", "x/y.json", ""},
		{"a prefix keeps its trailing slash", "s3://b/training/", "b", "training/", ""},
		{"a bucket alone has an empty key", "s3://b", "b", "", ""},
		{"another scheme is refused", "http://b/x", "", "", `"http://b/x" is not an s3:// URI`},
		{"a URI without a bucket is refused", "s3:///x", "", "", `"s3:///x" names no bucket`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bucket, key, err := s3uri.Parse(tt.uri)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.bucket, bucket)
			assert.Equal(t, tt.key, key)
			if key != "" {
				assert.Equal(t, tt.uri, s3uri.String(bucket, key), "String writes the URI back")
			}
		})
	}
}
