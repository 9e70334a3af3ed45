package sagemaker

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The service's top-level bbolt buckets; each maps a resource's name (a package's ARN) to
// its JSON record.
const (
	bucketJobs      = "sagemaker.trainingjobs"
	bucketGroups    = "sagemaker.modelpackagegroups"
	bucketPackages  = "sagemaker.modelpackages"
	bucketModels    = "sagemaker.models"
	bucketConfigs   = "sagemaker.endpointconfigs"
	bucketEndpoints = "sagemaker.endpoints"
)

var allBuckets = []string{bucketJobs, bucketGroups, bucketPackages, bucketModels, bucketConfigs, bucketEndpoints}

// save writes one record. Callers hold s.mu, so records reach the database in the order
// their changes happened.
func (s *Service) save(bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %s %s: %w", bucket, key, err)
	}
	err = s.cfg.DB.Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		return bk.Put([]byte(key), b)
	})
	if err != nil {
		return fmt.Errorf("save %s %s: %w", bucket, key, err)
	}
	return nil
}

func (s *Service) remove(bucket, key string) error {
	err := s.cfg.DB.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte(bucket))
		if bk == nil {
			return nil
		}
		return bk.Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", bucket, key, err)
	}
	return nil
}

// putRecord saves a new record v under key in bucket and, only once it is stored, adds it
// to the service's map m, so a failed save leaves no trace. Callers hold s.mu.
func putRecord[T any](s *Service, bucket string, m map[string]*T, key string, v *T) error {
	if err := s.save(bucket, key, v); err != nil {
		return err
	}
	m[key] = v
	return nil
}

// mustSave saves and logs a failure: used where the in-memory change already happened and
// the caller cannot undo it (a background status change).
func (s *Service) mustSave(bucket, key string, v any) {
	if err := s.save(bucket, key, v); err != nil {
		s.log.Error("persist sagemaker record", "bucket", bucket, "key", key, "err", err)
	}
}

// load reads every record of every bucket into the service's maps, creating the buckets
// a new database lacks.
func (s *Service) load() error {
	return s.cfg.DB.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		if err := loadBucket(tx, bucketJobs, s.jobs); err != nil {
			return err
		}
		if err := loadBucket(tx, bucketGroups, s.groups); err != nil {
			return err
		}
		if err := loadBucket(tx, bucketPackages, s.packages); err != nil {
			return err
		}
		if err := loadBucket(tx, bucketModels, s.models); err != nil {
			return err
		}
		if err := loadBucket(tx, bucketConfigs, s.configs); err != nil {
			return err
		}
		return loadBucket(tx, bucketEndpoints, s.endpoints)
	})
}

// loadBucket decodes every record of bucket (which must exist) into a new T, put in into
// under its key.
func loadBucket[T any](tx *bolt.Tx, bucket string, into map[string]*T) error {
	return tx.Bucket([]byte(bucket)).ForEach(func(k, v []byte) error {
		r := new(T)
		into[string(k)] = r
		if err := json.Unmarshal(v, r); err != nil {
			return fmt.Errorf("load %s %s: %w", bucket, k, err)
		}
		return nil
	})
}
