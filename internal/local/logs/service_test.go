package logs_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/local/logs"
)

func open(t *testing.T) *logs.Service {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kiln.db"), 0o600, nil)
	require.NoError(t, err)
	db.NoSync = true // as the stack opens it
	t.Cleanup(func() { db.Close() })
	s, err := logs.New(db, nil)
	require.NoError(t, err)
	return s
}

// TestFilterLogEventsReadsWhatAFunctionLogged goes through the real SDK client: a function's
// slog lines land in its group and come back filtered, paged and in order.
func TestFilterLogEventsReadsWhatAFunctionLogged(t *testing.T) {
	s := open(t)
	log := slog.New(s.Handler("/aws/lambda/kiln-prod-trigger", "local", nil)).With("function", "trigger")
	log.Info("trigger started", "action", "started", "model", "abalone")
	log.Debug("not kept", "action", "x")
	log.Info("evaluated")
	log.Info("trigger skipped", "action", "skipped", "rule", "duplicate")

	srv := httptest.NewServer(s)
	defer srv.Close()
	c := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.AnonymousCredentials{}})
	ctx := context.Background()
	var msgs []string
	p := cloudwatchlogs.NewFilterLogEventsPaginator(c, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String("/aws/lambda/kiln-prod-trigger"), FilterPattern: aws.String("action"), Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, e := range page.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
	}
	require.Len(t, msgs, 2)
	assert.Contains(t, msgs[0], `"action":"started"`)
	assert.Contains(t, msgs[0], `"function":"trigger"`)
	assert.Contains(t, msgs[1], `"rule":"duplicate"`)

	_, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/none")})
	assert.ErrorContains(t, err, "ResourceNotFoundException")
	_, err = c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/kiln-prod-trigger"), FilterPattern: aws.String(`{ $.action = "x" }`)})
	assert.ErrorContains(t, err, "InvalidParameterException")
}

func TestAGroupKeepsItsNewestEvents(t *testing.T) {
	s := open(t)
	at := time.Unix(1700000000, 0)
	for i := range logs.MaxEventsPerGroup + 10 {
		require.NoError(t, s.Put("g", "local", at.Add(time.Duration(i)*time.Millisecond), "line"))
	}
	evs, _, err := s.Filter(logs.Query{Group: "g"})
	require.NoError(t, err)
	assert.Len(t, evs, logs.MaxEventsPerGroup)
	assert.Equal(t, at.Add(10*time.Millisecond).UnixMilli(), evs[0].Timestamp, "the oldest were dropped")
}
