package console

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// maxVersions bounds how many versions of one group the models page shows.
const maxVersions = 50

// ModelGroup is one model package group with its versions, newest first.
type ModelGroup struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Versions    []ModelVersion `json:"versions"`
}

// ModelVersion is one model package as the models page shows it.
type ModelVersion struct {
	ARN      string    `json:"arn"`
	Version  int32     `json:"version"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified,omitzero"`
	// Who and Why are the last approval change's author and description.
	Who string `json:"who,omitempty"`
	Why string `json:"why,omitempty"`
	// Metric names the gate's metric; Value, Threshold, Champion, Delta and RelativeDelta
	// are the evaluation's figures as recorded (text, "none" when there was no champion).
	Metric        string `json:"metric,omitempty"`
	Value         string `json:"value,omitempty"`
	Threshold     string `json:"threshold,omitempty"`
	Champion      string `json:"champion,omitempty"`
	ChampionValue string `json:"championValue,omitempty"`
	Delta         string `json:"delta,omitempty"`
	RelativeDelta string `json:"relativeDelta,omitempty"`
	// Lineage: the commit and repository, the training data, the training job and the
	// execution that produced the version.
	Commit      string `json:"commit,omitempty"`
	Repository  string `json:"repository,omitempty"`
	Data        string `json:"data,omitempty"`
	TrainingJob string `json:"trainingJob,omitempty"`
	Execution   string `json:"execution,omitempty"`
	Trigger     string `json:"trigger,omitempty"`
	// Metadata is every customer metadata property, for what the fields above do not name.
	Metadata map[string]string `json:"metadata,omitempty"`
}

func (h *Handler) listModels(r *http.Request) (any, error) {
	ctx := r.Context()
	groups := []ModelGroup{}
	gp := sagemaker.NewListModelPackageGroupsPaginator(h.SageMaker, &sagemaker.ListModelPackageGroupsInput{})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list model package groups: %w", err)
		}
		for _, g := range page.ModelPackageGroupSummaryList {
			mg := ModelGroup{Name: aws.ToString(g.ModelPackageGroupName), Description: aws.ToString(g.ModelPackageGroupDescription), Versions: []ModelVersion{}}
			l, err := h.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{ModelPackageGroupName: g.ModelPackageGroupName,
				SortBy: smtypes.ModelPackageSortByCreationTime, SortOrder: smtypes.SortOrderDescending, MaxResults: aws.Int32(maxVersions)})
			if err != nil {
				return nil, fmt.Errorf("list model packages of %s: %w", mg.Name, err)
			}
			for _, s := range l.ModelPackageSummaryList {
				d, err := h.SageMaker.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: s.ModelPackageArn})
				if err != nil {
					return nil, fmt.Errorf("describe model package %s: %w", aws.ToString(s.ModelPackageArn), err)
				}
				mg.Versions = append(mg.Versions, version(d))
			}
			sort.SliceStable(mg.Versions, func(i, j int) bool { return mg.Versions[i].Version > mg.Versions[j].Version })
			groups = append(groups, mg)
		}
	}
	return map[string]any{"groups": groups}, nil
}

// version shapes a DescribeModelPackage answer for the page.
func version(d *sagemaker.DescribeModelPackageOutput) ModelVersion {
	md := d.CustomerMetadataProperties
	v := ModelVersion{ARN: aws.ToString(d.ModelPackageArn), Version: aws.ToInt32(d.ModelPackageVersion),
		Status: string(d.ModelApprovalStatus), Created: aws.ToTime(d.CreationTime), Modified: aws.ToTime(d.LastModifiedTime),
		Why: aws.ToString(d.ApprovalDescription), Metadata: md,
		Metric: md["kiln:metric"], Threshold: md["kiln:threshold"], Champion: md["kiln:champion"], ChampionValue: md["kiln:championValue"],
		Delta: md["kiln:delta"], RelativeDelta: md["kiln:relativeDelta"], TrainingJob: md["kiln:trainingJob"], Trigger: md["kiln:trigger"],
		Execution: md["kiln:execution"], Data: md["kiln:data"]}
	v.Value = metricValue(v.Metric, md)
	if u := d.LastModifiedBy; u != nil {
		v.Who = firstNonEmpty(aws.ToString(u.UserProfileName), aws.ToString(u.UserProfileArn))
	}
	if p := d.MetadataProperties; p != nil {
		v.Commit, v.Repository = aws.ToString(p.CommitId), aws.ToString(p.Repository)
		if v.Execution == "" && strings.Contains(aws.ToString(p.GeneratedBy), ":execution:") {
			v.Execution = aws.ToString(p.GeneratedBy)
		}
	}
	return v
}

// metricValue finds the gate metric's recorded value: the evaluation stores it under
// kiln:<short name>, the short name being one segment of the metric's path
// ("regression_metrics.mse.value" → kiln:mse).
func metricValue(metric string, md map[string]string) string {
	for _, seg := range strings.FieldsFunc(metric, func(r rune) bool { return r == '.' || r == ':' || r == '/' }) {
		switch seg {
		case "metric", "threshold", "champion", "championValue", "delta", "relativeDelta", "trainingJob", "trigger", "model", "stage":
			continue
		}
		if v, ok := md["kiln:"+seg]; ok {
			return v
		}
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// ApprovalRequest is the body of POST /console/api/approval.
type ApprovalRequest struct {
	ARN    string `json:"arn"`
	Status string `json:"status"`
	Reason string `json:"reason"`
	// Who names the person approving; it is recorded in the approval description.
	Who string `json:"who"`
}

// approve changes a version's approval status through UpdateModelPackage, the registry
// update a person makes in SageMaker's console: the state change event then reaches the
// approval function, which resumes or ends the waiting pipeline.
func (h *Handler) approve(r *http.Request) (any, error) {
	var in ApprovalRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return nil, badRequest("read the approval: %v", err)
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("the approval is not a JSON object with arn, status and reason: %v", err)
	}
	status := smtypes.ModelApprovalStatus(in.Status)
	switch status {
	case smtypes.ModelApprovalStatusApproved, smtypes.ModelApprovalStatusRejected:
	default:
		return nil, badRequest("status must be Approved or Rejected, not %q", in.Status)
	}
	if !strings.Contains(in.ARN, ":model-package/") {
		return nil, badRequest("arn %q is not a model package ARN", in.ARN)
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return nil, badRequest("a reason is required to %s a model", strings.ToLower(strings.TrimSuffix(in.Status, "d")))
	}
	if who := strings.TrimSpace(in.Who); who != "" {
		reason = who + ": " + reason
	}
	if len(reason) > 1024 {
		return nil, badRequest("the reason is %d characters; the registry keeps at most 1024", len(reason))
	}
	_, err = h.SageMaker.UpdateModelPackage(r.Context(), &sagemaker.UpdateModelPackageInput{
		ModelPackageArn: aws.String(in.ARN), ModelApprovalStatus: status, ApprovalDescription: aws.String(reason)})
	if err != nil {
		return nil, fmt.Errorf("update model package %s to %s: %w", in.ARN, status, err)
	}
	return map[string]string{"arn": in.ARN, "status": string(status), "reason": reason}, nil
}
