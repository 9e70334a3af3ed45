package sns

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	bolt "go.etcd.io/bbolt"
)

// bucketMessages is the bbolt bucket holding the published messages, keyed by sequence.
var bucketMessages = []byte("sns.messages")

// ErrTopicNotFound is returned when a message names a topic the stack does not have.
var ErrTopicNotFound = errors.New("topic does not exist")

// Attribute is one message attribute.
type Attribute struct {
	DataType    string `json:"dataType"`
	StringValue string `json:"stringValue,omitempty"`
	BinaryValue []byte `json:"binaryValue,omitempty"`
}

// Message is one published message.
type Message struct {
	MessageID  string               `json:"messageId"`
	TopicARN   string               `json:"topicArn"`
	Subject    string               `json:"subject,omitempty"`
	Message    string               `json:"message"`
	Attributes map[string]Attribute `json:"attributes,omitempty"`
	Time       time.Time            `json:"time"`
}

// Options configure a [Service].
type Options struct {
	// DB keeps the messages; required.
	DB *bolt.DB
	// Topics are the topic ARNs that exist; publishing to another is ErrTopicNotFound.
	Topics []string
	// Clock stamps messages; nil means clock.Wall.
	Clock clock.Clock
	// NewID returns a message id; nil means a random UUID.
	NewID func() string
	// Observer is called with every message after it is stored; nil means no one.
	Observer func(Message)
	// Log receives delivery failures; nil means slog.Default().
	Log *slog.Logger
}

// Service is the SNS stand-in. Create one with [New].
type Service struct {
	opts Options
	mu   sync.Mutex
	obs  []func(Message)
}

// New returns a service storing into opts.DB.
func New(opts Options) (*Service, error) {
	if opts.DB == nil {
		return nil, errors.New("new sns: a database is required")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Wall{}
	}
	if opts.NewID == nil {
		opts.NewID = randomUUID
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	s := &Service{opts: opts}
	if err := opts.DB.Update(s.ensureBuckets); err != nil {
		return nil, fmt.Errorf("new sns: %w", err)
	}
	if opts.Observer != nil {
		s.obs = append(s.obs, opts.Observer)
	}
	return s, nil
}

// Observe adds fn to the observers of every later message.
func (s *Service) Observe(fn func(Message)) {
	s.mu.Lock()
	s.obs = append(s.obs, fn)
	s.mu.Unlock()
}

// Publish validates and stores m (its MessageID and Time are set here) and returns the id.
func (s *Service) Publish(ctx context.Context, m Message) (string, error) {
	if ok, err := s.topicExists(m.TopicARN); err != nil || !ok {
		if err == nil {
			err = ErrTopicNotFound
		}
		return "", fmt.Errorf("publish to %s: %w", m.TopicARN, err)
	}
	if strings.TrimSpace(m.Message) == "" {
		return "", fmt.Errorf("publish to %s: the message is empty", m.TopicARN)
	}
	if len(m.Subject) > 100 {
		return "", fmt.Errorf("publish to %s: the subject is longer than 100 characters", m.TopicARN)
	}
	if len(m.Message) > 256*1024 {
		return "", fmt.Errorf("publish to %s: the message is larger than 256 KiB", m.TopicARN)
	}
	m.MessageID = s.opts.NewID()
	m.Time = s.opts.Clock.Now().UTC()
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("publish to %s: %w", m.TopicARN, err)
	}
	if err := s.opts.DB.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketMessages)
		seq, err := bk.NextSequence()
		if err != nil {
			return err
		}
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], seq)
		return bk.Put(k[:], b)
	}); err != nil {
		return "", fmt.Errorf("publish to %s: store message: %w", m.TopicARN, err)
	}
	s.mu.Lock()
	obs := slices.Clone(s.obs)
	s.mu.Unlock()
	for _, fn := range obs {
		fn(m)
	}
	s.deliver(m)
	return m.MessageID, nil
}

// Messages returns every stored message, oldest first.
func (s *Service) Messages() ([]Message, error) {
	var out []Message
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMessages).ForEach(func(_, v []byte) error {
			var m Message
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list sns messages: %w", err)
	}
	return out, nil
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
