package sns

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/awsclitest"
)

// inbox is a loopback HTTP endpoint that keeps the notifications it receives.
type inbox struct {
	mu   sync.Mutex
	got  []map[string]any
	hdrs []http.Header
	srv  *httptest.Server
}

func newInbox(t *testing.T) *inbox {
	in := &inbox{}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		in.mu.Lock()
		in.got = append(in.got, m)
		in.hdrs = append(in.hdrs, r.Header.Clone())
		in.mu.Unlock()
	}))
	t.Cleanup(in.srv.Close)
	return in
}

func (in *inbox) messages() []map[string]any {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]map[string]any(nil), in.got...)
}

func TestSubscribersReceiveWhatIsPublishedThroughTheSDK(t *testing.T) {
	_, c, _ := setup(t)
	ctx := context.Background()
	box := newInbox(t)
	created, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("mine")})
	require.NoError(t, err)
	again, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("mine")})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(created.TopicArn), aws.ToString(again.TopicArn), "creating a topic again returns it")
	lt, err := c.ListTopics(ctx, &awssns.ListTopicsInput{})
	require.NoError(t, err)
	var arns []string
	for _, tp := range lt.Topics {
		arns = append(arns, aws.ToString(tp.TopicArn))
	}
	assert.ElementsMatch(t, []string{topic, aws.ToString(created.TopicArn)}, arns)

	sub, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(box.srv.URL + "/hook")})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(aws.ToString(sub.SubscriptionArn), topic+":"), "confirmed at once: %s", aws.ToString(sub.SubscriptionArn))
	ls, err := c.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	require.NoError(t, err)
	require.Len(t, ls.Subscriptions, 1)
	assert.Equal(t, box.srv.URL+"/hook", aws.ToString(ls.Subscriptions[0].Endpoint))
	attrs, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	require.NoError(t, err)
	assert.Equal(t, "1", attrs.Attributes["SubscriptionsConfirmed"])

	_, err = c.Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(topic), Subject: aws.String("s"), Message: aws.String("hello")})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(box.messages()) == 1 }, 10*time.Second, 10*time.Millisecond)
	m := box.messages()[0]
	assert.Equal(t, "Notification", m["Type"])
	assert.Equal(t, "hello", m["Message"])
	assert.Equal(t, topic, m["TopicArn"])

	for _, tt := range []struct{ name, protocol, endpoint string }{
		{"a remote endpoint is refused", "http", "http://example.com/hook"},
		{"an email subscription is refused", "email", "a@example.com"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(tt.protocol), Endpoint: aws.String(tt.endpoint)})
			var ae smithy.APIError
			require.True(t, errors.As(err, &ae), "got %v", err)
			assert.Equal(t, "InvalidParameter", ae.ErrorCode())
		})
	}
	ls, err = c.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	require.NoError(t, err)
	assert.Len(t, ls.Subscriptions, 1, "a refused subscription changes nothing")
}

func TestTheAWSCLIsSpeakToTheLocalSNS(t *testing.T) {
	for _, cli := range awsclitest.Find(t) {
		t.Run(cli.Version, func(t *testing.T) {
			s, _, _ := setup(t)
			srv := httptest.NewServer(s)
			defer srv.Close()
			box := newInbox(t)
			run := func(args ...string) (map[string]any, string, error) {
				out, err := cli.Run(t, srv.URL, append([]string{"sns"}, args...)...)
				var m map[string]any
				_ = json.Unmarshal([]byte(out), &m)
				return m, out, err
			}
			must := func(args ...string) map[string]any {
				t.Helper()
				m, out, err := run(args...)
				require.NoError(t, err, "aws sns %s: %s", strings.Join(args, " "), out)
				return m
			}
			created := must("create-topic", "--name", "mine")
			assert.Equal(t, "arn:aws:sns:us-east-1:000000000000:mine", created["TopicArn"])
			assert.Len(t, must("list-topics")["Topics"], 2)
			attrs := must("get-topic-attributes", "--topic-arn", topic)["Attributes"].(map[string]any)
			assert.Equal(t, topic, attrs["TopicArn"])
			sub := must("subscribe", "--topic-arn", topic, "--protocol", "http", "--notification-endpoint", box.srv.URL)
			assert.Contains(t, sub["SubscriptionArn"], topic+":")
			subs := must("list-subscriptions")["Subscriptions"].([]any)
			require.Len(t, subs, 1)
			assert.Equal(t, box.srv.URL, subs[0].(map[string]any)["Endpoint"])
			must("publish", "--topic-arn", topic, "--message", "from the cli")
			require.Eventually(t, func() bool { return len(box.messages()) == 1 }, 10*time.Second, 10*time.Millisecond)
			assert.Equal(t, "from the cli", box.messages()[0]["Message"])
			_, out, err := run("list-platform-applications")
			require.Error(t, err)
			assert.Contains(t, out, "ListPlatformApplications is not implemented by the kiln local SNS")
		})
	}
}
