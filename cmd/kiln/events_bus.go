package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/local/eventbus"
)

// defaultLocalAddr is where `kiln local` listens unless KILN_ADDR says otherwise.
const defaultLocalAddr = "127.0.0.1:4566"

// busEndpoint returns the EventBridge endpoint: the flag, else http://$KILN_ADDR, else the
// local stack's default address.
func busEndpoint(flag string) string {
	if flag != "" {
		return flag
	}
	if addr := os.Getenv("KILN_ADDR"); addr != "" {
		if strings.Contains(addr, "://") {
			return addr
		}
		return "http://" + addr
	}
	return "http://" + defaultLocalAddr
}

// busClient returns an EventBridge client for endpoint with the local stack's static
// credentials (test/test) in us-east-1. With allowAWS every request carries the local bus's
// eventbus.AllowAWSSourceHeader, so events with aws.* sources are accepted.
func busClient(endpoint string, allowAWS bool) *eventbridge.Client {
	o := eventbridge.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint),
	}
	if allowAWS {
		o.HTTPClient = headerDoer{name: eventbus.AllowAWSSourceHeader, value: "true"}
	}
	return eventbridge.New(o)
}

// headerDoer sends requests with http.DefaultClient after adding one header.
type headerDoer struct{ name, value string }

func (d headerDoer) Do(r *http.Request) (*http.Response, error) {
	r.Header.Set(d.name, d.value)
	return http.DefaultClient.Do(r)
}

// newEventsPutCmd builds `kiln events put FILE`.
func newEventsPutCmd() *cobra.Command {
	var endpoint, bus string
	var allowAWS bool
	cmd := &cobra.Command{
		Use:   "put FILE",
		Short: "Put the events of a file on the local stack's event bus",
		Long: "Put the events of FILE (- for stdin) with EventBridge's PutEvents, as `aws events put-events` does.\n" +
			"FILE holds an EventBridge event (an envelope with source, detail-type and detail), an array of\n" +
			"envelopes or of PutEvents entries (Source, DetailType, Detail, EventBusName, Resources, Time), or\n" +
			"{\"Entries\": [...]}. An envelope's time is kept. More than ten events go in several calls.\n" +
			"Prints {\"FailedEntryCount\", \"Entries\"} as the API answers; exits 1 when an entry failed.\n" +
			"Events whose source begins with aws. are refused, as on AWS, unless --aws-source is given\n" +
			"(a local-stack extension for injecting sample S3, CloudWatch or SageMaker events).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := putEventsFile(cmd.Context(), busClient(busEndpoint(endpoint), allowAWS), args[0], bus, cmd.InOrStdin(), cmd.OutOrStdout())
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "kiln events put:", err)
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "EventBridge endpoint (default http://$KILN_ADDR or http://"+defaultLocalAddr+")")
	cmd.Flags().StringVar(&bus, "event-bus-name", "", "the bus for events that name none (default: the default bus)")
	cmd.Flags().BoolVar(&allowAWS, "aws-source", false, "let events with aws.* sources in (local stack only)")
	return cmd
}

// errEntriesFailed reports that PutEvents refused some entries (the result is printed).
var errEntriesFailed = errors.New("some entries failed")

// putEventsFile reads the events of name and puts them, printing the combined result to out.
func putEventsFile(ctx context.Context, c *eventbridge.Client, name, bus string, stdin io.Reader, out io.Writer) error {
	var raw []byte
	var err error
	if name == "-" {
		raw, err = io.ReadAll(stdin)
	} else {
		raw, err = os.ReadFile(name)
	}
	if err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	entries, err := parseEventsFile(raw, bus)
	if err != nil {
		return fmt.Errorf("read events %s: %w", name, err)
	}
	type entryOut struct {
		EventID      string `json:"EventId,omitempty"`
		ErrorCode    string `json:"ErrorCode,omitempty"`
		ErrorMessage string `json:"ErrorMessage,omitempty"`
	}
	result := struct {
		FailedEntryCount int        `json:"FailedEntryCount"`
		Entries          []entryOut `json:"Entries"`
	}{Entries: []entryOut{}}
	for start := 0; start < len(entries); start += 10 {
		end := min(start+10, len(entries))
		res, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries[start:end]})
		if err != nil {
			return fmt.Errorf("put events %d to %d: %w", start+1, end, err)
		}
		result.FailedEntryCount += int(res.FailedEntryCount)
		for _, e := range res.Entries {
			result.Entries = append(result.Entries, entryOut{aws.ToString(e.EventId), aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage)})
		}
	}
	b, _ := json.MarshalIndent(result, "", "  ")
	fmt.Fprintln(out, string(b))
	if result.FailedEntryCount > 0 {
		return fmt.Errorf("%w: %d of %d", errEntriesFailed, result.FailedEntryCount, len(entries))
	}
	return nil
}

// parseEventsFile turns an envelope, an array of envelopes or entries, or {"Entries": [...]}
// into PutEvents entries; bus fills the bus of events that name none.
func parseEventsFile(raw []byte, bus string) ([]types.PutEventsRequestEntry, error) {
	raw = bytes.TrimSpace(raw)
	var items []json.RawMessage
	switch {
	case len(raw) == 0:
		return nil, errors.New("the file is empty")
	case raw[0] == '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("not a JSON array of events: %w", err)
		}
	case raw[0] == '{':
		var wrapper struct {
			Entries []json.RawMessage `json:"Entries"`
		}
		if err := json.Unmarshal(raw, &wrapper); err != nil {
			return nil, fmt.Errorf("not a JSON event: %w", err)
		}
		if wrapper.Entries != nil {
			items = wrapper.Entries
		} else {
			items = []json.RawMessage{raw}
		}
	default:
		return nil, errors.New("not JSON: want an event object or an array of them")
	}
	if len(items) == 0 {
		return nil, errors.New("no events in the file")
	}
	out := make([]types.PutEventsRequestEntry, 0, len(items))
	for i, item := range items {
		e, err := parseEventItem(item)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i+1, err)
		}
		if e.EventBusName == nil && bus != "" {
			e.EventBusName = aws.String(bus)
		}
		out = append(out, e)
	}
	return out, nil
}

// parseEventItem reads one envelope (detail-type, detail as an object) or one PutEvents entry
// (DetailType, Detail as a string or an object).
func parseEventItem(item json.RawMessage) (types.PutEventsRequestEntry, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(item, &fields); err != nil {
		return types.PutEventsRequestEntry{}, fmt.Errorf("not a JSON object: %w", err)
	}
	if _, ok := fields["detail-type"]; ok {
		var env struct {
			Source       string          `json:"source"`
			DetailType   string          `json:"detail-type"`
			Detail       json.RawMessage `json:"detail"`
			Resources    []string        `json:"resources"`
			Time         string          `json:"time"`
			EventBusName string          `json:"event-bus-name"`
		}
		if err := json.Unmarshal(item, &env); err != nil {
			return types.PutEventsRequestEntry{}, fmt.Errorf("read envelope: %w", err)
		}
		e := types.PutEventsRequestEntry{Source: aws.String(env.Source), DetailType: aws.String(env.DetailType),
			Detail: aws.String(string(env.Detail)), Resources: env.Resources}
		if env.EventBusName != "" {
			e.EventBusName = aws.String(env.EventBusName)
		}
		if env.Time != "" {
			t, err := time.Parse(time.RFC3339, env.Time)
			if err != nil {
				return types.PutEventsRequestEntry{}, fmt.Errorf("envelope time %q is not RFC 3339", env.Time)
			}
			e.Time = &t
		}
		return e, nil
	}
	var entry struct {
		Source       *string         `json:"Source"`
		DetailType   *string         `json:"DetailType"`
		Detail       json.RawMessage `json:"Detail"`
		Resources    []string        `json:"Resources"`
		EventBusName *string         `json:"EventBusName"`
		Time         *string         `json:"Time"`
	}
	if err := json.Unmarshal(item, &entry); err != nil {
		return types.PutEventsRequestEntry{}, fmt.Errorf("read PutEvents entry: %w", err)
	}
	if entry.Source == nil && entry.DetailType == nil && entry.Detail == nil {
		return types.PutEventsRequestEntry{}, errors.New("neither an envelope (source, detail-type, detail) nor a PutEvents entry (Source, DetailType, Detail)")
	}
	e := types.PutEventsRequestEntry{Source: entry.Source, DetailType: entry.DetailType, Resources: entry.Resources, EventBusName: entry.EventBusName}
	if d := bytes.TrimSpace(entry.Detail); len(d) > 0 {
		var s string
		if d[0] == '"' && json.Unmarshal(d, &s) == nil {
			e.Detail = aws.String(s) // the API's form: the detail as a JSON string
		} else {
			e.Detail = aws.String(string(d))
		}
	}
	if entry.Time != nil {
		t, err := time.Parse(time.RFC3339, *entry.Time)
		if err != nil {
			return types.PutEventsRequestEntry{}, fmt.Errorf("entry Time %q is not RFC 3339", *entry.Time)
		}
		e.Time = &t
	}
	return e, nil
}

// newEventsReplayCmd builds `kiln events replay --from T --to T [--rule R]`.
func newEventsReplayCmd() *cobra.Command {
	var endpoint, from, to, rule, bus, name string
	cmd := &cobra.Command{
		Use:   "replay --from T --to T [--rule R]",
		Short: "Replay archived events of a time range to their rules",
		Long: "Replay the events the local stack archived between --from and --to (RFC 3339, or a duration\n" +
			"before now such as -2h) with EventBridge's StartReplay, to every rule on their bus or only to\n" +
			"--rule. Each replayed event carries replay-name. Prints the replays started.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			f, err := parseReplayTime("from", from, now)
			if err == nil {
				var t time.Time
				t, err = parseReplayTime("to", to, now)
				if err == nil {
					err = replayEvents(cmd.Context(), busClient(busEndpoint(endpoint), false), replayArgs{
						from: f, to: t, rule: rule, bus: bus, name: name, now: now}, cmd.OutOrStdout())
				}
			}
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "kiln events replay:", err)
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "EventBridge endpoint (default http://$KILN_ADDR or http://"+defaultLocalAddr+")")
	cmd.Flags().StringVar(&from, "from", "", "start of the range (RFC 3339, or a duration before now such as -2h)")
	cmd.Flags().StringVar(&to, "to", "now", "end of the range, excluded (RFC 3339, now, or a duration before now)")
	cmd.Flags().StringVar(&rule, "rule", "", "replay only to this rule (name or ARN)")
	cmd.Flags().StringVar(&bus, "event-bus-name", "", "replay only events of this bus (default: every bus, or the rule's)")
	cmd.Flags().StringVar(&name, "name", "", "the replay's name (default kiln-replay-<time>)")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

// parseReplayTime reads an RFC 3339 time, "now", or a duration added to now (-2h).
func parseReplayTime(flag, v string, now time.Time) (time.Time, error) {
	if v == "now" {
		return now, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(d), nil
	}
	return time.Time{}, fmt.Errorf("--%s %q is neither an RFC 3339 time, now, nor a duration such as -2h", flag, v)
}

type replayArgs struct {
	from, to        time.Time
	rule, bus, name string
	now             time.Time
}

// replayEvents starts one replay per bus concerned: the rule's bus, the bus asked for, or
// every bus; it prints one line of JSON per replay.
func replayEvents(ctx context.Context, c *eventbridge.Client, a replayArgs, out io.Writer) error {
	if !a.from.Before(a.to) {
		return fmt.Errorf("--from %s is not before --to %s", a.from.Format(time.RFC3339), a.to.Format(time.RFC3339))
	}
	buses, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if err != nil {
		return fmt.Errorf("list event buses: %w", err)
	}
	type target struct{ busName, busARN, ruleARN string }
	var targets []target
	for _, b := range buses.EventBuses {
		name, arn := aws.ToString(b.Name), aws.ToString(b.Arn)
		if a.bus != "" && name != a.bus && arn != a.bus {
			continue
		}
		if a.rule == "" {
			targets = append(targets, target{name, arn, ""})
			continue
		}
		rules, err := c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("list rules of %s: %w", name, err)
		}
		for _, r := range rules.Rules {
			if aws.ToString(r.Name) == a.rule || aws.ToString(r.Arn) == a.rule {
				targets = append(targets, target{name, arn, aws.ToString(r.Arn)})
			}
		}
	}
	if len(targets) == 0 {
		if a.rule != "" {
			return fmt.Errorf("no rule %s on %s", a.rule, orAll(a.bus))
		}
		return fmt.Errorf("no event bus %s", a.bus)
	}
	base := a.name
	if base == "" {
		base = "kiln-replay-" + a.now.UTC().Format("20060102T150405")
	}
	for i, t := range targets {
		name := base
		if len(targets) > 1 {
			name = fmt.Sprintf("%s-%d", base, i+1)
		}
		in := &eventbridge.StartReplayInput{
			ReplayName:     aws.String(name),
			EventSourceArn: aws.String(strings.Replace(t.busARN, ":event-bus/", ":archive/", 1)),
			EventStartTime: aws.Time(a.from),
			EventEndTime:   aws.Time(a.to),
			Destination:    &types.ReplayDestination{Arn: aws.String(t.busARN)},
		}
		if t.ruleARN != "" {
			in.Destination.FilterArns = []string{t.ruleARN}
		}
		res, err := c.StartReplay(ctx, in)
		if err != nil {
			return fmt.Errorf("start replay %s on %s: %w", name, t.busName, err)
		}
		b, _ := json.Marshal(map[string]string{"ReplayName": name, "ReplayArn": aws.ToString(res.ReplayArn),
			"State": string(res.State), "EventBusName": t.busName})
		fmt.Fprintln(out, string(b))
	}
	return nil
}

func orAll(bus string) string {
	if bus == "" {
		return "any event bus"
	}
	return bus
}
