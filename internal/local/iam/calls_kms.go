package iam

import (
	"fmt"
	"strings"

	"github.com/kiln-dev/kiln/internal/topology"
)

// BucketKey is how a bucket of the template encrypts objects by default with SSE-KMS.
type BucketKey struct {
	// KeyARN is the KMS key's ARN (an alias ARN when the template names an alias).
	KeyARN string
	// BucketKeyEnabled is S3 Bucket Keys: the encryption context is then the bucket's ARN,
	// else the object's.
	BucketKeyEnabled bool
}

// addBucketKey records a bucket's default SSE-KMS key from its BucketEncryption, when the
// template gives one. A bucket encrypted with SSE-S3, or with aws:kms and no key (the AWS
// managed aws/s3 key, whose key policy admits every principal of the account through S3),
// adds nothing.
func (p *Policies) addBucketKey(r resolver, id string, props map[string]any) error {
	enc, _ := props["BucketEncryption"].(map[string]any)
	rules, _ := enc["ServerSideEncryptionConfiguration"].([]any)
	for _, rule := range rules {
		m, _ := rule.(map[string]any)
		def, _ := m["ServerSideEncryptionByDefault"].(map[string]any)
		if alg, _ := def["SSEAlgorithm"].(string); !strings.HasPrefix(alg, "aws:kms") || def["KMSMasterKeyID"] == nil {
			continue
		}
		v, err := r.resolve(map[string]any{"key": def["KMSMasterKeyID"], "bucket": map[string]any{"Ref": id}})
		if err != nil {
			return err
		}
		got := v.(map[string]any)
		enabled, _ := m["BucketKeyEnabled"].(bool)
		p.BucketKeys[fmt.Sprint(got["bucket"])] = BucketKey{KeyARN: r.keyARN(fmt.Sprint(got["key"])), BucketKeyEnabled: enabled}
	}
	return nil
}

// addKeyPolicy adds a KMS key's key policy as the key's resource policy: KMS honours an
// identity policy only where the key policy lets the account's IAM policies grant (its
// statement for the account root), so the key is evaluated with both.
func (p *Policies) addKeyPolicy(r resolver, id string, props map[string]any) error {
	if props["KeyPolicy"] == nil {
		return nil
	}
	doc, err := document(r, props["KeyPolicy"])
	if err != nil {
		return err
	}
	arn, err := r.getAtt([]any{id, "Arn"})
	if err != nil {
		return err
	}
	p.Resources[fmt.Sprint(arn)] = NamedPolicy{Name: id, Policy: doc}
	return nil
}

// keyARN returns a KMS key's ARN in r's account and region (see KeyARN).
func (r resolver) keyARN(key string) string { return KeyARN(r.env, key) }

// KeyARN returns a KMS key's ARN from a key id, an alias name (alias/NAME) or an ARN, as
// BucketEncryption and DataCaptureConfig.KmsKeyId accept each, in env's account and region.
func KeyARN(env topology.Env, key string) string {
	if strings.HasPrefix(key, "arn:") {
		return key
	}
	if !strings.HasPrefix(key, "alias/") {
		key = "key/" + key
	}
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", env.Partition, env.Region, env.Account, key)
}

// implicitKMS returns the KMS calls S3 makes for c on the caller's behalf when c reads or
// writes an object of a bucket the template encrypts with a customer managed key:
// kms:Decrypt for s3:GetObject, kms:GenerateDataKey for s3:PutObject (the S3 user guide's
// "Permissions for SSE-KMS"), with the condition keys KMS sees on a call made through S3.
// Other calls, and objects of other buckets, need none.
func (p *Policies) implicitKMS(c Call) []Call {
	if p == nil || c.noKMS {
		return nil
	}
	var action string
	switch c.Action {
	case "s3:GetObject":
		action = "kms:Decrypt"
	case "s3:PutObject":
		action = "kms:GenerateDataKey"
	default:
		return nil
	}
	rest, ok := strings.CutPrefix(c.Resource, "arn:aws:s3:::")
	if !ok {
		return nil
	}
	bucket, _, _ := strings.Cut(rest, "/")
	bk, ok := p.BucketKeys[bucket]
	if !ok {
		return nil
	}
	return []Call{KMSCall(action, bk.KeyARN, c, bk.BucketKeyEnabled)}
}

// KMSCall returns the KMS call action on keyARN that S3 makes for the object call c: in the
// key's region, through S3 (kms:ViaService), with S3's encryption context (the bucket's ARN
// with Bucket Keys, else the object's).
func KMSCall(action, keyARN string, c Call, bucketKey bool) Call {
	region := ""
	if parts := strings.SplitN(keyARN, ":", 6); len(parts) == 6 {
		region = parts[3]
	}
	ctxARN := c.Resource
	if bucketKey {
		rest := strings.TrimPrefix(c.Resource, "arn:aws:s3:::")
		b, _, _ := strings.Cut(rest, "/")
		ctxARN = "arn:aws:s3:::" + b
	}
	ctx := secure()
	ctx["kms:ViaService"] = "s3." + region + ".amazonaws.com"
	ctx["kms:EncryptionContext:aws:s3:arn"] = ctxARN
	return Call{Action: action, Resource: keyARN, Context: ctx}
}
