package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"

	"github.com/kiln-dev/kiln/internal/topology"
)

// writePolicyObject makes the policy a file asset (topology.PolicyDocument's bytes, image
// placeholders as written: each function resolves them at cold start with its account and
// region). An asset is content-addressed and uploaded by `cdk deploy` itself, so no custom
// resource writes it, and it has no size limit worth the name; an SSM parameter would hold
// 4 KB (8 KB in the advanced tier), the very limit the policy is leaving.
func (k *kiln) writePolicyObject() {
	doc, err := topology.PolicyDocument(k.props.Policy)
	if err != nil {
		panic("infra: " + err.Error())
	}
	hash := topology.PolicyAssetHash(doc)
	// A content-named file, so synthesizing twice writes the same file and leaves no litter.
	file := filepath.Join(os.TempDir(), "kiln-policy-"+hash+".json")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		panic(fmt.Sprintf("infra: write policy object %s: %v", file, err))
	}
	k.policyObject = awss3assets.NewAsset(k.stack, jsii.String("PolicyObject"), &awss3assets.AssetProps{
		Path:          jsii.String(file),
		AssetHash:     jsii.String(hash),
		AssetHashType: awscdk.AssetHashType_CUSTOM,
	})
	awscdk.NewCfnOutput(k.stack, jsii.String("PolicyObjectUrl"), &awscdk.CfnOutputProps{
		Value:       k.policyObject.S3ObjectUrl(),
		Description: jsii.String("the release policy the functions read at cold start"),
	})
}

// grantPolicyObject lets role read the policy object and nothing else of the assets bucket.
// The bootstrap bucket encrypts with S3's own key (SSE-S3 or aws/s3), which needs no KMS grant.
func (k *kiln) grantPolicyObject(role awsiam.Role) {
	arn := fmt.Sprintf("arn:%s:s3:::%s/%s", k.env.Partition, *k.policyObject.S3BucketName(), *k.policyObject.S3ObjectKey())
	role.AddToPolicy(statement([]string{"s3:GetObject"}, []string{arn}))
}
