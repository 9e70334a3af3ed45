// Package sns is the local stack's SNS subset: Publish to the topics the stack knows, over the
// query protocol the aws-sdk-go-v2 SNS client speaks (form-encoded Action=Publish, an XML
// PublishResponse) and in process for the Step Functions sns:publish integration. Nothing is
// delivered anywhere: every message is kept in the stack's bbolt database (bucket sns.messages)
// and handed to an optional observer, which the demo uses to print notifications.
//
// A Service is safe for concurrent use.
package sns
