package approval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Event source and detail type of a model package state change.
const (
	Source     = "aws.sagemaker"
	DetailType = "SageMaker Model Package State Change"
)

// Model approval statuses.
const (
	StatusApproved = "Approved"
	StatusRejected = "Rejected"
	StatusPending  = "PendingManualApproval"
)

// ModelPackageStateChange is the detail of a "SageMaker Model Package State Change" event.
// SageMaker sends one on creation and on every update, possibly several per change.
type ModelPackageStateChange struct {
	ModelPackageGroupName      string            `json:"ModelPackageGroupName"`
	ModelPackageVersion        int               `json:"ModelPackageVersion"`
	ModelPackageArn            string            `json:"ModelPackageArn"`
	ModelPackageName           string            `json:"ModelPackageName"`
	ModelPackageDescription    string            `json:"ModelPackageDescription,omitempty"`
	ModelApprovalStatus        string            `json:"ModelApprovalStatus"`
	ModelPackageStatus         string            `json:"ModelPackageStatus"`
	ApprovalDescription        string            `json:"ApprovalDescription,omitempty"`
	CreationTime               Time              `json:"CreationTime"`
	LastModifiedTime           Time              `json:"LastModifiedTime"`
	LastModifiedBy             UserContext       `json:"LastModifiedBy"`
	CreatedBy                  UserContext       `json:"CreatedBy"`
	InferenceSpecification     json.RawMessage   `json:"InferenceSpecification,omitempty"`
	ModelMetrics               json.RawMessage   `json:"ModelMetrics,omitempty"`
	MetadataProperties         Metadata          `json:"MetadataProperties"`
	CustomerMetadataProperties map[string]string `json:"CustomerMetadataProperties,omitempty"`
}

// UserContext says who changed the package: a Studio user profile or an IAM identity.
type UserContext struct {
	UserProfileName string `json:"UserProfileName,omitempty"`
	IamIdentity     struct {
		Arn string `json:"Arn,omitempty"`
	} `json:"IamIdentity"`
}

// Name returns the user profile, else the IAM identity's ARN, else "unknown".
func (u UserContext) Name() string {
	switch {
	case u.UserProfileName != "":
		return u.UserProfileName
	case u.IamIdentity.Arn != "":
		return u.IamIdentity.Arn
	}
	return "unknown"
}

// Metadata is the package's MetadataProperties; GeneratedBy is the pipeline execution.
type Metadata struct {
	CommitID    string `json:"CommitId,omitempty"`
	Repository  string `json:"Repository,omitempty"`
	GeneratedBy string `json:"GeneratedBy,omitempty"`
	ProjectID   string `json:"ProjectId,omitempty"`
}

// Time is an event timestamp, which SageMaker writes as an RFC 3339 string or as epoch
// milliseconds (a number or a string of digits); zero when absent.
type Time struct{ time.Time }

// UnmarshalJSON accepts an RFC 3339 string, epoch milliseconds as a number or string, or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" || len(b) == 0 {
		*t = Time{}
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		t.Time = time.UnixMilli(ms).UTC()
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-:") {
		t.Time = time.UnixMilli(int64(f)).UTC()
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time %s is neither RFC 3339 nor epoch milliseconds", b)
	}
	t.Time = v.UTC()
	return nil
}

// MarshalJSON writes RFC 3339 (UTC, milliseconds), or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
}
