// Package cloudwatch is the local stack's CloudWatch subset: metrics kept in memory, alarms
// evaluated on them, and alarm state changes reported as "CloudWatch Alarm State Change"
// events. It speaks the Smithy RPC v2 CBOR protocol the aws-sdk-go-v2 CloudWatch client uses
// (POST /service/GraniteServiceVersion20100801/operation/<Op>, application/cbor) for
// PutMetricData, GetMetricStatistics, GetMetricData, PutMetricAlarm, DescribeAlarms and
// DeleteAlarms; any other operation gets an UnknownOperationException naming it.
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
