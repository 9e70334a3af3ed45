package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
)

func TestThePolicyIsAnS3ObjectEachReaderMayReadAndNothingMore(t *testing.T) {
	want, err := topology.PolicyDocument(pol)
	require.NoError(t, err)
	bucket, key := topology.PolicyObject(topology.Env{Account: "${AWS::AccountId}", Region: "${AWS::Region}"}, want)

	got, err := os.ReadFile(filepath.Join(outDir, "asset."+key))
	require.NoError(t, err, "the cloud assembly holds the policy object under the key topology.PolicyObject names")
	assert.Equal(t, string(want), string(got), "the object is the policy as AWS runs it, placeholders kept")

	uri := "s3://" + bucket + "/" + key
	objectARN := "arn:${AWS::Partition}:s3:::" + bucket + "/" + key
	for _, f := range topology.Functions {
		t.Run(string(f.Name), func(t *testing.T) {
			var vars map[string]any
			for _, r := range resources("AWS::Lambda::Function") {
				if props(r)["FunctionName"] == topology.ResourceName(prod, string(f.Name)) {
					vars = props(r)["Environment"].(map[string]any)["Variables"].(map[string]any)
				}
			}
			require.NotNil(t, vars)
			assert.NotContains(t, vars, topology.EnvPolicy, "the policy is not in the environment")
			reads := slices.Contains(f.Env, topology.EnvPolicyObject)
			stmts := roleStatements(t, topology.ResourceName(prod, string(f.Name)+"-fn"))
			var objectGrants []string
			for _, st := range granting(stmts, "s3:GetObject", "cdk-") {
				objectGrants = append(objectGrants, render(st["Resource"]))
			}
			if !reads {
				assert.Empty(t, objectGrants, "a function that does not read the policy may not read it")
				return
			}
			assert.Equal(t, uri, render(vars[topology.EnvPolicyObject]))
			assert.Equal(t, "${AWS::AccountId}", render(vars[topology.EnvAccount]))
			assert.Equal(t, []string{objectARN}, objectGrants, "exactly the object, not the assets bucket")
		})
	}
}
