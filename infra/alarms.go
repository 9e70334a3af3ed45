package main

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/kiln-dev/kiln/internal/topology"
)

// alarms creates the topology's rollback and drift alarms, and alarms on failed executions and
// on dead letters; each notifies the topic.
func (k *kiln) alarms() {
	notify := &[]any{k.topic.TopicArn()}
	for _, a := range topology.Alarms(k.props.Policy, k.props.Stage) {
		var dims []any
		for _, name := range sortedKeys(a.Dimensions) {
			dims = append(dims, &awscloudwatch.CfnAlarm_DimensionProperty{Name: jsii.String(name), Value: jsii.String(a.Dimensions[name])})
		}
		props := &awscloudwatch.CfnAlarmProps{
			AlarmName:          jsii.String(a.Name),
			AlarmDescription:   jsii.String("kiln " + a.Purpose + " alarm for " + a.Model),
			Namespace:          jsii.String(a.Namespace),
			MetricName:         jsii.String(a.Metric),
			Dimensions:         &dims,
			Period:             jsii.Number(float64(a.PeriodSeconds)),
			EvaluationPeriods:  jsii.Number(float64(a.EvaluationPeriods)),
			Threshold:          jsii.Number(a.Threshold),
			ComparisonOperator: jsii.String(a.ComparisonOperator),
			TreatMissingData:   jsii.String(a.TreatMissingData),
			AlarmActions:       notify,
		}
		if len(a.Statistic) > 1 && a.Statistic[0] == 'p' {
			props.ExtendedStatistic = jsii.String(a.Statistic)
		} else {
			props.Statistic = jsii.String(a.Statistic)
		}
		awscloudwatch.NewCfnAlarm(k.stack, jsii.String(pascal(a.Name)+"Alarm"), props)
	}
	for _, w := range topology.Workflows {
		awscloudwatch.NewAlarm(k.stack, jsii.String(pascal(w.Name)+"FailedAlarm"), &awscloudwatch.AlarmProps{
			AlarmName:          k.name(w.Name + "-failed"),
			AlarmDescription:   jsii.String("a " + w.Name + " execution failed"),
			Metric:             k.machines[w.Name].MetricFailed(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum")}),
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}).AddAlarmAction(snsAction(k.topic))
	}
	awscloudwatch.NewAlarm(k.stack, jsii.String("DeadLettersAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:          k.name("dead-letters"),
		AlarmDescription:   jsii.String("an event, schedule or asynchronous invocation could not be delivered"),
		Metric:             k.dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum")}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}).AddAlarmAction(snsAction(k.topic))
}

// dashboard shows what the on-call engineer looks at: executions, the endpoints' traffic,
// errors and latency, and the drift metrics.
func (k *kiln) dashboard() {
	d := awscloudwatch.NewDashboard(k.stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: k.name("overview"),
	})
	var execs []awscloudwatch.IMetric
	for _, w := range topology.Workflows {
		sm := k.machines[w.Name]
		execs = append(execs, sm.MetricStarted(nil), sm.MetricSucceeded(nil), sm.MetricFailed(nil))
	}
	d.AddWidgets(awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Executions"), Left: &execs, Width: jsii.Number(12)}))
	for _, m := range k.props.Policy.Models {
		endpoint := topology.EndpointName(k.props.Stage, m.Name)
		dims := &map[string]*string{"EndpointName": jsii.String(endpoint), "VariantName": jsii.String(topology.VariantName)}
		metric := func(name, stat string) awscloudwatch.IMetric {
			return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{Namespace: jsii.String("AWS/SageMaker"), MetricName: jsii.String(name), DimensionsMap: dims, Statistic: jsii.String(stat)})
		}
		d.AddWidgets(
			awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String(endpoint + " traffic"),
				Left: &[]awscloudwatch.IMetric{metric("Invocations", "Sum"), metric("Invocation5XXErrors", "Sum"), metric("Invocation4XXErrors", "Sum")}, Width: jsii.Number(12)}),
			awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String(endpoint + " latency (µs)"),
				Left: &[]awscloudwatch.IMetric{metric("ModelLatency", "p50"), metric("ModelLatency", "p99")}, Width: jsii.Number(12)}),
		)
		var drift []awscloudwatch.IMetric
		for _, f := range m.Features {
			drift = append(drift, awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
				Namespace: jsii.String(topology.DriftMetricNamespace), MetricName: jsii.String(topology.DriftMetric(f)),
				DimensionsMap: &map[string]*string{"Endpoint": jsii.String(endpoint), "MonitoringSchedule": jsii.String(topology.DriftSchedule(endpoint))},
				Statistic:     jsii.String("Maximum"),
			}))
		}
		d.AddWidgets(awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String(endpoint + " feature drift"), Left: &drift, Width: jsii.Number(24),
			LeftAnnotations: &[]*awscloudwatch.HorizontalAnnotation{{Value: jsii.Number(m.DriftThreshold), Label: jsii.String("drift threshold")}}}))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// snsAction notifies topic when an alarm changes state.
func snsAction(topic awssns.ITopic) awscloudwatch.IAlarmAction {
	return awscloudwatchactions.NewSnsAction(topic)
}
