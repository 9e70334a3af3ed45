package server

import (
	"net/http"
	"strings"

	"github.com/kiln-dev/kiln/internal/local/awserr"
)

// service is one AWS service as the router knows it: how its requests are recognised (the
// X-Amz-Target prefix of its JSON protocol, its SigV4 signing name, the REST paths it owns),
// the protocol its errors are written in, and the handler serving it (none: kiln local does
// not emulate it, and says so in that protocol).
type service struct {
	name     string
	signing  string
	target   string
	paths    []string
	protocol awserr.Protocol
	handler  func(Routes) http.Handler
	limit    *bodyLimit
}

// services is the router's table: every service kiln local emulates, then the ones people
// commonly call that it does not, so that even those get an answer their SDK understands.
// The order matters where two share a signing name: SageMaker Runtime's paths come first.
var services = []service{
	{name: "Step Functions", signing: "states", target: "AWSStepFunctions", protocol: awserr.JSON10,
		handler: func(r Routes) http.Handler { return r.StepFunctions }, limit: &limitStepFunctions},
	{name: "SageMaker Runtime", signing: "sagemaker", paths: []string{"/endpoints/"}, protocol: awserr.RESTJSON,
		handler: func(r Routes) http.Handler { return r.Runtime }},
	{name: "SageMaker", signing: "sagemaker", target: "SageMaker", protocol: awserr.JSON11,
		handler: func(r Routes) http.Handler { return r.SageMaker }, limit: &limitSageMaker},
	{name: "EventBridge", signing: "events", target: "AWSEvents", protocol: awserr.JSON11,
		handler: func(r Routes) http.Handler { return r.EventBridge }, limit: &limitEventBridge},
	{name: "CloudWatch", signing: "monitoring", target: "GraniteServiceVersion20100801", paths: []string{CloudWatchPrefix},
		protocol: awserr.Query, handler: func(r Routes) http.Handler { return r.CloudWatch }},
	{name: "CloudWatch Logs", signing: "logs", target: "Logs_20140328", protocol: awserr.JSON11,
		handler: func(r Routes) http.Handler { return r.Logs }},
	{name: "SNS", signing: "sns", protocol: awserr.Query, handler: func(r Routes) http.Handler { return r.SNS }},
	{name: "Lambda", signing: "lambda", paths: []string{"/2015-03-31/functions"}, protocol: awserr.RESTJSON,
		handler: func(r Routes) http.Handler { return r.Lambda }},
	{name: "EventBridge Scheduler", signing: "scheduler", paths: []string{"/schedules", "/schedule-groups"}, protocol: awserr.RESTJSON,
		handler: func(r Routes) http.Handler { return r.Scheduler }},
	{name: "S3", signing: "s3", protocol: awserr.S3, handler: func(r Routes) http.Handler { return r.S3 }, limit: &limitS3},

	{name: "DynamoDB", signing: "dynamodb", target: "DynamoDB_20120810", protocol: awserr.JSON10},
	{name: "SQS", signing: "sqs", target: "AmazonSQS", protocol: awserr.JSON10},
	{name: "KMS", signing: "kms", target: "TrentService", protocol: awserr.JSON11},
	{name: "Secrets Manager", signing: "secretsmanager", target: "secretsmanager", protocol: awserr.JSON11},
	{name: "Systems Manager", signing: "ssm", target: "AmazonSSM", protocol: awserr.JSON11},
	{name: "ECR", signing: "ecr", target: "AmazonEC2ContainerRegistry_V20150921", protocol: awserr.JSON11},
	{name: "ECS", signing: "ecs", target: "AmazonEC2ContainerServiceV20141113", protocol: awserr.JSON11},
	{name: "Kinesis", signing: "kinesis", target: "Kinesis_20131202", protocol: awserr.JSON11},
	{name: "CodeCommit", signing: "codecommit", target: "CodeCommit_20150413", protocol: awserr.JSON11},
	{name: "CodeBuild", signing: "codebuild", target: "CodeBuild_20161006", protocol: awserr.JSON11},
	{name: "STS", signing: "sts", protocol: awserr.Query},
	{name: "IAM", signing: "iam", protocol: awserr.Query},
	{name: "CloudFormation", signing: "cloudformation", protocol: awserr.Query},
	{name: "SES", signing: "ses", protocol: awserr.Query},
	{name: "EC2", signing: "ec2", protocol: awserr.EC2},
	{name: "API Gateway", signing: "apigateway", protocol: awserr.RESTJSON},
	{name: "Route 53", signing: "route53", protocol: awserr.RESTXML},
	{name: "CloudFront", signing: "cloudfront", protocol: awserr.RESTXML},
}

// serviceBy returns the table's first service for which field gives key, or nil.
func serviceBy(key string, field func(*service) string) *service {
	if key == "" {
		return nil
	}
	for i := range services {
		if field(&services[i]) == key {
			return &services[i]
		}
	}
	return nil
}

func bySigning(s *service) string { return s.signing }

// emulated names the services kiln local serves, for error messages.
func emulated() string {
	var names []string
	for _, s := range services {
		if s.handler != nil {
			names = append(names, s.name)
		}
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// request is what the router learned about a request: the service it is for (nil when the
// table does not know it) and, for a request of an unknown service, the name it was signed
// or targeted with.
type request struct {
	svc     *service
	unknown string
	form    bool // a query-protocol request (a form with Action=)
	action  string
}

// classify finds the service r is for: by X-Amz-Target prefix, then by a REST path a service
// owns (when r is unsigned or signed for that service), then by the SigV4 signing name, then,
// for an unsigned query-protocol request, by its API version (CloudWatch's 2010-08-01, else
// SNS); anything else is S3.
func classify(r *http.Request) request {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, _, _ := strings.Cut(target, ".")
		if svc := serviceBy(prefix, func(s *service) string { return s.target }); svc != nil {
			return request{svc: svc}
		}
		if svc := serviceBy(signingName(r), bySigning); svc != nil {
			return request{svc: svc}
		}
		return request{unknown: prefix}
	}
	scope := signingName(r)
	for i := range services {
		for _, p := range services[i].paths {
			if strings.HasPrefix(r.URL.Path, p) && (scope == "" || scope == services[i].signing) {
				return request{svc: &services[i]}
			}
		}
	}
	form, isForm := formAction(r)
	req := request{form: isForm, action: form.Get("Action")}
	switch {
	case scope != "":
		if req.svc = serviceBy(scope, bySigning); req.svc == nil {
			req.unknown = scope
		}
	case isForm && form.Get("Version") == "2010-08-01":
		req.svc = serviceBy("monitoring", bySigning)
	case isForm:
		req.svc = serviceBy("sns", bySigning)
	default:
		req.svc = serviceBy("s3", bySigning)
	}
	return req
}

// signingName returns the service of r's SigV4 credential scope
// (Credential=KEY/DATE/REGION/SERVICE/aws4_request, in the Authorization header or the
// presigned X-Amz-Credential), or "" for an unsigned request.
func signingName(r *http.Request) string {
	scope := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, after, ok := strings.Cut(auth, "Credential="); ok {
			scope, _, _ = strings.Cut(after, ",")
		}
	}
	if parts := strings.Split(strings.TrimSpace(scope), "/"); len(parts) == 5 {
		return parts[3]
	}
	return ""
}
