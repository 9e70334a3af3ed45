package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Limits of the endpoints page: the deploy executions shown per endpoint and the window of
// drift data drawn (the drift job publishes one point per window).
const (
	maxDeployments = 10
	driftWindow    = 24 * time.Hour
	driftPeriod    = 300
)

// driftNamespace and driftPrefix are Model Monitor's data-quality metrics, the ones kiln's
// drift job publishes too (topology.DriftMetricNamespace, topology.DriftMetric).
const (
	driftNamespace = "aws/sagemaker/Endpoints/data-metrics"
	driftPrefix    = "feature_baseline_drift_"
)

// Endpoint is one endpoint as the endpoints page shows it.
type Endpoint struct {
	Name     string    `json:"name"`
	Status   string    `json:"status"`
	Config   string    `json:"config"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
	Failure  string    `json:"failure,omitempty"`
	// Variants is the live traffic split: the serving config's variants and, during a
	// blue/green update, the new config's.
	Variants []Variant `json:"variants"`
	// Deployments are the deploy workflow's executions for this endpoint, newest first.
	Deployments []Deployment `json:"deployments"`
	// Drift is each feature's drift metric against its alarm's threshold.
	Drift []FeatureDrift `json:"drift"`
	// Alarms are the endpoint's other alarms (rollback) with their state.
	Alarms []AlarmState `json:"alarms"`
}

// Variant is one production variant's share of the traffic.
type Variant struct {
	Name          string  `json:"name"`
	Config        string  `json:"config"`
	Pending       bool    `json:"pending"`
	CurrentWeight float64 `json:"currentWeight"`
	DesiredWeight float64 `json:"desiredWeight"`
	Instances     int32   `json:"instances"`
	Status        string  `json:"status,omitempty"`
}

// Deployment is one deploy execution and its phases.
type Deployment struct {
	Execution string     `json:"execution"`
	Name      string     `json:"name"`
	Status    string     `json:"status"`
	Start     time.Time  `json:"start"`
	Stop      *time.Time `json:"stop,omitempty"`
	Phases    []Phase    `json:"phases"`
}

// Phase is a deploy workflow state and when it was first entered.
type Phase struct {
	State string    `json:"state"`
	At    time.Time `json:"at"`
	Count int       `json:"count"`
}

// FeatureDrift is one feature's drift series and its alarm.
type FeatureDrift struct {
	Feature   string       `json:"feature"`
	Alarm     string       `json:"alarm"`
	State     string       `json:"state"`
	Threshold float64      `json:"threshold"`
	Points    []DriftPoint `json:"points"`
}

// DriftPoint is one published drift value.
type DriftPoint struct {
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
}

// AlarmState is an alarm's name, metric and state.
type AlarmState struct {
	Name      string  `json:"name"`
	Metric    string  `json:"metric"`
	State     string  `json:"state"`
	Threshold float64 `json:"threshold"`
}

func (h *Handler) listEndpoints(r *http.Request) (any, error) {
	ctx := r.Context()
	alarms, err := h.alarms(r)
	if err != nil {
		return nil, err
	}
	deploys, err := h.deployExecutions(r)
	if err != nil {
		return nil, err
	}
	out := []Endpoint{}
	ep := sagemaker.NewListEndpointsPaginator(h.SageMaker, &sagemaker.ListEndpointsInput{})
	for ep.HasMorePages() {
		page, err := ep.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list endpoints: %w", err)
		}
		for _, s := range page.Endpoints {
			d, err := h.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: s.EndpointName})
			if err != nil {
				return nil, fmt.Errorf("describe endpoint %s: %w", aws.ToString(s.EndpointName), err)
			}
			e := Endpoint{Name: aws.ToString(d.EndpointName), Status: string(d.EndpointStatus), Config: aws.ToString(d.EndpointConfigName),
				Created: aws.ToTime(d.CreationTime), Modified: aws.ToTime(d.LastModifiedTime), Failure: aws.ToString(d.FailureReason),
				Variants: []Variant{}, Deployments: []Deployment{}, Drift: []FeatureDrift{}, Alarms: []AlarmState{}}
			for _, v := range d.ProductionVariants {
				e.Variants = append(e.Variants, Variant{Name: aws.ToString(v.VariantName), Config: e.Config,
					CurrentWeight: float64(aws.ToFloat32(v.CurrentWeight)), DesiredWeight: float64(aws.ToFloat32(v.DesiredWeight)),
					Instances: aws.ToInt32(v.CurrentInstanceCount)})
			}
			if p := d.PendingDeploymentSummary; p != nil {
				for _, v := range p.ProductionVariants {
					e.Variants = append(e.Variants, Variant{Name: aws.ToString(v.VariantName), Config: aws.ToString(p.EndpointConfigName), Pending: true,
						CurrentWeight: float64(aws.ToFloat32(v.CurrentWeight)), DesiredWeight: float64(aws.ToFloat32(v.DesiredWeight)),
						Instances: aws.ToInt32(v.CurrentInstanceCount)})
				}
			}
			if e.Deployments, err = h.deployments(r, deploys[e.Name]); err != nil {
				return nil, err
			}
			if err := h.drift(r, &e, alarms); err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	return map[string]any{"endpoints": out}, nil
}

// alarms returns every metric alarm.
func (h *Handler) alarms(r *http.Request) ([]cwtypes.MetricAlarm, error) {
	var out []cwtypes.MetricAlarm
	p := cloudwatch.NewDescribeAlarmsPaginator(h.CloudWatch, &cloudwatch.DescribeAlarmsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(r.Context())
		if err != nil {
			return nil, fmt.Errorf("describe alarms: %w", err)
		}
		out = append(out, page.MetricAlarms...)
	}
	return out, nil
}

// deployExecutions returns the newest executions of the deploy workflow by endpoint name
// (from each execution's input, deploy.endpointName).
func (h *Handler) deployExecutions(r *http.Request) (map[string][]sfntypes.ExecutionListItem, error) {
	ctx := r.Context()
	out := map[string][]sfntypes.ExecutionListItem{}
	l, err := h.SFN.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil {
		return nil, fmt.Errorf("list state machines: %w", err)
	}
	for _, m := range l.StateMachines {
		if !strings.HasSuffix(aws.ToString(m.Name), "deploy") {
			continue
		}
		ex, err := h.SFN.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: m.StateMachineArn, MaxResults: 100})
		if err != nil {
			return nil, fmt.Errorf("list executions of %s: %w", aws.ToString(m.Name), err)
		}
		for _, e := range ex.Executions {
			d, err := h.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
			if err != nil {
				return nil, fmt.Errorf("describe execution %s: %w", aws.ToString(e.ExecutionArn), err)
			}
			var in struct {
				Deploy struct {
					EndpointName string `json:"endpointName"`
				} `json:"deploy"`
			}
			if json.Unmarshal([]byte(aws.ToString(d.Input)), &in) != nil || in.Deploy.EndpointName == "" {
				continue
			}
			if len(out[in.Deploy.EndpointName]) < maxDeployments {
				out[in.Deploy.EndpointName] = append(out[in.Deploy.EndpointName], e)
			}
		}
	}
	return out, nil
}

// deployments reads each deploy execution's phases from its history.
func (h *Handler) deployments(r *http.Request, execs []sfntypes.ExecutionListItem) ([]Deployment, error) {
	out := []Deployment{}
	for _, e := range execs {
		d := Deployment{Execution: aws.ToString(e.ExecutionArn), Name: aws.ToString(e.Name), Status: string(e.Status),
			Start: aws.ToTime(e.StartDate), Stop: e.StopDate, Phases: []Phase{}}
		hist, err := h.SFN.GetExecutionHistory(r.Context(), &sfn.GetExecutionHistoryInput{ExecutionArn: e.ExecutionArn, MaxResults: 1000})
		if err != nil {
			return nil, fmt.Errorf("get history of %s: %w", d.Execution, err)
		}
		seen := map[string]int{}
		for _, ev := range hist.Events {
			if ev.StateEnteredEventDetails == nil {
				continue
			}
			name := aws.ToString(ev.StateEnteredEventDetails.Name)
			if i, ok := seen[name]; ok {
				d.Phases[i].Count++
				continue
			}
			seen[name] = len(d.Phases)
			d.Phases = append(d.Phases, Phase{State: name, At: aws.ToTime(ev.Timestamp), Count: 1})
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.After(out[j].Start) })
	return out, nil
}

// drift fills e's drift series (one per drift alarm on the endpoint) and its other alarms.
func (h *Handler) drift(r *http.Request, e *Endpoint, alarms []cwtypes.MetricAlarm) error {
	var queries []cwtypes.MetricDataQuery
	for _, a := range alarms {
		dims := map[string]string{}
		for _, d := range a.Dimensions {
			dims[aws.ToString(d.Name)] = aws.ToString(d.Value)
		}
		if dims["Endpoint"] != e.Name && dims["EndpointName"] != e.Name {
			continue
		}
		metric := aws.ToString(a.MetricName)
		if aws.ToString(a.Namespace) != driftNamespace || !strings.HasPrefix(metric, driftPrefix) {
			e.Alarms = append(e.Alarms, AlarmState{Name: aws.ToString(a.AlarmName), Metric: metric, State: string(a.StateValue), Threshold: aws.ToFloat64(a.Threshold)})
			continue
		}
		e.Drift = append(e.Drift, FeatureDrift{Feature: strings.TrimPrefix(metric, driftPrefix), Alarm: aws.ToString(a.AlarmName),
			State: string(a.StateValue), Threshold: aws.ToFloat64(a.Threshold), Points: []DriftPoint{}})
		queries = append(queries, cwtypes.MetricDataQuery{Id: aws.String(fmt.Sprintf("f%d", len(queries))),
			MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions},
				Period: aws.Int32(driftPeriod), Stat: aws.String("Maximum")}})
	}
	if len(queries) == 0 {
		return nil
	}
	now := h.Clock()
	out, err := h.CloudWatch.GetMetricData(r.Context(), &cloudwatch.GetMetricDataInput{MetricDataQueries: queries,
		StartTime: aws.Time(now.Add(-driftWindow)), EndTime: aws.Time(now.Add(driftWindow)), ScanBy: cwtypes.ScanByTimestampAscending})
	if err != nil {
		return fmt.Errorf("get drift metrics of %s: %w", e.Name, err)
	}
	for _, res := range out.MetricDataResults {
		var i int
		if _, err := fmt.Sscanf(aws.ToString(res.Id), "f%d", &i); err != nil || i >= len(e.Drift) {
			continue
		}
		for k := range res.Timestamps {
			if k < len(res.Values) {
				e.Drift[i].Points = append(e.Drift[i].Points, DriftPoint{At: res.Timestamps[k], Value: res.Values[k]})
			}
		}
		sort.Slice(e.Drift[i].Points, func(a, b int) bool { return e.Drift[i].Points[a].At.Before(e.Drift[i].Points[b].At) })
	}
	return nil
}
