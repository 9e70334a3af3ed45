// Package iam makes kiln local enforce AWS Identity and Access Management as AWS would: it
// reads the roles and policies of a synthesized CloudFormation template (resolving the
// intrinsics to the local stack's names and ARNs), identifies the principal of every call
// (a Lambda's role from its SigV4 access key id, a state machine's role, SageMaker's
// execution role), and asks @cloud-copilot/iam-simulate — AWS's evaluation logic with the
// Service Authorization Reference as data — for the decision, through a long-lived Node
// sidecar speaking JSON lines. Decisions are cached per (principal, action, resource,
// context); every triple used and every grant nothing used is kept for the report.
//
// The pieces: [LoadTemplate] and [Template.Policies] (the template), [StartSidecar] (the
// evaluator), [Authorizer] (mode, cache, report), [Authorizer.Middleware] (the HTTP front
// door's check, each service's request described by [DescribeHTTP]), [Authorizer.TaskLayer]
// (the Step Functions integrations under the state machine's role) and [Report].
package iam
