// Package sns is the local stack's SNS subset, over the query protocol (form-encoded
// Action=..., XML answers) that the aws-sdk-go-v2 client and both aws CLIs speak, and in
// process for the Step Functions sns:publish integration: Publish, CreateTopic, ListTopics,
// GetTopicAttributes, Subscribe, Unsubscribe, ListSubscriptions and ListSubscriptionsByTopic;
// any other action gets InvalidAction naming it.
//
// Every message is kept in the stack's bbolt database (bucket sns.messages), handed to the
// observers (the demo prints notifications) and posted as an SNS HTTP notification to each
// subscription of its topic. Only http and https endpoints on a loopback address may
// subscribe, and they are confirmed at once, without the SubscriptionConfirmation round trip:
// the endpoint is on the user's own machine, and a stack with no authentication must not be
// a way to post to other hosts. Created topics and subscriptions are kept in the database
// too (sns.topics, sns.subscriptions). Delivery is best effort: one attempt, logged when it
// fails.
//
// A Service is safe for concurrent use.
package sns
