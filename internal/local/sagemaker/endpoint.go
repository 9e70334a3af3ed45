package sagemaker

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/serving"
)

// Endpoint statuses, as DescribeEndpoint reports them.
const (
	EndpointCreating    = "Creating"
	EndpointUpdating    = "Updating"
	EndpointInService   = "InService"
	EndpointRollingBack = "RollingBack"
	EndpointFailed      = "Failed"
	EndpointDeleting    = "Deleting"
	// EndpointSystemUpdating and EndpointUpdateRollbackFailed are statuses SageMaker reports
	// (maintenance; a failed rollback) that the stand-in never enters by itself.
	EndpointSystemUpdating       = "SystemUpdating"
	EndpointUpdateRollbackFailed = "UpdateRollbackFailed"
)

type deployedImage struct {
	SpecifiedImage string `json:"SpecifiedImage"`
	ResolvedImage  string `json:"ResolvedImage"`
	ResolutionTime *Time  `json:"ResolutionTime"`
}

type variantStatus struct {
	Status        string `json:"Status"`
	StatusMessage string `json:"StatusMessage,omitempty"`
	StartTime     *Time  `json:"StartTime,omitempty"`
}

type variantSummary struct {
	VariantName          string          `json:"VariantName"`
	DeployedImages       []deployedImage `json:"DeployedImages,omitempty"`
	CurrentWeight        float64         `json:"CurrentWeight"`
	DesiredWeight        float64         `json:"DesiredWeight"`
	CurrentInstanceCount int             `json:"CurrentInstanceCount"`
	DesiredInstanceCount int             `json:"DesiredInstanceCount"`
	InstanceType         string          `json:"InstanceType,omitempty"`
	VariantStatus        []variantStatus `json:"VariantStatus,omitempty"`
}

type pendingDeploymentSummary struct {
	EndpointConfigName string           `json:"EndpointConfigName"`
	ProductionVariants []variantSummary `json:"ProductionVariants"`
	StartTime          *Time            `json:"StartTime"`
}

type captureSummary struct {
	EnableCapture             bool   `json:"EnableCapture"`
	CaptureStatus             string `json:"CaptureStatus"`
	CurrentSamplingPercentage int    `json:"CurrentSamplingPercentage"`
	DestinationS3Uri          string `json:"DestinationS3Uri"`
}

type capacitySize = serving.Size

type deploymentConfig struct {
	BlueGreenUpdatePolicy *struct {
		TrafficRoutingConfiguration *struct {
			Type                  string        `json:"Type"`
			WaitIntervalInSeconds int           `json:"WaitIntervalInSeconds"`
			CanarySize            *capacitySize `json:"CanarySize,omitempty"`
			LinearStepSize        *capacitySize `json:"LinearStepSize,omitempty"`
		} `json:"TrafficRoutingConfiguration"`
		TerminationWaitInSeconds         int `json:"TerminationWaitInSeconds"`
		MaximumExecutionTimeoutInSeconds int `json:"MaximumExecutionTimeoutInSeconds,omitempty"`
	} `json:"BlueGreenUpdatePolicy,omitempty"`
	RollingUpdatePolicy       json.RawMessage `json:"RollingUpdatePolicy,omitempty"`
	AutoRollbackConfiguration *struct {
		Alarms []struct {
			AlarmName string `json:"AlarmName"`
		} `json:"Alarms"`
	} `json:"AutoRollbackConfiguration,omitempty"`
}

// endpointDesc is the DescribeEndpoint shape.
type endpointDesc struct {
	EndpointName             string                    `json:"EndpointName"`
	EndpointArn              string                    `json:"EndpointArn"`
	EndpointConfigName       string                    `json:"EndpointConfigName"`
	ProductionVariants       []variantSummary          `json:"ProductionVariants,omitempty"`
	DataCaptureConfig        *captureSummary           `json:"DataCaptureConfig,omitempty"`
	EndpointStatus           string                    `json:"EndpointStatus"`
	FailureReason            string                    `json:"FailureReason,omitempty"`
	CreationTime             *Time                     `json:"CreationTime"`
	LastModifiedTime         *Time                     `json:"LastModifiedTime"`
	LastDeploymentConfig     *deploymentConfig         `json:"LastDeploymentConfig,omitempty"`
	PendingDeploymentSummary *pendingDeploymentSummary `json:"PendingDeploymentSummary,omitempty"`
}

// endpointRecord is the persisted endpoint: its description plus kiln's deployment state.
type endpointRecord struct {
	endpointDesc
	// Target is the config an update is deploying.
	Target string `json:"KilnTargetConfig,omitempty"`
	// Deployment is the update's DeploymentConfig.
	Deployment *deploymentConfig `json:"KilnDeploymentConfig,omitempty"`
	// History is every deployment step, oldest first.
	History []DeploymentStep `json:"KilnHistory,omitempty"`
}

// DeploymentStep is one step of an endpoint's deployments: traffic moved, a phase began or
// ended. NewShare is the fraction of traffic on the fleet of ToConfig.
type DeploymentStep struct {
	Time       time.Time       `json:"time"`
	Phase      string          `json:"phase"`
	FromConfig string          `json:"fromConfig,omitempty"`
	ToConfig   string          `json:"toConfig"`
	NewShare   float64         `json:"newShare"`
	Weights    []VariantWeight `json:"weights"`
	Message    string          `json:"message,omitempty"`
}

// Deployment phases recorded in DeploymentStep.Phase.
const (
	PhaseCreating    = "Creating"
	PhaseInService   = "InService"
	PhaseStartingNew = "StartingNewFleet"
	PhaseShifting    = "ShiftingTraffic"
	PhaseBaking      = "Baking"
	PhaseCompleted   = "Completed"
	PhaseRollingBack = "RollingBack"
	PhaseRolledBack  = "RolledBack"
	PhaseFailed      = "Failed"
	PhaseRestarted   = "Restarted"
	PhaseDeleted     = "Deleted"
)

// DeploymentHistory returns a copy of every deployment step of the endpoint, oldest first,
// or a ValidationException when the endpoint does not exist.
func (s *Service) DeploymentHistory(endpoint string) ([]DeploymentStep, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[endpoint]
	if !ok {
		return nil, validationf("Could not find endpoint %q.", endpoint)
	}
	out := make([]DeploymentStep, len(e.History))
	copy(out, e.History)
	return out, nil
}

func (s *Service) opCreateEndpoint(_ context.Context, body []byte) (any, error) {
	var in struct {
		EndpointName       string
		EndpointConfigName string
		DeploymentConfig   *deploymentConfig
		Tags               []map[string]string
	}
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if err := validateEndpointInput(in.EndpointName, in.EndpointConfigName, in.DeploymentConfig); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errShuttingDown()
	}
	cfg, ok := s.configs[in.EndpointConfigName]
	if !ok {
		return nil, validationf("Could not find endpoint configuration %q.", s.arn("endpoint-config", strings.ToLower(in.EndpointConfigName)))
	}
	if _, dup := s.endpoints[in.EndpointName]; dup {
		return nil, validationf("Cannot create already existing endpoint %q.", s.arn("endpoint", strings.ToLower(in.EndpointName)))
	}
	now := newTime(s.now())
	e := &endpointRecord{endpointDesc: endpointDesc{
		EndpointName:         in.EndpointName,
		EndpointArn:          s.arn("endpoint", strings.ToLower(in.EndpointName)),
		EndpointConfigName:   cfg.EndpointConfigName,
		EndpointStatus:       EndpointCreating,
		CreationTime:         now,
		LastModifiedTime:     now,
		LastDeploymentConfig: in.DeploymentConfig,
	}}
	e.ProductionVariants = s.variantSummaries(cfg, 0, "Creating")
	e.DataCaptureConfig = captureSummaryOf(cfg.DataCaptureConfig)
	e.History = append(e.History, DeploymentStep{Time: now.Time, Phase: PhaseCreating, ToConfig: cfg.EndpointConfigName, Message: "creating the endpoint's fleet"})
	if err := putRecord(s, bucketEndpoints, s.endpoints, e.EndpointName, e); err != nil {
		return nil, err
	}
	live := newEndpointLive(e.EndpointName)
	s.setRuntime(e.EndpointName, live)
	s.emitEndpoint(e)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.bringUp(live, cfg.EndpointConfigName, false)
	}()
	return map[string]string{"EndpointArn": e.EndpointArn}, nil
}

// bringUp starts the fleet of config on a Creating (or restarting) endpoint and marks it
// InService, or Failed with the reason.
func (s *Service) bringUp(live *endpointLive, config string, restart bool) {
	f, err := s.startFleet(live.Context(), live.Name(), config)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[live.Name()]
	if !ok || live.Context().Err() != nil {
		if f != nil {
			go f.Stop()
		}
		return
	}
	now := newTime(s.now())
	if err != nil {
		e.EndpointStatus = EndpointFailed
		e.FailureReason = truncate(err.Error(), 1024)
		e.LastModifiedTime = now
		e.History = append(e.History, DeploymentStep{Time: now.Time, Phase: PhaseFailed, ToConfig: config, Message: e.FailureReason})
		s.mustSave(bucketEndpoints, e.EndpointName, e)
		s.emitEndpoint(e)
		s.log.Warn("endpoint failed", "endpoint", e.EndpointName, "reason", e.FailureReason)
		return
	}
	if !live.Install(f, false) {
		go f.Stop()
		return
	}
	cfg := s.configs[config]
	e.EndpointStatus = EndpointInService
	if !restart {
		// A restart keeps the reason of the last failed or interrupted update, as
		// DescribeEndpoint keeps it until the next update.
		e.FailureReason = ""
	}
	e.LastModifiedTime = now
	e.ProductionVariants = s.variantSummaries(cfg, 1, "")
	phase := PhaseInService
	msg := "the endpoint's fleet answers /ping"
	if restart {
		phase, msg = PhaseRestarted, "kiln local restarted: the serving processes were started again"
	}
	e.History = append(e.History, DeploymentStep{Time: now.Time, Phase: phase, ToConfig: config, NewShare: 1, Weights: fleetWeights(f, 1), Message: msg})
	s.mustSave(bucketEndpoints, e.EndpointName, e)
	if !restart {
		s.emitEndpoint(e)
	}
	s.log.Info("endpoint in service", "endpoint", e.EndpointName, "config", config)
}

func (s *Service) opUpdateEndpoint(_ context.Context, body []byte) (any, error) {
	var in struct {
		EndpointName                     string
		EndpointConfigName               string
		DeploymentConfig                 *deploymentConfig
		RetainAllVariantProperties       bool
		RetainDeploymentConfig           bool
		ExcludeRetainedVariantProperties json.RawMessage
	}
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if err := validateEndpointInput(in.EndpointName, in.EndpointConfigName, in.DeploymentConfig); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errShuttingDown()
	}
	e, ok := s.endpoints[in.EndpointName]
	if !ok {
		return nil, validationf("Could not find endpoint %q.", s.arn("endpoint", strings.ToLower(in.EndpointName)))
	}
	cfg, ok := s.configs[in.EndpointConfigName]
	if !ok {
		return nil, validationf("Could not find endpoint configuration %q.", s.arn("endpoint-config", strings.ToLower(in.EndpointConfigName)))
	}
	switch e.EndpointStatus {
	case EndpointInService:
	case EndpointFailed:
		return nil, validationf("Cannot update endpoint %q: it is Failed (%s); delete it and create it again.", e.EndpointArn, e.FailureReason)
	default:
		return nil, validationf("Cannot update in-progress endpoint %q (status %s).", e.EndpointArn, e.EndpointStatus)
	}
	if cfg.EndpointConfigName == e.EndpointConfigName {
		return nil, validationf("Endpoint %s is already running endpoint config %s: create a new endpoint config to update it", e.EndpointName, cfg.EndpointConfigName)
	}
	dc := in.DeploymentConfig
	if dc == nil && in.RetainDeploymentConfig {
		dc = e.LastDeploymentConfig
	}
	if err := checkRoutingFits(dc, cfg); err != nil {
		return nil, err
	}
	old := s.configs[e.EndpointConfigName]
	if dc != nil && old != nil {
		oldNames := map[string]bool{}
		for _, v := range old.ProductionVariants {
			oldNames[v.VariantName] = true
		}
		for _, v := range cfg.ProductionVariants {
			if !oldNames[v.VariantName] {
				return nil, validationf("a deployment with DeploymentConfig must keep the variant names: %s is not a variant of the current config %s", v.VariantName, old.EndpointConfigName)
			}
		}
	}
	live := s.runtime(e.EndpointName)
	if live == nil {
		return nil, validationf("Cannot update endpoint %q: its fleet is not running", e.EndpointArn)
	}
	now := newTime(s.now())
	e.EndpointStatus = EndpointUpdating
	e.FailureReason = ""
	e.LastModifiedTime = now
	e.Target = cfg.EndpointConfigName
	e.Deployment = dc
	e.PendingDeploymentSummary = &pendingDeploymentSummary{
		EndpointConfigName: cfg.EndpointConfigName,
		ProductionVariants: s.variantSummaries(cfg, 0, "Creating"),
		StartTime:          now,
	}
	e.History = append(e.History, DeploymentStep{Time: now.Time, Phase: PhaseStartingNew, FromConfig: e.EndpointConfigName, ToConfig: cfg.EndpointConfigName, Weights: fleetWeights(live.Current(), 1), Message: "starting the new fleet"})
	if err := s.save(bucketEndpoints, e.EndpointName, e); err != nil {
		return nil, err
	}
	s.emitEndpoint(e)
	s.emitDeployment(e)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.deploy(live, e.EndpointConfigName, cfg.EndpointConfigName, dc)
	}()
	return map[string]string{"EndpointArn": e.EndpointArn}, nil
}

// validateEndpointInput checks the input CreateEndpoint and UpdateEndpoint share: the
// endpoint's and the config's names, and the DeploymentConfig when there is one.
func validateEndpointInput(endpoint, config string, dc *deploymentConfig) error {
	if err := validName("EndpointName", endpoint); err != nil {
		return err
	}
	if err := validName("EndpointConfigName", config); err != nil {
		return err
	}
	if dc != nil {
		return validateDeploymentConfig(dc)
	}
	return nil
}

func validateDeploymentConfig(dc *deploymentConfig) error {
	if len(dc.RollingUpdatePolicy) > 0 && string(dc.RollingUpdatePolicy) != "null" {
		return validationf("DeploymentConfig.RollingUpdatePolicy is not supported locally; use BlueGreenUpdatePolicy")
	}
	if bg := dc.BlueGreenUpdatePolicy; bg != nil {
		if bg.TerminationWaitInSeconds < 0 || bg.TerminationWaitInSeconds > 3600 {
			return validationf("BlueGreenUpdatePolicy.TerminationWaitInSeconds must be between 0 and 3600, got %d", bg.TerminationWaitInSeconds)
		}
		if t := bg.MaximumExecutionTimeoutInSeconds; t != 0 && (t < 600 || t > 28800) {
			return validationf("BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds must be between 600 and 28800, got %d", t)
		}
		tr := bg.TrafficRoutingConfiguration
		if tr == nil {
			return validationf("BlueGreenUpdatePolicy.TrafficRoutingConfiguration must be specified")
		}
		if tr.WaitIntervalInSeconds < 0 || tr.WaitIntervalInSeconds > 3600 {
			return validationf("TrafficRoutingConfiguration.WaitIntervalInSeconds must be between 0 and 3600, got %d", tr.WaitIntervalInSeconds)
		}
		checkSize := func(field string, c *capacitySize, lo, hi float64) error {
			if c == nil {
				return validationf("TrafficRoutingConfiguration.%s must be specified for %s", field, tr.Type)
			}
			switch c.Type {
			case "CAPACITY_PERCENT":
				if c.Value < lo || c.Value > hi {
					return validationf("TrafficRoutingConfiguration.%s of CAPACITY_PERCENT must be between %g and %g, got %g", field, lo, hi, c.Value)
				}
			case "INSTANCE_COUNT":
				if c.Value < 1 {
					return validationf("TrafficRoutingConfiguration.%s of INSTANCE_COUNT must be at least 1, got %g", field, c.Value)
				}
			default:
				return validationf("TrafficRoutingConfiguration.%s.Type must be INSTANCE_COUNT or CAPACITY_PERCENT, got %q", field, c.Type)
			}
			return nil
		}
		switch tr.Type {
		case "ALL_AT_ONCE":
		case "CANARY":
			if err := checkSize("CanarySize", tr.CanarySize, 1, 50); err != nil {
				return err
			}
		case "LINEAR":
			if err := checkSize("LinearStepSize", tr.LinearStepSize, 10, 50); err != nil {
				return err
			}
		default:
			return validationf("1 validation error detected: Value '%s' at 'deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [ALL_AT_ONCE, CANARY, LINEAR]", tr.Type)
		}
	}
	if ar := dc.AutoRollbackConfiguration; ar != nil {
		if len(ar.Alarms) < 1 || len(ar.Alarms) > 10 {
			return validationf("AutoRollbackConfiguration.Alarms must hold 1 to 10 alarms, got %d", len(ar.Alarms))
		}
		for i, a := range ar.Alarms {
			if strings.TrimSpace(a.AlarmName) == "" {
				return validationf("AutoRollbackConfiguration.Alarms.%d.AlarmName must not be empty", i+1)
			}
		}
	}
	return nil
}

func (s *Service) opDescribeEndpoint(_ context.Context, body []byte) (any, error) {
	var in struct{ EndpointName string }
	if err := decodeRequired(body, &in, "EndpointName", &in.EndpointName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[in.EndpointName]
	if !ok {
		return nil, validationf("Could not find endpoint %q.", s.arn("endpoint", strings.ToLower(in.EndpointName)))
	}
	return cloneJSON(e.endpointDesc)
}

func (s *Service) opListEndpoints(_ context.Context, body []byte) (any, error) {
	var in struct {
		NameContains string
		StatusEquals string
		SortBy       string
		SortOrder    string
		MaxResults   int
		NextToken    string
	}
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var list []*endpointRecord
	for _, e := range s.endpoints {
		if in.NameContains != "" && !strings.Contains(e.EndpointName, in.NameContains) {
			continue
		}
		if in.StatusEquals != "" && e.EndpointStatus != in.StatusEquals {
			continue
		}
		list = append(list, e)
	}
	type summary struct {
		EndpointName     string
		EndpointArn      string
		CreationTime     *Time
		LastModifiedTime *Time
		EndpointStatus   string
	}
	sums, err := summarize(list, orDefault(in.SortBy, "CreationTime"), in.SortOrder, func(e *endpointRecord) (string, time.Time) {
		return e.EndpointName, e.CreationTime.Time
	}, func(e *endpointRecord) summary {
		return summary{e.EndpointName, e.EndpointArn, e.CreationTime, e.LastModifiedTime, e.EndpointStatus}
	})
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return listPage("Endpoints", sums, in.MaxResults, in.NextToken)
}

func (s *Service) opDeleteEndpoint(_ context.Context, body []byte) (any, error) {
	var in struct{ EndpointName string }
	if err := decodeRequired(body, &in, "EndpointName", &in.EndpointName); err != nil {
		return nil, err
	}
	live, err := s.deleteEndpointRecord(in.EndpointName)
	if err != nil {
		return nil, err
	}
	if live != nil {
		live.Cancel()
		go func() {
			defer s.wg.Done()
			live.StopAll()
		}()
	}
	return struct{}{}, nil
}

// deleteEndpointRecord removes the endpoint's record and running state and returns the
// latter; when there is one, it has counted the goroutine that stops it in s.wg, under the
// lock and only while the service is open, so Close waits for it.
func (s *Service) deleteEndpointRecord(name string) (*endpointLive, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errShuttingDown()
	}
	e, ok := s.endpoints[name]
	if !ok {
		return nil, validationf("Could not find endpoint %q.", s.arn("endpoint", strings.ToLower(name)))
	}
	if err := s.remove(bucketEndpoints, e.EndpointName); err != nil {
		return nil, err
	}
	delete(s.endpoints, e.EndpointName)
	live := s.runtime(e.EndpointName)
	s.setRuntime(e.EndpointName, nil)
	e.EndpointStatus = EndpointDeleting
	e.LastModifiedTime = newTime(s.now())
	s.emitEndpoint(e)
	if live != nil {
		s.wg.Add(1)
	}
	return live, nil
}

// variantSummaries describes cfg's variants with every weight scaled by share. Callers
// hold s.mu.
func (s *Service) variantSummaries(cfg *endpointConfig, share float64, status string) []variantSummary {
	out := make([]variantSummary, 0, len(cfg.ProductionVariants))
	now := newTime(s.now())
	for _, v := range cfg.ProductionVariants {
		image, _, _, _ := s.servingContainer(v.ModelName)
		w := 1.0
		if v.InitialVariantWeight != nil {
			w = *v.InitialVariantWeight
		}
		vs := variantSummary{
			VariantName:          v.VariantName,
			DeployedImages:       []deployedImage{{SpecifiedImage: image, ResolvedImage: image, ResolutionTime: now}},
			CurrentWeight:        w * share,
			DesiredWeight:        w,
			CurrentInstanceCount: v.InitialInstanceCount,
			DesiredInstanceCount: v.InitialInstanceCount,
			InstanceType:         v.InstanceType,
		}
		if share == 0 {
			vs.CurrentInstanceCount = 0
		}
		if status != "" {
			vs.VariantStatus = []variantStatus{{Status: status, StartTime: now}}
		}
		out = append(out, vs)
	}
	return out
}

func captureSummaryOf(d *dataCaptureConfig) *captureSummary {
	if d == nil {
		return nil
	}
	status := "Stopped"
	if d.Enabled() {
		status = "Started"
	}
	return &captureSummary{EnableCapture: d.Enabled(), CaptureStatus: status, CurrentSamplingPercentage: d.InitialSamplingPercentage, DestinationS3Uri: d.DestinationS3Uri}
}

// eventStatus renders a DescribeEndpoint status in the events' style (IN_SERVICE).
func eventStatus(status string) string {
	var b strings.Builder
	for i, r := range status {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

// emitEndpoint puts a "SageMaker Endpoint State Change" event. Callers hold s.mu.
func (s *Service) emitEndpoint(e *endpointRecord) {
	detail := map[string]any{
		"EndpointName":       e.EndpointName,
		"EndpointArn":        e.EndpointArn,
		"EndpointConfigName": e.EndpointConfigName,
		"EndpointStatus":     eventStatus(e.EndpointStatus),
		"CreationTime":       epochMillis(e.CreationTime),
		"LastModifiedTime":   epochMillis(e.LastModifiedTime),
		"ProductionVariants": e.ProductionVariants,
		"Tags":               map[string]string{},
	}
	if e.FailureReason != "" {
		detail["FailureReason"] = e.FailureReason
	}
	s.emit("SageMaker Endpoint State Change", detail, []string{e.EndpointArn})
}

// emitDeployment puts a "SageMaker Endpoint Deployment State Change" event. Callers hold
// s.mu.
func (s *Service) emitDeployment(e *endpointRecord) {
	detail := map[string]any{
		"EndpointName":       e.EndpointName,
		"EndpointArn":        e.EndpointArn,
		"EndpointConfigName": e.EndpointConfigName,
		"EndpointStatus":     eventStatus(e.EndpointStatus),
		"LastModifiedTime":   epochMillis(e.LastModifiedTime),
	}
	if p := e.PendingDeploymentSummary; p != nil {
		b, _ := json.Marshal(p)
		detail["PendingDeploymentSummary"] = json.RawMessage(b)
	}
	if e.FailureReason != "" {
		detail["FailureReason"] = e.FailureReason
	}
	s.emit("SageMaker Endpoint Deployment State Change", detail, []string{e.EndpointArn})
}
