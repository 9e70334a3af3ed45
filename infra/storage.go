package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/kiln-dev/kiln/internal/topology"
)

// storage creates the KMS key, the artifacts bucket, the notification topic and the
// dead-letter queue every asynchronous delivery falls back to.
func (k *kiln) storage() {
	k.key = awskms.NewKey(k.stack, jsii.String("Key"), &awskms.KeyProps{
		Alias:             jsii.String("alias/" + topology.ResourceName(k.props.Stage, "key")),
		Description:       jsii.String("kiln " + k.props.Stage + ": artifacts, notifications, secrets, dead letters"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	// Services that write encrypted data on kiln's behalf; CloudWatch Logs uses its regional principal.
	for _, svc := range []string{"events.amazonaws.com", "scheduler.amazonaws.com", "cloudwatch.amazonaws.com", "sagemaker.amazonaws.com", "logs." + k.env.Region + ".amazonaws.com"} {
		k.key.GrantEncryptDecrypt(awsiam.NewServicePrincipal(jsii.String(svc), nil))
	}
	// Grants on the key may be created only for AWS resources or by AWS services.
	k.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("GrantsOnlyForAWSResources"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
		Conditions: &map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false",
			"aws:PrincipalIsAWSService": "false",
		}},
	}), jsii.Bool(false))

	k.bucket = awss3.NewBucket(k.stack, jsii.String("Artifacts"), &awss3.BucketProps{
		BucketName:        jsii.String(topology.ArtifactsBucket(k.env)),
		Versioned:         jsii.Bool(true),
		Encryption:        awss3.BucketEncryption_KMS,
		EncryptionKey:     k.key,
		BucketKeyEnabled:  jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{
			{Id: jsii.String("old-job-output"), Prefix: jsii.String("training/"),
				Expiration:                  awscdk.Duration_Days(jsii.Number(180)),
				NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30))},
			{Id: jsii.String("old-capture"), Prefix: jsii.String("datacapture/"),
				Expiration: awscdk.Duration_Days(jsii.Number(90))},
			{Id: jsii.String("old-monitoring"), Prefix: jsii.String("monitoring/"),
				Expiration: awscdk.Duration_Days(jsii.Number(90))},
			{Id: jsii.String("old-deliveries"), Prefix: jsii.String("webhook/deliveries/"),
				Expiration: awscdk.Duration_Days(jsii.Number(30))},
			{Id: jsii.String("noncurrent"), NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(90)),
				AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7))},
		},
	})
	// Object Created under data/ is the new-data trigger. Set on the L1 property, so CDK needs no
	// custom-resource Lambda to turn EventBridge notifications on.
	k.bucket.Node().DefaultChild().(awss3.CfnBucket).AddPropertyOverride(
		jsii.String("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled"), true)
	suppress(k.bucket, "server access logs would need a second bucket per stage; CloudTrail S3 data events, enabled account-wide, are the audit trail", "s3_bucket_logging_enabled_check")
	suppress(k.bucket, "job output, captured data and monitoring reports expire by lifecycle rules; object lock would forbid that", "s3_bucket_object_lock_enabled_check")

	k.topic = awssns.NewTopic(k.stack, jsii.String("Notifications"), &awssns.TopicProps{
		TopicName:   k.name("notifications"),
		DisplayName: jsii.String("kiln " + k.props.Stage),
		MasterKey:   k.key,
		EnforceSSL:  jsii.Bool(true),
	})

	k.dlq = awssqs.NewQueue(k.stack, jsii.String("DeadLetters"), &awssqs.QueueProps{
		QueueName:           k.name("dead-letters"),
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: k.key,
		RetentionPeriod:     awscdk.Duration_Days(jsii.Number(14)),
		EnforceSSL:          jsii.Bool(true),
	})
	suppress(k.dlq, "this queue is the dead-letter queue of every rule, schedule and asynchronous invocation; its own failures are the DeadLetters alarm", "sqs_dlq_check")
}
