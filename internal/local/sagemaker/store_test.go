package sagemaker

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

func TestNewNamesTheRecordItCannotLoad(t *testing.T) {
	for _, bucket := range allBuckets {
		t.Run("a corrupt record in "+bucket+" stops the start", func(t *testing.T) {
			dir := t.TempDir()
			db, err := bolt.Open(filepath.Join(dir, "kiln.db"), 0o600, nil)
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				bk, err := tx.CreateBucketIfNotExists([]byte(bucket))
				if err != nil {
					return err
				}
				return bk.Put([]byte("broken"), []byte("{not json"))
			}))
			s, err := New(Config{Root: filepath.Join(dir, "sagemaker"), DB: db, Blobs: newMemBlobs()})
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), "load "+bucket+" broken: ")
		})
	}
}
