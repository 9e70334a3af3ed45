package sns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketTopics holds the topics created through CreateTopic (ARN → "{}"), and
// bucketSubscriptions the subscriptions (ARN → JSON), both kept across restarts.
var (
	bucketTopics        = []byte("sns.topics")
	bucketSubscriptions = []byte("sns.subscriptions")
)

// ErrInvalidEndpoint is returned for a subscription endpoint kiln local cannot deliver to.
var ErrInvalidEndpoint = errors.New("invalid subscription endpoint")

// Subscription is one subscription of a topic. Only HTTP and HTTPS endpoints on a loopback
// address can subscribe locally; they are confirmed at once (no SubscriptionConfirmation
// round trip: the endpoint is on the user's own machine).
type Subscription struct {
	ARN      string `json:"arn"`
	TopicARN string `json:"topicArn"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
	Owner    string `json:"owner"`
}

func (s *Service) ensureBuckets(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketMessages, bucketTopics, bucketSubscriptions} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// arnParts returns the region and account of the stack's topics.
func (s *Service) arnParts() (region, account string) {
	region, account = "us-east-1", "000000000000"
	if len(s.opts.Topics) > 0 {
		if p := strings.Split(s.opts.Topics[0], ":"); len(p) == 6 {
			region, account = p[3], p[4]
		}
	}
	return region, account
}

// Topics returns the ARNs of every topic, the stack's own and those created, sorted.
func (s *Service) Topics() ([]string, error) {
	out := slices.Clone(s.opts.Topics)
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTopics).ForEach(func(k, _ []byte) error {
			if !slices.Contains(out, string(k)) {
				out = append(out, string(k))
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

func (s *Service) topicExists(arn string) (bool, error) {
	topics, err := s.Topics()
	return slices.Contains(topics, arn), err
}

// CreateTopic creates the standard topic named name, or returns the existing one's ARN.
func (s *Service) CreateTopic(name string) (string, error) {
	if name == "" || len(name) > 256 || strings.IndexFunc(name, notTopicRune) >= 0 {
		return "", fmt.Errorf("create topic %q: the name must be 1 to 256 letters, digits, hyphens and underscores", name)
	}
	region, account := s.arnParts()
	arn := fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, account, name)
	if slices.Contains(s.opts.Topics, arn) {
		return arn, nil
	}
	err := s.opts.DB.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTopics).Put([]byte(arn), []byte("{}")) })
	if err != nil {
		return "", fmt.Errorf("create topic %s: %w", name, err)
	}
	return arn, nil
}

// notTopicRune reports whether r may not appear in a topic name.
func notTopicRune(r rune) bool {
	ok := r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	return !ok
}

// Subscribe subscribes endpoint to topic over protocol (http or https, on a loopback
// address) and returns the subscription's ARN; the same subscription again returns the
// same ARN.
func (s *Service) Subscribe(topic, protocol, endpoint string) (string, error) {
	if ok, err := s.topicExists(topic); err != nil || !ok {
		if err == nil {
			err = ErrTopicNotFound
		}
		return "", fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	if err := checkEndpoint(protocol, endpoint); err != nil {
		return "", fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	subs, err := s.Subscriptions("")
	if err != nil {
		return "", err
	}
	for _, sub := range subs {
		if sub.TopicARN == topic && sub.Protocol == protocol && sub.Endpoint == endpoint {
			return sub.ARN, nil
		}
	}
	_, account := s.arnParts()
	sub := Subscription{ARN: topic + ":" + s.opts.NewID(), TopicARN: topic, Protocol: protocol, Endpoint: endpoint, Owner: account}
	b, _ := json.Marshal(sub)
	if err := s.opts.DB.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSubscriptions).Put([]byte(sub.ARN), b) }); err != nil {
		return "", fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	return sub.ARN, nil
}

// checkEndpoint refuses what kiln local cannot or must not deliver to: anything but HTTP
// or HTTPS to a loopback address.
func checkEndpoint(protocol, endpoint string) error {
	if protocol != "http" && protocol != "https" {
		return fmt.Errorf("%w: protocol %q is not served locally (kiln local delivers to http and https endpoints on loopback)", ErrInvalidEndpoint, protocol)
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != protocol || u.Host == "" {
		return fmt.Errorf("%w: %q is not an %s URL", ErrInvalidEndpoint, endpoint, protocol)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%w: %s is not a loopback address; the local stack delivers only to this machine", ErrInvalidEndpoint, host)
	}
	return nil
}

// Unsubscribe removes the subscription arn; a missing one is not an error.
func (s *Service) Unsubscribe(arn string) error {
	return s.opts.DB.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSubscriptions).Delete([]byte(arn)) })
}

// Subscriptions returns the subscriptions of topic (every topic when empty), by ARN.
func (s *Service) Subscriptions(topic string) ([]Subscription, error) {
	var out []Subscription
	err := s.opts.DB.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSubscriptions).ForEach(func(_, v []byte) error {
			var sub Subscription
			if err := json.Unmarshal(v, &sub); err != nil {
				return err
			}
			if topic == "" || sub.TopicARN == topic {
				out = append(out, sub)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	return out, nil
}

// deliver posts m to every subscription of its topic as an SNS HTTP notification, each in
// its own goroutine with a 15 s limit; a failed delivery is logged and not retried.
func (s *Service) deliver(m Message) {
	subs, err := s.Subscriptions(m.TopicARN)
	if err != nil {
		s.opts.Log.Error("deliver sns message", "topicArn", m.TopicARN, "err", err)
		return
	}
	for _, sub := range subs {
		body, _ := json.Marshal(map[string]any{"Type": "Notification", "MessageId": m.MessageID, "TopicArn": m.TopicARN,
			"Subject": m.Subject, "Message": m.Message, "Timestamp": m.Time.Format("2006-01-02T15:04:05.000Z"),
			"SignatureVersion": "1", "Signature": "", "SigningCertURL": "", "UnsubscribeURL": "",
			"MessageAttributes": notificationAttributes(m.Attributes)})
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
			if err != nil {
				s.opts.Log.Error("deliver sns message", "subscriptionArn", sub.ARN, "err", err)
				return
			}
			req.Header.Set("Content-Type", "text/plain; charset=UTF-8")
			req.Header.Set("x-amz-sns-message-type", "Notification")
			req.Header.Set("x-amz-sns-message-id", m.MessageID)
			req.Header.Set("x-amz-sns-topic-arn", m.TopicARN)
			req.Header.Set("x-amz-sns-subscription-arn", sub.ARN)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				s.opts.Log.Error("deliver sns message", "subscriptionArn", sub.ARN, "err", err)
				return
			}
			_ = resp.Body.Close()
			if resp.StatusCode > 299 {
				s.opts.Log.Error("deliver sns message", "subscriptionArn", sub.ARN, "status", resp.StatusCode)
			}
		}()
	}
}

func notificationAttributes(attrs map[string]Attribute) map[string]any {
	out := map[string]any{}
	for k, a := range attrs {
		v := map[string]any{"Type": a.DataType, "Value": a.StringValue}
		if a.BinaryValue != nil {
			v["Value"] = a.BinaryValue
		}
		out[k] = v
	}
	return out
}
