package sns

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

const topic = "arn:aws:sns:us-east-1:000000000000:kiln-prod-notifications"

func setup(t *testing.T) (*Service, *awssns.Client, *[]Message) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kiln.db"), 0o600, nil)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	n := 0
	var seen []Message
	s, err := New(Options{DB: db, Topics: []string{topic},
		Clock:    clock.NewVirtual(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)),
		NewID:    func() string { n++; return fmt.Sprintf("id-%d", n) },
		Observer: func(m Message) { seen = append(seen, m) }})
	require.NoError(t, err)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := awssns.New(awssns.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		})})
	return s, c, &seen
}

func TestPublishThroughTheSDK(t *testing.T) {
	s, c, seen := setup(t)
	out, err := c.Publish(context.Background(), &awssns.PublishInput{TopicArn: aws.String(topic), Subject: aws.String("approve abalone v3"),
		Message: aws.String(`{"modelPackageArn":"arn"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"model": {DataType: aws.String("String"), StringValue: aws.String("abalone")},
		}})
	require.NoError(t, err)
	assert.Equal(t, "id-1", aws.ToString(out.MessageId))

	msgs, err := s.Messages()
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, "approve abalone v3", msgs[0].Subject)
	assert.JSONEq(t, `{"modelPackageArn":"arn"}`, msgs[0].Message)
	assert.Equal(t, "abalone", msgs[0].Attributes["model"].StringValue)
	require.Len(t, *seen, 1, "the observer saw the message")
}

func TestRejectedPublishes(t *testing.T) {
	s, c, _ := setup(t)
	tests := []struct {
		name string
		in   *awssns.PublishInput
		code string
	}{
		{"a topic that does not exist is NotFound", &awssns.PublishInput{TopicArn: aws.String(topic + "-x"), Message: aws.String("m")}, "NotFound"},
		{"an empty message is an invalid parameter", &awssns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(" ")}, "InvalidParameter"},
		{"a phone number target is not supported", &awssns.PublishInput{PhoneNumber: aws.String("+15555550100"), Message: aws.String("m")}, "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Publish(context.Background(), tt.in)
			var ae smithy.APIError
			require.True(t, errors.As(err, &ae), "got %v", err)
			assert.Equal(t, tt.code, ae.ErrorCode())
		})
	}
	_, err := c.ListPlatformApplications(context.Background(), &awssns.ListPlatformApplicationsInput{})
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "InvalidAction", ae.ErrorCode())
	assert.Contains(t, ae.ErrorMessage(), "ListPlatformApplications")

	msgs, err := s.Messages()
	require.NoError(t, err)
	assert.Empty(t, msgs)
}
