// Package cloudwatch is the local stack's CloudWatch subset: metrics kept in memory, alarms
// evaluated on them, and alarm state changes reported as "CloudWatch Alarm State Change"
// events. It speaks the three protocols CloudWatch clients use: Smithy RPC v2 CBOR (the
// aws-sdk-go-v2 client and current botocore: POST /service/GraniteServiceVersion20100801/
// operation/<Op>, application/cbor), JSON 1.0 (X-Amz-Target GraniteServiceVersion20100801.<Op>)
// and the query protocol (a form with Action=<Op>&Version=2010-08-01, XML answers in the
// monitoring namespace; the aws CLI v2 before 2.13). It answers PutMetricData,
// GetMetricStatistics, GetMetricData, ListMetrics, PutMetricAlarm, DescribeAlarms,
// SetAlarmState, DescribeAlarmHistory and DeleteAlarms; any other operation gets an error in
// the request's own protocol (UnknownOperationException, or InvalidAction in the query
// protocol) naming it and listing what is served.
//
// Alarms are evaluated on every PutMetricData and whenever [Service.Evaluate] runs (the
// stack calls it on a ticker). Periods are aligned to multiples of the alarm's Period and the
// newest, still open period counts, so a local alarm reacts within one request rather than one
// period; the last EvaluationPeriods periods are judged: DatapointsToAlarm (default: all of
// them) breaching gives ALARM, no data in any gives INSUFFICIENT_DATA, anything else OK.
// Metrics older than a day are dropped.
//
// A put costs the same whatever the history: a metric's datapoints are kept as one-second
// buckets (count, sum, minimum, maximum and the raw values for percentiles), alarms are
// indexed by the metric they watch so a put judges only those, and each alarm keeps the
// running statistic of each period it judges (a two-heap nearest-rank percentile for pNN),
// filled from the buckets once and then updated by each put. Queries read only the seconds
// of their range. Metrics and alarm states live in memory: after a
// restart alarms start again in INSUFFICIENT_DATA, as a newly created alarm does on AWS.
//
// A Service is safe for concurrent use.
package cloudwatch
