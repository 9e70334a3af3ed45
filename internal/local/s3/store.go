package s3

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/kiln-dev/kiln/internal/clock"
)

// ErrNotFound is returned by [Store.Get] for a missing bucket or key.
var ErrNotFound = errors.New("object not found")

// ErrPreconditionFailed is returned by [Store.PutIfAbsent] when the key already exists.
var ErrPreconditionFailed = errors.New("precondition failed: the object already exists")

// ObjectCreated describes a new or replaced object, as S3's "Object Created" event does.
type ObjectCreated struct {
	Bucket string
	Key    string
	Size   int64
	// ETag is the hex MD5 of the content, without quotes.
	ETag string
	// Sequencer orders the writes of one store (a hex counter).
	Sequencer string
	Time      time.Time
}

// Object is one stored object as [Store.List] reports it.
type Object struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
}

// Options configure a [Store].
type Options struct {
	// Clock stamps LastModified; nil means clock.Wall.
	Clock clock.Clock
	// OnCreated is called after every successful write (HTTP or Go API), outside the
	// store's lock; nil means no one is told. The local stack turns it into S3's
	// "Object Created" EventBridge event.
	OnCreated func(ObjectCreated)
}

// Store is an S3 store on disk. Create one with [Open].
type Store struct {
	root  string
	clock clock.Clock
	onNew func(ObjectCreated)

	mu  sync.RWMutex
	seq uint64
}

// meta is the metadata record of one object. Records live in their own tree,
// <root>/.metadata/<bucket>/<hex SHA-256 of the key>.json, so no key can collide with
// another key's record (the old sidecars, .meta/<bucket>/<key>.meta.json, let the keys "a"
// and "a.meta.json/z" collide) and a record's name never outgrows the file system.
type meta struct {
	Key      string            `json:"key"`
	Hash     []byte            `json:"hash"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// MaxKeyLength is S3's limit on a key: 1,024 bytes of UTF-8.
const MaxKeyLength = 1024

// maxSegment is the longest file name the store writes (most file systems' NAME_MAX).
const maxSegment = 255

// metaDir is the metadata tree; legacyMetaDir held the sidecars of earlier versions.
const (
	metaDir       = ".metadata"
	legacyMetaDir = ".meta"
)

var _ gofakes3.Backend = (*Store)(nil)

// Open returns a store rooted at root, creating the directory.
func Open(root string, opts Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(root, metaDir), 0o700); err != nil {
		return nil, fmt.Errorf("open s3 store %s: %w", root, err)
	}
	if err := os.MkdirAll(filepath.Join(root, ".tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("open s3 store %s: %w", root, err)
	}
	s := &Store{root: root, clock: opts.Clock, onNew: opts.OnCreated}
	if s.clock == nil {
		s.clock = clock.Wall{}
	}
	if err := s.migrateSidecars(); err != nil {
		return nil, fmt.Errorf("open s3 store %s: move object metadata from %s to %s: %w", root, legacyMetaDir, metaDir, err)
	}
	return s, nil
}

// migrateSidecars moves the sidecars of earlier versions (.meta/<bucket>/<escaped key>.meta.json)
// into the metadata tree, then removes .meta. A sidecar whose name is not an escaped key is
// left where it is, and Open fails naming it.
func (s *Store) migrateSidecars() error {
	legacy := filepath.Join(s.root, legacyMetaDir)
	if _, err := os.Stat(legacy); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	err := filepath.WalkDir(legacy, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(legacy, p)
		if err != nil {
			return err
		}
		bucket, escaped, ok := strings.Cut(filepath.ToSlash(rel), "/")
		escaped, suffixed := strings.CutSuffix(escaped, ".meta.json")
		key, kerr := unescapeKey(escaped)
		if !ok || !suffixed || kerr != nil {
			return fmt.Errorf("%s is not an object's metadata: move it away and open again", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var m meta
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		m.Key = key
		return s.writeMeta(bucket, key, m)
	})
	if err != nil {
		return err
	}
	return os.RemoveAll(legacy)
}

// Root returns the store's directory.
func (s *Store) Root() string { return s.root }

// Handler returns the S3 REST API (path-style) over the store.
func (s *Store) Handler() http.Handler {
	return gofakes3.New(s,
		gofakes3.WithTimeSkewLimit(0),
		gofakes3.WithoutVersioning(),
		gofakes3.WithTimeSource(clockSource{s.clock.Now}),
	).Server()
}

type clockSource struct{ now func() time.Time }

func (c clockSource) Now() time.Time { return c.now() }
func (c clockSource) Since(t time.Time) time.Duration {
	return c.now().Sub(t)
}

// validBucket reports whether name is acceptable as a directory name of a bucket.
func validBucket(name string) bool {
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") {
		return false
	}
	return !strings.ContainsAny(name, `/\`)
}

// escapeKey maps an object key to a relative path whose segments are all safe file names.
func escapeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		switch s {
		case "":
			segs[i] = "%"
		case ".":
			segs[i] = "%2E"
		case "..":
			segs[i] = "%2E%2E"
		default:
			segs[i] = url.PathEscape(s)
		}
	}
	return filepath.Join(segs...)
}

// objectKey returns the key of the object stored at rel; false for a file the store did not
// write (a name that is not an escaped key), which is not an object.
func objectKey(rel string) (string, bool) {
	key, err := unescapeKey(rel)
	return key, err == nil
}

// unescapeKey inverts escapeKey.
func unescapeKey(rel string) (string, error) {
	segs := strings.Split(filepath.ToSlash(rel), "/")
	for i, s := range segs {
		if s == "%" {
			segs[i] = ""
			continue
		}
		u, err := url.PathUnescape(s)
		if err != nil {
			return "", err
		}
		segs[i] = u
	}
	return strings.Join(segs, "/"), nil
}

func (s *Store) bucketDir(bucket string) string { return filepath.Join(s.root, bucket) }
func (s *Store) objectPath(bucket, key string) string {
	return filepath.Join(s.root, bucket, escapeKey(key))
}
func (s *Store) metaPath(bucket, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.root, metaDir, bucket, hex.EncodeToString(sum[:])+".json")
}

// writeMeta stores m as the record of bucket/key, atomically.
func (s *Store) writeMeta(bucket, key string, m meta) error {
	m.Key = key
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	mp := s.metaPath(bucket, key)
	if err := os.MkdirAll(filepath.Dir(mp), 0o700); err != nil {
		return err
	}
	return atomicWrite(filepath.Join(s.root, ".tmp"), mp, b)
}

// checkKey returns S3's KeyTooLongError for a key over 1,024 bytes, and the same error,
// saying why, for a key with a part between slashes that the local file system cannot name
// (S3 has no such limit; the local store keeps each part as a file name).
func checkKey(key string) error {
	if len(key) > MaxKeyLength {
		return gofakes3.ErrorMessagef(gofakes3.ErrKeyTooLong, "Your key is too long: %d bytes, the maximum is %d", len(key), MaxKeyLength)
	}
	for _, seg := range strings.Split(escapeKey(key), string(filepath.Separator)) {
		if len(seg) > maxSegment {
			return gofakes3.ErrorMessagef(gofakes3.ErrKeyTooLong,
				"a part of the key between slashes is %d bytes once stored as a file name; kiln's local S3 keeps each part as a file and the file system allows %d (S3 itself allows it: split the key with slashes)", len(seg), maxSegment)
		}
	}
	return nil
}

// ListBuckets implements gofakes3.Backend.
func (s *Store) ListBuckets() ([]gofakes3.BucketInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return nil, fmt.Errorf("list buckets: %w", err)
	}
	var out []gofakes3.BucketInfo
	for _, e := range entries {
		if !e.IsDir() || !validBucket(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, gofakes3.BucketInfo{Name: e.Name(), CreationDate: gofakes3.NewContentTime(info.ModTime())})
	}
	return out, nil
}

// BucketExists implements gofakes3.Backend.
func (s *Store) BucketExists(name string) (bool, error) {
	if !validBucket(name) {
		return false, nil
	}
	st, err := os.Stat(s.bucketDir(name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat bucket %s: %w", name, err)
	}
	return st.IsDir(), nil
}

// CreateBucket implements gofakes3.Backend: it fails with BucketAlreadyExists for an existing bucket.
func (s *Store) CreateBucket(name string) error {
	if !validBucket(name) {
		return gofakes3.ErrorMessage(gofakes3.ErrInvalidBucketName, "the bucket name "+name+" is not valid")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	err := os.Mkdir(s.bucketDir(name), 0o700)
	if errors.Is(err, fs.ErrExist) {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	}
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	return nil
}

// EnsureBucket creates the bucket unless it exists.
func (s *Store) EnsureBucket(name string) error {
	err := s.CreateBucket(name)
	if gofakes3.HasErrorCode(err, gofakes3.ErrBucketAlreadyExists) {
		return nil
	}
	return err
}

// DeleteBucket implements gofakes3.Backend.
func (s *Store) DeleteBucket(name string) error {
	if ok, _ := s.BucketExists(name); !ok {
		return gofakes3.BucketNotFound(name)
	}
	objs, err := s.List(name, "")
	if err != nil {
		return err
	}
	if len(objs) > 0 {
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
	}
	return s.ForceDeleteBucket(name)
}

// ForceDeleteBucket implements gofakes3.Backend.
func (s *Store) ForceDeleteBucket(name string) error {
	if ok, _ := s.BucketExists(name); !ok {
		return gofakes3.BucketNotFound(name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.RemoveAll(filepath.Join(s.root, metaDir, name)); err != nil {
		return fmt.Errorf("delete bucket %s: %w", name, err)
	}
	if err := os.RemoveAll(s.bucketDir(name)); err != nil {
		return fmt.Errorf("delete bucket %s: %w", name, err)
	}
	return nil
}

// ListBucket implements gofakes3.Backend, with prefixes, delimiters and markers.
func (s *Store) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if ok, _ := s.BucketExists(name); !ok {
		return nil, gofakes3.BucketNotFound(name)
	}
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	objs, err := s.List(name, "")
	if err != nil {
		return nil, err
	}
	out := gofakes3.NewObjectList()
	var match gofakes3.PrefixMatch
	var n int64
	last := ""
	for i, o := range objs {
		if page.HasMarker && o.Key <= page.Marker {
			continue
		}
		if !prefix.Match(o.Key, &match) {
			continue
		}
		if match.CommonPrefix {
			if match.MatchedPart == last {
				continue
			}
			last = match.MatchedPart
			out.AddPrefix(match.MatchedPart)
		} else {
			out.Add(&gofakes3.Content{Key: o.Key, LastModified: gofakes3.NewContentTime(o.LastModified),
				ETag: `"` + o.ETag + `"`, Size: o.Size})
		}
		n++
		if page.MaxKeys > 0 && n >= page.MaxKeys {
			out.NextMarker = o.Key
			out.IsTruncated = i < len(objs)-1
			break
		}
	}
	return out, nil
}

// List returns the objects of bucket whose keys begin with prefix, sorted by key.
func (s *Store) List(bucket, prefix string) ([]Object, error) {
	if ok, err := s.BucketExists(bucket); err != nil || !ok {
		if err == nil {
			err = ErrNotFound
		}
		return nil, fmt.Errorf("list bucket %s: %w", bucket, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	dir := s.bucketDir(bucket)
	var out []Object
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		key, ok := objectKey(rel)
		if !ok || !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		m := s.readMeta(bucket, key, p)
		out = append(out, Object{Key: key, Size: info.Size(), ETag: fmt.Sprintf("%x", m.Hash), LastModified: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list bucket %s: %w", bucket, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// readMeta returns the sidecar of an object, computing the hash when the sidecar is missing
// (a file copied into the store by hand).
func (s *Store) readMeta(bucket, key, dataPath string) meta {
	var m meta
	if b, err := os.ReadFile(s.metaPath(bucket, key)); err == nil && json.Unmarshal(b, &m) == nil && len(m.Hash) > 0 {
		return m
	}
	if b, err := os.ReadFile(dataPath); err == nil {
		sum := md5.Sum(b)
		m.Hash = sum[:]
	}
	return m
}

// object opens an object for reading; the caller closes Contents.
func (s *Store) object(bucket, key string, rng *gofakes3.ObjectRangeRequest, head bool) (*gofakes3.Object, error) {
	if ok, _ := s.BucketExists(bucket); !ok {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.objectPath(bucket, key)
	st, err := os.Stat(p)
	if err != nil || st.IsDir() {
		return nil, gofakes3.KeyNotFound(key)
	}
	m := s.readMeta(bucket, key, p)
	obj := &gofakes3.Object{Name: key, Metadata: m.Metadata, Size: st.Size(), Hash: m.Hash}
	if obj.Metadata == nil {
		obj.Metadata = map[string]string{}
	}
	if head {
		obj.Contents = io.NopCloser(bytes.NewReader(nil))
		return obj, nil
	}
	r, err := rng.Range(st.Size())
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read object %s/%s: %w", bucket, key, err)
	}
	if r != nil {
		obj.Range = r
		b = b[r.Start : r.Start+r.Length]
	}
	obj.Contents = io.NopCloser(bytes.NewReader(b))
	return obj, nil
}

// GetObject implements gofakes3.Backend.
func (s *Store) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return s.object(bucket, key, rng, false)
}

// HeadObject implements gofakes3.Backend.
func (s *Store) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	return s.object(bucket, key, nil, true)
}

// DeleteObject implements gofakes3.Backend; a missing key is not an error.
func (s *Store) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	if ok, _ := s.BucketExists(bucket); !ok {
		return gofakes3.ObjectDeleteResult{}, gofakes3.BucketNotFound(bucket)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return gofakes3.ObjectDeleteResult{}, s.deleteLocked(bucket, key)
}

func (s *Store) deleteLocked(bucket, key string) error {
	if err := os.Remove(s.objectPath(bucket, key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete object %s/%s: %w", bucket, key, err)
	}
	_ = os.Remove(s.metaPath(bucket, key))
	return nil
}

// DeleteMulti implements gofakes3.Backend.
func (s *Store) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	var res gofakes3.MultiDeleteResult
	if ok, _ := s.BucketExists(bucket); !ok {
		return res, gofakes3.BucketNotFound(bucket)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if err := s.deleteLocked(bucket, k); err != nil {
			res.Error = append(res.Error, gofakes3.ErrorResult{Key: k, Code: gofakes3.ErrInternal, Message: err.Error()})
			continue
		}
		res.Deleted = append(res.Deleted, gofakes3.ObjectID{Key: k})
	}
	return res, nil
}

// PutObject implements gofakes3.Backend, checking conditions and writing atomically.
func (s *Store) PutObject(bucket, key string, metadata map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	body, err := gofakes3.ReadAll(input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	_, err = s.write(bucket, key, metadata, body, cond)
	return gofakes3.PutObjectResult{}, err
}

// write stores body under bucket/key when cond holds and tells OnCreated.
func (s *Store) write(bucket, key string, metadata map[string]string, body []byte, cond *gofakes3.PutConditions) (string, error) {
	if ok, _ := s.BucketExists(bucket); !ok {
		return "", gofakes3.BucketNotFound(bucket)
	}
	if key == "" {
		return "", gofakes3.ErrorInvalidArgument("key", key, "the object key is empty")
	}
	if err := checkKey(key); err != nil {
		return "", err
	}
	sum := md5.Sum(body)
	s.mu.Lock()
	p := s.objectPath(bucket, key)
	if cond != nil {
		info := &gofakes3.ConditionalObjectInfo{}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			info.Exists = true
			info.Hash = s.readMeta(bucket, key, p).Hash
		}
		if err := gofakes3.CheckPutConditions(cond, info); err != nil {
			s.mu.Unlock()
			return "", err
		}
	}
	if err := s.writeLocked(bucket, key, p, metadata, body, sum[:]); err != nil {
		s.mu.Unlock()
		return "", err
	}
	s.seq++
	ev := ObjectCreated{Bucket: bucket, Key: key, Size: int64(len(body)), ETag: fmt.Sprintf("%x", sum),
		Sequencer: fmt.Sprintf("%016X", s.seq), Time: s.clock.Now()}
	s.mu.Unlock()
	if s.onNew != nil {
		s.onNew(ev)
	}
	return ev.ETag, nil
}

// writeLocked stores the object and its record, or neither: the record is written first
// (its old content kept), then the content; when the content cannot be written the old
// record is put back.
func (s *Store) writeLocked(bucket, key, p string, metadata map[string]string, body, hash []byte) error {
	conflict := gofakes3.ErrorInvalidArgument("key", key,
		"the key conflicts with another key in the local S3 store (one is a folder prefix of the other)")
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return conflict
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return conflict
	}
	mp := s.metaPath(bucket, key)
	old, oldErr := os.ReadFile(mp)
	if err := s.writeMeta(bucket, key, meta{Hash: hash, Metadata: metadata}); err != nil {
		return fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	if err := atomicWrite(filepath.Join(s.root, ".tmp"), p, body); err != nil {
		if oldErr == nil {
			_ = atomicWrite(filepath.Join(s.root, ".tmp"), mp, old)
		} else {
			_ = os.Remove(mp)
		}
		return fmt.Errorf("put object %s/%s: %w", bucket, key, err)
	}
	return nil
}

func atomicWrite(tmpDir, p string, b []byte) error {
	f, err := os.CreateTemp(tmpDir, "put-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// CopyObject implements gofakes3.Backend.
func (s *Store) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, metadata map[string]string) (gofakes3.CopyObjectResult, error) {
	obj, err := s.GetObject(srcBucket, srcKey, nil)
	if err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	defer obj.Contents.Close()
	body, err := io.ReadAll(obj.Contents)
	if err != nil {
		return gofakes3.CopyObjectResult{}, fmt.Errorf("copy object %s/%s: %w", srcBucket, srcKey, err)
	}
	if len(metadata) == 0 {
		metadata = obj.Metadata
	}
	etag, err := s.write(dstBucket, dstKey, metadata, body, nil)
	if err != nil {
		return gofakes3.CopyObjectResult{}, err
	}
	return gofakes3.CopyObjectResult{ETag: `"` + etag + `"`, LastModified: gofakes3.NewContentTime(s.clock.Now())}, nil
}
