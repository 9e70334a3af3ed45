package sagemaker

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Approval statuses of a model package.
const (
	Approved              = "Approved"
	Rejected              = "Rejected"
	PendingManualApproval = "PendingManualApproval"
)

type packageGroup struct {
	ModelPackageGroupName        string `json:"ModelPackageGroupName"`
	ModelPackageGroupArn         string `json:"ModelPackageGroupArn"`
	ModelPackageGroupDescription string `json:"ModelPackageGroupDescription,omitempty"`
	CreationTime                 *Time  `json:"CreationTime"`
	CreatedBy                    any    `json:"CreatedBy"`
	ModelPackageGroupStatus      string `json:"ModelPackageGroupStatus"`
	// LastVersion is kiln's counter for versions (not part of the AWS shape).
	LastVersion int `json:"-"`
}

type modelPackage struct {
	ModelPackageName           string            `json:"ModelPackageName"`
	ModelPackageGroupName      string            `json:"ModelPackageGroupName"`
	ModelPackageVersion        int               `json:"ModelPackageVersion"`
	ModelPackageArn            string            `json:"ModelPackageArn"`
	ModelPackageDescription    string            `json:"ModelPackageDescription,omitempty"`
	CreationTime               *Time             `json:"CreationTime"`
	InferenceSpecification     json.RawMessage   `json:"InferenceSpecification,omitempty"`
	ModelPackageStatus         string            `json:"ModelPackageStatus"`
	ModelPackageStatusDetails  any               `json:"ModelPackageStatusDetails"`
	CertifyForMarketplace      bool              `json:"CertifyForMarketplace"`
	ModelApprovalStatus        string            `json:"ModelApprovalStatus"`
	CreatedBy                  any               `json:"CreatedBy"`
	MetadataProperties         json.RawMessage   `json:"MetadataProperties,omitempty"`
	ModelMetrics               json.RawMessage   `json:"ModelMetrics,omitempty"`
	LastModifiedTime           *Time             `json:"LastModifiedTime,omitempty"`
	LastModifiedBy             any               `json:"LastModifiedBy,omitempty"`
	ApprovalDescription        string            `json:"ApprovalDescription,omitempty"`
	Domain                     string            `json:"Domain,omitempty"`
	Task                       string            `json:"Task,omitempty"`
	SamplePayloadURL           string            `json:"SamplePayloadUrl,omitempty"`
	CustomerMetadataProperties map[string]string `json:"CustomerMetadataProperties,omitempty"`
	DriftCheckBaselines        json.RawMessage   `json:"DriftCheckBaselines,omitempty"`
}

type inferenceSpecification struct {
	Containers []struct {
		Image        string            `json:"Image"`
		ModelDataURL string            `json:"ModelDataUrl"`
		Environment  map[string]string `json:"Environment"`
	} `json:"Containers"`
	SupportedContentTypes []string `json:"SupportedContentTypes"`
}

func (s *Service) localUser() any {
	return map[string]any{"IamIdentity": map[string]string{
		"Arn":         fmt.Sprintf("arn:aws:iam::%s:user/kiln-local", s.cfg.Account),
		"PrincipalId": "KILNLOCAL",
	}}
}

func (s *Service) saveGroup(g *packageGroup) error {
	type plain packageGroup
	return s.save(bucketGroups, g.ModelPackageGroupName, struct {
		*plain
		LastVersion int `json:"KilnLastVersion"`
	}{(*plain)(g), g.LastVersion})
}

// UnmarshalJSON reads a persisted group record (its version counter included).
func (g *packageGroup) UnmarshalJSON(b []byte) error {
	type plain packageGroup
	rec := struct {
		*plain
		LastVersion int `json:"KilnLastVersion"`
	}{plain: (*plain)(g)}
	if err := json.Unmarshal(b, &rec); err != nil {
		return err
	}
	g.LastVersion = rec.LastVersion
	return nil
}

func (s *Service) opCreateModelPackageGroup(_ context.Context, body []byte) (any, error) {
	var in struct {
		ModelPackageGroupName        string
		ModelPackageGroupDescription string
		Tags                         []map[string]string
	}
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if err := validName("ModelPackageGroupName", in.ModelPackageGroupName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[in.ModelPackageGroupName]; ok {
		return nil, validationf("Model Package Group already exists: %s", s.arn("model-package-group", strings.ToLower(in.ModelPackageGroupName)))
	}
	g := &packageGroup{
		ModelPackageGroupName:        in.ModelPackageGroupName,
		ModelPackageGroupArn:         s.arn("model-package-group", strings.ToLower(in.ModelPackageGroupName)),
		ModelPackageGroupDescription: in.ModelPackageGroupDescription,
		CreationTime:                 newTime(s.now()),
		CreatedBy:                    s.localUser(),
		ModelPackageGroupStatus:      "Completed",
	}
	if err := s.saveGroup(g); err != nil {
		return nil, err
	}
	s.groups[g.ModelPackageGroupName] = g
	return map[string]string{"ModelPackageGroupArn": g.ModelPackageGroupArn}, nil
}

// groupByNameOrARN finds a group by its name or ARN. Callers hold s.mu.
func (s *Service) groupByNameOrARN(v string) *packageGroup {
	if g, ok := s.groups[v]; ok {
		return g
	}
	for _, g := range s.groups {
		if g.ModelPackageGroupArn == v {
			return g
		}
	}
	return nil
}

func (s *Service) opDescribeModelPackageGroup(_ context.Context, body []byte) (any, error) {
	var in struct{ ModelPackageGroupName string }
	if err := decodeRequired(body, &in, "ModelPackageGroupName", &in.ModelPackageGroupName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupByNameOrARN(in.ModelPackageGroupName)
	if g == nil {
		return nil, validationf("ModelPackageGroup %s does not exist.", in.ModelPackageGroupName)
	}
	return cloneJSON(g)
}

func (s *Service) opListModelPackageGroups(_ context.Context, body []byte) (any, error) {
	var in struct {
		NameContains string
		SortBy       string
		SortOrder    string
		MaxResults   int
		NextToken    string
	}
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	list := make([]*packageGroup, 0, len(s.groups))
	for _, g := range s.groups {
		if in.NameContains == "" || strings.Contains(g.ModelPackageGroupName, in.NameContains) {
			list = append(list, g)
		}
	}
	type summary struct {
		ModelPackageGroupName        string
		ModelPackageGroupArn         string
		ModelPackageGroupDescription string `json:",omitempty"`
		CreationTime                 *Time
		ModelPackageGroupStatus      string
	}
	sums, err := summarize(list, orDefault(in.SortBy, "CreationTime"), in.SortOrder, func(g *packageGroup) (string, time.Time) {
		return g.ModelPackageGroupName, g.CreationTime.Time
	}, func(g *packageGroup) summary {
		return summary{g.ModelPackageGroupName, g.ModelPackageGroupArn, g.ModelPackageGroupDescription, g.CreationTime, g.ModelPackageGroupStatus}
	})
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return listPage("ModelPackageGroupSummaryList", sums, in.MaxResults, in.NextToken)
}

type createModelPackageInput struct {
	ModelPackageGroupName      string
	ModelPackageName           string
	ModelPackageDescription    string
	InferenceSpecification     json.RawMessage
	ModelApprovalStatus        string
	MetadataProperties         json.RawMessage
	ModelMetrics               json.RawMessage
	DriftCheckBaselines        json.RawMessage
	CustomerMetadataProperties map[string]string
	CertifyForMarketplace      bool
	Domain                     string
	Task                       string
	SamplePayloadURL           string `json:"SamplePayloadUrl"`
	ClientToken                string
	Tags                       []map[string]string
}

func (s *Service) opCreateModelPackage(_ context.Context, body []byte) (any, error) {
	var in createModelPackageInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if in.ModelPackageGroupName == "" {
		if in.ModelPackageName != "" {
			return nil, validationf("unversioned model packages (ModelPackageName without ModelPackageGroupName) are not supported locally; register into a model package group")
		}
		return nil, validationf("1 validation error detected: ModelPackageGroupName must be specified")
	}
	if in.ModelPackageName != "" {
		return nil, validationf("ModelPackageName and ModelPackageGroupName cannot both be specified")
	}
	switch in.ModelApprovalStatus {
	case "":
		in.ModelApprovalStatus = PendingManualApproval
	case Approved, Rejected, PendingManualApproval:
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'modelApprovalStatus' failed to satisfy constraint: Member must satisfy enum value set: [PendingManualApproval, Approved, Rejected]", in.ModelApprovalStatus)
	}
	if len(in.InferenceSpecification) == 0 {
		return nil, validationf("InferenceSpecification must be specified for a model package in a model package group")
	}
	var spec inferenceSpecification
	if err := json.Unmarshal(in.InferenceSpecification, &spec); err != nil {
		return nil, validationf("InferenceSpecification is not valid: %v", err)
	}
	if len(spec.Containers) == 0 || spec.Containers[0].Image == "" {
		return nil, validationf("InferenceSpecification.Containers must hold at least one container with an Image")
	}
	for i, c := range spec.Containers {
		if err := s.checkEnvironment(fmt.Sprintf("InferenceSpecification.Containers.%d.Environment", i+1), c.Image, c.Environment, 1024); err != nil {
			return nil, err
		}
	}
	if len(in.ModelPackageDescription) > 1024 {
		return nil, validationf("ModelPackageDescription must be at most 1024 characters, got %d", len(in.ModelPackageDescription))
	}
	for _, raw := range []struct {
		name string
		v    json.RawMessage
	}{{"MetadataProperties", in.MetadataProperties}, {"ModelMetrics", in.ModelMetrics}, {"DriftCheckBaselines", in.DriftCheckBaselines}} {
		if len(raw.v) > 0 && raw.v[0] != '{' && string(raw.v) != "null" {
			return nil, validationf("%s must be a structure", raw.name)
		}
	}
	s.mu.Lock()
	g := s.groupByNameOrARN(in.ModelPackageGroupName)
	if g == nil {
		s.mu.Unlock()
		return nil, validationf("Model Package Group %s does not exist: create it with CreateModelPackageGroup first", in.ModelPackageGroupName)
	}
	now := newTime(s.now())
	version := g.LastVersion + 1
	p := &modelPackage{
		ModelPackageName:           g.ModelPackageGroupName,
		ModelPackageGroupName:      g.ModelPackageGroupName,
		ModelPackageVersion:        version,
		ModelPackageArn:            s.arn("model-package", strings.ToLower(g.ModelPackageGroupName)+"/"+strconv.Itoa(version)),
		ModelPackageDescription:    in.ModelPackageDescription,
		CreationTime:               now,
		InferenceSpecification:     in.InferenceSpecification,
		ModelPackageStatus:         "Completed",
		ModelPackageStatusDetails:  map[string]any{"ValidationStatuses": []any{}, "ImageScanStatuses": []any{}},
		CertifyForMarketplace:      in.CertifyForMarketplace,
		ModelApprovalStatus:        in.ModelApprovalStatus,
		CreatedBy:                  s.localUser(),
		MetadataProperties:         nullToNil(in.MetadataProperties),
		ModelMetrics:               nullToNil(in.ModelMetrics),
		LastModifiedTime:           now,
		LastModifiedBy:             s.localUser(),
		Domain:                     in.Domain,
		Task:                       in.Task,
		SamplePayloadURL:           in.SamplePayloadURL,
		CustomerMetadataProperties: in.CustomerMetadataProperties,
		DriftCheckBaselines:        nullToNil(in.DriftCheckBaselines),
	}
	g.LastVersion = version
	if err := s.saveGroup(g); err != nil {
		g.LastVersion--
		s.mu.Unlock()
		return nil, err
	}
	if err := putRecord(s, bucketPackages, s.packages, p.ModelPackageArn, p); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	ev := *p
	s.mu.Unlock()
	s.emitPackage(&ev)
	return map[string]string{"ModelPackageArn": p.ModelPackageArn}, nil
}

func nullToNil(v json.RawMessage) json.RawMessage {
	if string(v) == "null" {
		return nil
	}
	return v
}

// packageByNameOrARN finds a package by ARN, or by "<group>/<version>". Callers hold s.mu.
func (s *Service) packageByNameOrARN(v string) *modelPackage {
	if p, ok := s.packages[v]; ok {
		return p
	}
	lower := strings.ToLower(v)
	for _, p := range s.packages {
		if strings.ToLower(p.ModelPackageArn) == lower || strings.ToLower(p.ModelPackageGroupName+"/"+strconv.Itoa(p.ModelPackageVersion)) == lower {
			return p
		}
	}
	return nil
}

func (s *Service) opDescribeModelPackage(_ context.Context, body []byte) (any, error) {
	var in struct{ ModelPackageName string }
	if err := decodeRequired(body, &in, "ModelPackageName", &in.ModelPackageName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.packageByNameOrARN(in.ModelPackageName)
	if p == nil {
		return nil, validationf("ModelPackage %s does not exist.", in.ModelPackageName)
	}
	return cloneJSON(p)
}

func (s *Service) opListModelPackages(_ context.Context, body []byte) (any, error) {
	var in struct {
		ModelPackageGroupName string
		ModelApprovalStatus   string
		ModelPackageType      string
		NameContains          string
		SortBy                string
		SortOrder             string
		MaxResults            int
		NextToken             string
		CreationTimeAfter     *Time
		CreationTimeBefore    *Time
	}
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	switch in.ModelApprovalStatus {
	case "", Approved, Rejected, PendingManualApproval:
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'modelApprovalStatus' failed to satisfy constraint: Member must satisfy enum value set: [PendingManualApproval, Approved, Rejected]", in.ModelApprovalStatus)
	}
	if in.ModelPackageType == "Unversioned" {
		return map[string]any{"ModelPackageSummaryList": []any{}}, nil
	}
	s.mu.Lock()
	var list []*modelPackage
	for _, p := range s.packages {
		if in.ModelPackageGroupName != "" {
			g := s.groupByNameOrARN(in.ModelPackageGroupName)
			if g == nil || g.ModelPackageGroupName != p.ModelPackageGroupName {
				continue
			}
		}
		if in.ModelApprovalStatus != "" && p.ModelApprovalStatus != in.ModelApprovalStatus {
			continue
		}
		if in.NameContains != "" && !strings.Contains(p.ModelPackageName, in.NameContains) {
			continue
		}
		if !createdBetween(p.CreationTime, in.CreationTimeAfter, in.CreationTimeBefore) {
			continue
		}
		list = append(list, p)
	}
	type summary struct {
		ModelPackageName        string
		ModelPackageGroupName   string
		ModelPackageVersion     int
		ModelPackageArn         string
		ModelPackageDescription string `json:",omitempty"`
		CreationTime            *Time
		ModelPackageStatus      string
		ModelApprovalStatus     string
	}
	sums, err := summarize(list, orDefault(in.SortBy, "CreationTime"), in.SortOrder, func(p *modelPackage) (string, time.Time) {
		return fmt.Sprintf("%s/%09d", p.ModelPackageName, p.ModelPackageVersion), p.CreationTime.Add(time.Duration(p.ModelPackageVersion))
	}, func(p *modelPackage) summary {
		return summary{p.ModelPackageName, p.ModelPackageGroupName, p.ModelPackageVersion, p.ModelPackageArn, p.ModelPackageDescription, p.CreationTime, p.ModelPackageStatus, p.ModelApprovalStatus}
	})
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return listPage("ModelPackageSummaryList", sums, in.MaxResults, in.NextToken)
}

func (s *Service) opUpdateModelPackage(_ context.Context, body []byte) (any, error) {
	var in struct {
		ModelPackageArn                        string
		ModelApprovalStatus                    string
		ApprovalDescription                    *string
		CustomerMetadataProperties             map[string]string
		CustomerMetadataPropertiesToRemove     []string
		ModelPackageDescription                *string
		InferenceSpecification                 json.RawMessage
		AdditionalInferenceSpecificationsToAdd json.RawMessage
	}
	if err := decodeRequired(body, &in, "ModelPackageArn", &in.ModelPackageArn); err != nil {
		return nil, err
	}
	switch in.ModelApprovalStatus {
	case "", Approved, Rejected, PendingManualApproval:
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'modelApprovalStatus' failed to satisfy constraint: Member must satisfy enum value set: [PendingManualApproval, Approved, Rejected]", in.ModelApprovalStatus)
	}
	if in.ApprovalDescription != nil && len(*in.ApprovalDescription) > 1024 {
		return nil, validationf("ApprovalDescription must be at most 1024 characters")
	}
	if len(in.AdditionalInferenceSpecificationsToAdd) > 0 && string(in.AdditionalInferenceSpecificationsToAdd) != "null" {
		return nil, validationf("AdditionalInferenceSpecificationsToAdd is not supported locally")
	}
	s.mu.Lock()
	p := s.packageByNameOrARN(in.ModelPackageArn)
	if p == nil {
		s.mu.Unlock()
		return nil, validationf("ModelPackage %s does not exist.", in.ModelPackageArn)
	}
	next := *p
	if in.ModelApprovalStatus != "" {
		next.ModelApprovalStatus = in.ModelApprovalStatus
	}
	if in.ApprovalDescription != nil {
		next.ApprovalDescription = *in.ApprovalDescription
	}
	if in.ModelPackageDescription != nil {
		next.ModelPackageDescription = *in.ModelPackageDescription
	}
	if len(in.InferenceSpecification) > 0 && string(in.InferenceSpecification) != "null" {
		next.InferenceSpecification = in.InferenceSpecification
	}
	if len(in.CustomerMetadataProperties) > 0 || len(in.CustomerMetadataPropertiesToRemove) > 0 {
		props := map[string]string{}
		for k, v := range p.CustomerMetadataProperties {
			props[k] = v
		}
		for k, v := range in.CustomerMetadataProperties {
			props[k] = v
		}
		for _, k := range in.CustomerMetadataPropertiesToRemove {
			delete(props, k)
		}
		next.CustomerMetadataProperties = props
	}
	next.LastModifiedTime = newTime(s.now())
	next.LastModifiedBy = s.localUser()
	if err := s.save(bucketPackages, next.ModelPackageArn, &next); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	*p = next
	s.mu.Unlock()
	s.emitPackage(&next)
	return map[string]string{"ModelPackageArn": next.ModelPackageArn}, nil
}

// emitPackage puts a "SageMaker Model Package State Change" event (on creation and on
// every update, as SageMaker does). Times are epoch-millisecond strings.
func (s *Service) emitPackage(p *modelPackage) {
	detail := map[string]any{
		"ModelPackageGroupName":     p.ModelPackageGroupName,
		"ModelPackageVersion":       p.ModelPackageVersion,
		"ModelPackageArn":           p.ModelPackageArn,
		"ModelPackageName":          p.ModelPackageName,
		"ModelApprovalStatus":       p.ModelApprovalStatus,
		"ModelPackageStatus":        p.ModelPackageStatus,
		"CreationTime":              epochMillis(p.CreationTime),
		"LastModifiedTime":          epochMillis(p.LastModifiedTime),
		"CertifyForMarketplace":     p.CertifyForMarketplace,
		"CreatedBy":                 p.CreatedBy,
		"LastModifiedBy":            p.LastModifiedBy,
		"ModelPackageStatusDetails": p.ModelPackageStatusDetails,
	}
	for k, v := range map[string]json.RawMessage{
		"InferenceSpecification": p.InferenceSpecification,
		"ModelMetrics":           p.ModelMetrics,
		"MetadataProperties":     p.MetadataProperties,
		"DriftCheckBaselines":    p.DriftCheckBaselines,
	} {
		if len(v) > 0 {
			detail[k] = v
		}
	}
	if p.ModelPackageDescription != "" {
		detail["ModelPackageDescription"] = p.ModelPackageDescription
	}
	if p.CustomerMetadataProperties != nil {
		detail["CustomerMetadataProperties"] = p.CustomerMetadataProperties
	}
	if p.ApprovalDescription != "" {
		detail["ApprovalDescription"] = p.ApprovalDescription
	}
	s.emit("SageMaker Model Package State Change", detail, []string{p.ModelPackageArn})
}
