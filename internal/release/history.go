package release

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/kiln-dev/kiln/internal/topology"
)

// Events of a history Entry.
const (
	// EventDeployed: a release settled on the endpoint (Rollback true when a rollback put it back).
	EventDeployed = "deployed"
	// EventRollback: somebody (or the watch) asked for a rollback; the deployment follows.
	EventRollback = "rollback-requested"
	// EventOutOfService: the endpoint was deleted; nothing served from then on.
	EventOutOfService = "out-of-service"
)

// Entry is one line of a stage's history: a deployment with what it was (package version,
// trigger, commit, approver, deployment strategy) or a change asked for (who and why).
type Entry struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"`
	// Until is when the next deployment (or out-of-service) replaced a deployment; nil while live.
	Until           *time.Time `json:"until,omitempty"`
	Version         int        `json:"version,omitempty"`
	ModelPackageARN string     `json:"modelPackageArn,omitempty"`
	// Trigger, Commit and Approver come from the model package: why its run started, the
	// commit trained, who approved it (and their description).
	Trigger  string `json:"trigger,omitempty"`
	Commit   string `json:"commit,omitempty"`
	Approver string `json:"approver,omitempty"`
	// Strategy is the deployment's traffic shifting (ALL_AT_ONCE, CANARY, LINEAR).
	Strategy     string `json:"strategy,omitempty"`
	ReleaseID    string `json:"releaseId,omitempty"`
	ExecutionARN string `json:"executionArn,omitempty"`
	// Rollback is true for a deployment a rollback made; RequestedBy and Reason then (and for
	// the change events) say who asked and why, FromVersion what it replaced.
	Rollback    bool   `json:"rollback,omitempty"`
	RequestedBy string `json:"requestedBy,omitempty"`
	Reason      string `json:"reason,omitempty"`
	FromVersion int    `json:"fromVersion,omitempty"`
}

// packageFacts is what the registry says of a package, for history lines.
type packageFacts struct{ trigger, commit, approver string }

// Timeline returns the history of model in stage, oldest first: every deployment record
// joined with its package's registry facts, and every change record. It reads through S3
// and SageMaker only (DescribeModelPackage, once per package) and changes nothing.
func (r *Releaser) Timeline(ctx context.Context, model, stage string) ([]Entry, error) {
	if stage != r.Stage {
		return nil, fmt.Errorf("%w: this releaser serves stage %s, not %q", ErrInvalid, r.Stage, stage)
	}
	if _, ok := r.Policy.Model(model); !ok {
		return nil, fmt.Errorf("%w: model %q is not in the policy", ErrInvalid, model)
	}
	hist, err := r.History(ctx, topology.EndpointName(stage, model))
	if err != nil {
		return nil, err
	}
	facts := map[string]packageFacts{}
	requests := map[string]Record{} // rollback requests by release id
	var out []Entry
	for _, rec := range hist {
		e, err := r.entry(ctx, rec, facts, requests)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	closeSpans(out)
	return out, nil
}

// entry turns one record into an Entry, looking its package up once.
func (r *Releaser) entry(ctx context.Context, rec Record, facts map[string]packageFacts, requests map[string]Record) (Entry, error) {
	e := Entry{At: rec.Time().UTC(), ModelPackageARN: rec.ModelPackageARN, Version: versionOf(rec.ModelPackageARN),
		ReleaseID: rec.ReleaseID, ExecutionARN: rec.ExecutionARN, Strategy: rec.Strategy,
		RequestedBy: rec.RequestedBy, Reason: rec.Reason, FromVersion: versionOf(rec.FromPackageARN)}
	switch rec.Kind {
	case KindRollback:
		e.Event = EventRollback
		requests[rec.ReleaseID] = rec
	case KindOutOfService:
		e.Event, e.Version, e.ModelPackageARN = EventOutOfService, 0, ""
	default:
		e.Event = EventDeployed
		if req, ok := requests[rec.ReleaseID]; ok {
			e.Rollback, e.RequestedBy, e.Reason, e.FromVersion = true, req.RequestedBy, req.Reason, versionOf(req.FromPackageARN)
		}
	}
	if e.ModelPackageARN == "" {
		return e, nil
	}
	f, ok := facts[e.ModelPackageARN]
	if !ok {
		var err error
		if f, err = r.packageFacts(ctx, e.ModelPackageARN); err != nil {
			return Entry{}, err
		}
		facts[e.ModelPackageARN] = f
	}
	e.Trigger, e.Commit, e.Approver = f.trigger, f.commit, f.approver
	return e, nil
}

func (r *Releaser) packageFacts(ctx context.Context, arn string) (packageFacts, error) {
	out, err := r.SageMaker.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: aws.String(arn)})
	if err != nil {
		return packageFacts{}, fmt.Errorf("describe model package %s: %w", arn, err)
	}
	f := packageFacts{trigger: out.CustomerMetadataProperties["kiln:trigger"]}
	if out.MetadataProperties != nil {
		f.commit = aws.ToString(out.MetadataProperties.CommitId)
	}
	who := ""
	if u := out.LastModifiedBy; u != nil {
		switch {
		case aws.ToString(u.UserProfileName) != "":
			who = aws.ToString(u.UserProfileName)
		case u.IamIdentity != nil && aws.ToString(u.IamIdentity.Arn) != "":
			a := aws.ToString(u.IamIdentity.Arn)
			who = a[strings.LastIndex(a, "/")+1:]
		}
	}
	desc := aws.ToString(out.ApprovalDescription)
	switch {
	case who != "" && desc != "":
		f.approver = who + ": " + desc
	case who != "":
		f.approver = who
	default:
		f.approver = desc
	}
	return f, nil
}

// closeSpans sets Until on each deployment: the time of the next deployment or out-of-service.
func closeSpans(es []Entry) {
	for i := range es {
		if es[i].Event != EventDeployed {
			continue
		}
		for j := i + 1; j < len(es); j++ {
			if es[j].Event == EventDeployed || es[j].Event == EventOutOfService {
				t := es[j].At
				es[i].Until = &t
				break
			}
		}
	}
}

// ServedAt returns the deployment that served at t (the newest deployment at or before t,
// unless the endpoint was out of service since), nil when nothing did. While a traffic shift
// runs both fleets serve; a deployment counts from when it settled.
func ServedAt(es []Entry, t time.Time) *Entry {
	var live *Entry
	for i := range es {
		if es[i].At.After(t) {
			break
		}
		switch es[i].Event {
		case EventDeployed:
			live = &es[i]
		case EventOutOfService:
			live = nil
		}
	}
	return live
}
