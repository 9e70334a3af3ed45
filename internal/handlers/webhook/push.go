package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// githubPush is the part of GitHub's push payload kiln reads.
type githubPush struct {
	Ref        string `json:"ref"`
	Before     string `json:"before"`
	After      string `json:"after"`
	Deleted    bool   `json:"deleted"`
	Forced     bool   `json:"forced"`
	Repository *struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
	HeadCommit *struct {
		ID        string `json:"id"`
		Message   string `json:"message"`
		Timestamp string `json:"timestamp"`
		Author    struct {
			Name string `json:"name"`
		} `json:"author"`
	} `json:"head_commit"`
	Commits []struct {
		Added    []string `json:"added"`
		Removed  []string `json:"removed"`
		Modified []string `json:"modified"`
	} `json:"commits"`
	Pusher struct {
		Name string `json:"name"`
	} `json:"pusher"`
}

// NormalisePush turns GitHub's push payload into the Git Push detail. A body that is not a
// JSON push payload is an error naming the problem. Branch is empty for a ref that is not
// a branch (a tag); the head commit's timestamp is converted to UTC.
func NormalisePush(body []byte, deliveryID string) (GitPush, error) {
	var p githubPush
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		return GitPush{}, fmt.Errorf("malformed JSON push payload (the webhook's content type must be application/json): %w", err)
	}
	if dec.More() {
		return GitPush{}, errors.New("malformed JSON push payload: data after the object")
	}
	switch {
	case p.Repository == nil || p.Repository.FullName == "":
		return GitPush{}, errors.New("push payload has no repository.full_name")
	case p.Ref == "":
		return GitPush{}, errors.New("push payload has no ref")
	case p.After == "":
		return GitPush{}, errors.New("push payload has no after")
	}
	g := GitPush{
		Repository: p.Repository.FullName, Ref: p.Ref, Before: p.Before, After: p.After,
		Forced: p.Forced, Deleted: p.Deleted, Pusher: p.Pusher.Name, DeliveryID: deliveryID,
		HeadCommit: HeadCommit{ID: p.After}, ChangedPaths: []string{},
	}
	g.Branch, _ = strings.CutPrefix(p.Ref, "refs/heads/")
	if g.Branch == p.Ref {
		g.Branch = ""
	}
	if c := p.HeadCommit; c != nil {
		g.HeadCommit = HeadCommit{ID: c.ID, Message: c.Message, Timestamp: c.Timestamp, Author: c.Author.Name}
		if t, err := time.Parse(time.RFC3339, c.Timestamp); err == nil {
			g.HeadCommit.Timestamp = t.UTC().Format(time.RFC3339)
		}
	}
	seen := map[string]bool{}
	for _, c := range p.Commits {
		for _, list := range [][]string{c.Added, c.Removed, c.Modified} {
			for _, path := range list {
				if !seen[path] {
					seen[path] = true
					g.ChangedPaths = append(g.ChangedPaths, path)
				}
			}
		}
	}
	sort.Strings(g.ChangedPaths)
	return g, nil
}

// deliveryMarker is the body of a dedupe marker.
type deliveryMarker struct {
	DeliveryID string `json:"deliveryId"`
	Repository string `json:"repository"`
	After      string `json:"after"`
	ReceivedAt string `json:"receivedAt"`
}

// publish claims the delivery (a conditional PutObject: the second claim of one delivery
// fails with 412) and puts the Git Push event; when the event cannot be put the claim is
// released, so GitHub's redelivery works.
func (h *Handler) publish(ctx context.Context, push GitPush, event string) outcome {
	now := h.Clock().UTC()
	key := DeliveryPrefix + push.DeliveryID
	marker, _ := json.Marshal(deliveryMarker{DeliveryID: push.DeliveryID, Repository: push.Repository, After: push.After, ReceivedAt: now.Format(time.RFC3339)})
	fail := func(err error, format string, args ...any) outcome {
		return outcome{status: http.StatusBadGateway, reply: Reply{Message: fmt.Sprintf(format, args...), DeliveryID: push.DeliveryID}, event: event, problem: err}
	}
	_, err := h.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(h.Bucket), Key: aws.String(key), Body: bytes.NewReader(marker),
		ContentType: aws.String("application/json"), IfNoneMatch: aws.String("*"),
	})
	if isPreconditionFailed(err) {
		return outcome{status: http.StatusOK, reply: Reply{Message: "duplicate delivery, ignored", DeliveryID: push.DeliveryID}, event: event}
	}
	if err != nil {
		return fail(fmt.Errorf("put object s3://%s/%s: %w", h.Bucket, key, err), "could not record the delivery")
	}
	detail, err := json.Marshal(push)
	if err != nil {
		return fail(fmt.Errorf("encode git push: %w", err), "could not encode the event")
	}
	out, err := h.Events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		EventBusName: aws.String(h.BusName), Source: aws.String(Source), DetailType: aws.String(DetailType),
		Detail: aws.String(string(detail)), Time: aws.Time(now),
	}}})
	if err == nil && (out.FailedEntryCount > 0 || len(out.Entries) == 0 || out.Entries[0].EventId == nil) {
		err = entryError(out)
	}
	if err != nil {
		err = fmt.Errorf("put events on %s: %w", h.BusName, err)
		if _, derr := h.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String(key)}); derr != nil {
			err = errors.Join(err, fmt.Errorf("delete object s3://%s/%s: %w", h.Bucket, key, derr))
		}
		return fail(err, "could not put the Git Push event; the delivery may be redelivered")
	}
	return outcome{status: http.StatusOK, event: event, reply: Reply{
		Message: fmt.Sprintf("push of %s to %s accepted", cut(push.After, 12), push.Branch), DeliveryID: push.DeliveryID,
		EventID: aws.ToString(out.Entries[0].EventId),
	}}
}

func entryError(out *eventbridge.PutEventsOutput) error {
	for _, e := range out.Entries {
		if e.ErrorCode != nil {
			return fmt.Errorf("entry failed: %s: %s", aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
		}
	}
	return fmt.Errorf("%d entries failed", out.FailedEntryCount)
}

// isPreconditionFailed reports an S3 conditional write that lost: 412 PreconditionFailed, or
// 409 ConditionalRequestConflict when another writer of the same key is in flight.
func isPreconditionFailed(err error) bool {
	if err == nil {
		return false
	}
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "PreconditionFailed" || api.ErrorCode() == "ConditionalRequestConflict") {
		return true
	}
	var resp *smithyhttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusPreconditionFailed
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
