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

func TestPutRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiln.db")
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	s := &Service{cfg: Config{DB: db}}
	models := map[string]*model{}
	require.NoError(t, putRecord(s, bucketModels, models, "stored", &model{ModelName: "stored"}))
	assert.Equal(t, "stored", models["stored"].ModelName, "a stored record is added to the map")
	require.NoError(t, db.Close())

	ro, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	t.Cleanup(func() { ro.Close() })
	s.cfg.DB = ro
	err = putRecord(s, bucketModels, models, "unsaved", &model{ModelName: "unsaved"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "save "+bucketModels+" unsaved: ")
	assert.NotContains(t, models, "unsaved", "a record the database refused is not added")
}
