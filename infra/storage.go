package main

import (
	"fmt"
	"strings"

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
	// CloudWatch Logs encrypts kiln's log groups with the key. Its documentation asks for the
	// regional principal, scoped by the encryption context to the log groups that use the key
	// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
	k.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogsForKilnLogGroups"),
		Effect:     awsiam.Effect_ALLOW,
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+k.env.Region+".amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
		Conditions: &map[string]any{"ArnLike": map[string]any{"kms:EncryptionContext:aws:logs:arn": k.logGroupARNs()}},
	}), jsii.Bool(false))
	// Services that write encrypted data on kiln's behalf (EventBridge and Scheduler into the
	// dead-letter queue, CloudWatch alarms into the topic, SageMaker), each only for this
	// account's resources: aws:SourceAccount guards against the confused deputy
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
	for _, svc := range []string{"events.amazonaws.com", "scheduler.amazonaws.com", "cloudwatch.amazonaws.com", "sagemaker.amazonaws.com"} {
		k.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("UseBy" + pascal(strings.TrimSuffix(strings.ReplaceAll(svc, ".", "-"), "-amazonaws-com"))),
			Effect:     awsiam.Effect_ALLOW,
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(svc), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": k.env.Account}},
		}), jsii.Bool(false))
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
	// CloudWatch alarms publish to the topic as cloudwatch.amazonaws.com; the topic policy CDK
	// writes (enforceSSL's Deny) allows nobody, so every alarm notification would be dropped.
	// Only kiln's own alarms in this account may publish
	// (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).
	k.topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("KilnAlarmsPublish"),
		Effect:     awsiam.Effect_ALLOW,
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*k.topic.TopicArn()),
		Conditions: &map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": k.alarmARNPatterns()},
			"StringEquals": map[string]any{"aws:SourceAccount": k.env.Account},
		},
	}))

	k.dlq = awssqs.NewQueue(k.stack, jsii.String("DeadLetters"), &awssqs.QueueProps{
		QueueName:           k.name("dead-letters"),
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: k.key,
		RetentionPeriod:     awscdk.Duration_Days(jsii.Number(14)),
		EnforceSSL:          jsii.Bool(true),
	})
	suppress(k.dlq, "this queue is the dead-letter queue of every rule, schedule and asynchronous invocation; its own failures are the DeadLetters alarm", "sqs_dlq_check")
}

// logGroupARNs returns ARN patterns of the stage's log groups (functions and workflows), the
// log groups encrypted with the key.
func (k *kiln) logGroupARNs() []string {
	var out []string
	for _, prefix := range []string{"/aws/lambda/", "/aws/vendedlogs/states/"} {
		out = append(out, fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s%s", k.env.Partition, k.env.Region, k.env.Account, prefix, topology.ResourceName(k.props.Stage, "*")))
	}
	return out
}

// alarmARNPatterns returns ARN patterns covering every alarm the stage creates: the rollback,
// workflow and dead-letter alarms (kiln-<stage>-...) and the drift alarms
// (kiln-drift-<stage>-...).
func (k *kiln) alarmARNPatterns() []string {
	return []string{
		k.alarmARN(topology.ResourceName(k.props.Stage, "*")),
		k.alarmARN(topology.DriftAlarmPrefix + k.props.Stage + "-*"),
	}
}
