package topology

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/kiln-dev/kiln/internal/policy"
)

// The policy object.
//
// The release policy does not travel in the functions' environment (Lambda allows 4 KB for
// all variables together, about five models). The stack writes it as an S3 object, a CDK
// file asset: content-addressed, uploaded by `cdk deploy` with the functions' code, so no
// custom resource writes it and every change of policy is a new key. The functions that read
// the policy get the object's s3:// URI in [EnvPolicyObject], read it once per cold start and
// may read exactly that object. kiln local writes the same bytes to the same bucket and key
// in its own S3, and its in-process functions read it through the same code.

// AssetsQualifier is the CDK bootstrap qualifier of the default synthesizer; the bootstrap
// bucket that holds the stack's file assets is named with it.
const AssetsQualifier = "hnb659fds"

// PolicyDocument returns the policy object's content: p as the deployed functions read it
// (policy.ForAWS: no local section), compact JSON, image placeholders as written.
func PolicyDocument(p *policy.Policy) ([]byte, error) {
	b, err := json.Marshal(p.ForAWS())
	if err != nil {
		return nil, fmt.Errorf("encode policy object: %w", err)
	}
	return b, nil
}

// PolicyAssetHash returns the hash infra gives the policy asset: the SHA-256 of doc in hex.
func PolicyAssetHash(doc []byte) string {
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:])
}

// PolicyObject returns the bucket and key of the policy object doc in env: CDK's bootstrap
// assets bucket and the key CDK gives a file asset with a custom hash (the SHA-256 of that
// hash, then the file's extension). infra's tests check the key against the synthesized
// template, so a CDK that names assets differently fails them.
func PolicyObject(env Env, doc []byte) (bucket, key string) {
	bucket = fmt.Sprintf("cdk-%s-assets-%s-%s", AssetsQualifier, env.Account, env.Region)
	sum := sha256.Sum256([]byte(PolicyAssetHash(doc)))
	return bucket, hex.EncodeToString(sum[:]) + ".json"
}
