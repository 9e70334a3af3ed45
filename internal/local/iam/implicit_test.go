package iam

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/kiln-dev/kiln/internal/topology"
)

// authorizerWithout returns an enforcing authorizer over a copy of the prod template from
// which every action of policy resource id starting with prefix is removed.
func authorizerWithout(t *testing.T, id, prefix string) *Authorizer {
	t.Helper()
	b, err := os.ReadFile("testdata/kiln-prod.template.json")
	if err != nil {
		t.Fatal(err)
	}
	var tpl map[string]any
	if err := json.Unmarshal(b, &tpl); err != nil {
		t.Fatal(err)
	}
	res := tpl["Resources"].(map[string]any)[id].(map[string]any)
	removed := 0
	for _, s := range res["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		st := s.(map[string]any)
		actions, ok := st["Action"].([]any)
		if !ok {
			actions = []any{st["Action"]}
		}
		keep := []any{}
		for _, a := range actions {
			if !strings.HasPrefix(a.(string), prefix) {
				keep = append(keep, a)
			}
		}
		removed += len(actions) - len(keep)
		st["Action"] = keep
	}
	if removed == 0 {
		t.Fatalf("%s grants nothing starting with %s", id, prefix)
	}
	out, _ := json.Marshal(tpl)
	parsed, err := ParseTemplate(out)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parsed.Policies(topology.Local("prod"))
	if err != nil {
		t.Fatal(err)
	}
	s := startSidecar(t)
	if err := p.Define(s); err != nil {
		t.Fatal(err)
	}
	return NewAuthorizer(ModeEnforce, s, p, "000000000000", nil)
}

func TestTheTemplatesBucketKeyIsRead(t *testing.T) {
	p := prodPolicies(t)
	bk, ok := p.BucketKeys[topology.ArtifactsBucket(topology.Local("prod"))]
	if !ok || !strings.HasPrefix(bk.KeyARN, "arn:aws:kms:us-east-1:000000000000:key/") || !bk.BucketKeyEnabled {
		t.Fatalf("got %+v (found %v), want the artifacts bucket's key with Bucket Keys on", bk, ok)
	}
}

// TestObjectCallsOfAnEncryptedBucketNeedTheKey: S3 calls KMS with the caller's permissions,
// so a role that may put an object but not generate a data key is denied, naming kms.
func TestObjectCallsOfAnEncryptedBucketNeedTheKey(t *testing.T) {
	bucket := "arn:aws:s3:::" + topology.ArtifactsBucket(topology.Local("prod"))
	evaluate := "arn:aws:iam::000000000000:role/kiln-prod-evaluate-fn"
	put := Call{Action: "s3:PutObject", Resource: bucket + "/baselines/abalone/b.json", Context: secure()}
	get := Call{Action: "s3:GetObject", Resource: bucket + "/evaluations/abalone/e.json", Context: secure()}
	full := prodAuthorizer(t, ModeEnforce)
	if err := full.Authorize(context.Background(), full.RolePrincipal(evaluate, "t"), put, get); err != nil {
		t.Fatalf("with the synthesized template: got %v, want allowed", err)
	}
	a := authorizerWithout(t, "EvaluateRoleDefaultPolicy63FAA051", "kms:GenerateDataKey")
	err := a.Authorize(context.Background(), a.RolePrincipal(evaluate, "t"), put)
	var denied *AccessDeniedError
	if !errors.As(err, &denied) || denied.Action != "kms:GenerateDataKey" || !strings.Contains(denied.Resource, ":kms:") {
		t.Fatalf("PutObject without kms:GenerateDataKey: got %v, want AccessDenied on kms:GenerateDataKey on the key", err)
	}
	if err := a.Authorize(context.Background(), a.RolePrincipal(evaluate, "t"), get); err != nil {
		t.Errorf("GetObject needs kms:Decrypt only, which the role keeps: got %v", err)
	}
}

// TestAMissingObjectIsNotFoundOnlyToWhoMayList drives the middleware with the SDK: a read of a
// missing key answers 404 NoSuchKey to a role that may list the prefix, and 403 AccessDenied
// to one that may not; an existing object reads the same either way.
func TestAMissingObjectIsNotFoundOnlyToWhoMayList(t *testing.T) {
	env := topology.Local("prod")
	bucket := topology.ArtifactsBucket(env)
	backend := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/present.json") {
			_, _ = w.Write([]byte("{}"))
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`))
	})
	key := AccessKeyID("kiln-prod-evaluate-fn", "kiln-prod-evaluate")
	cases := []struct {
		name     string
		a        *Authorizer
		object   string
		wantCode string
	}{
		{"a role that may list the prefix learns the key is missing", prodAuthorizer(t, ModeEnforce), "evaluations/abalone/missing.json", "NoSuchKey"},
		{"a role that may not list is denied", authorizerWithout(t, "EvaluateRoleDefaultPolicy63FAA051", "s3:ListBucket"), "evaluations/abalone/missing.json", "AccessDenied"},
		{"an existing object reads without the list grant", authorizerWithout(t, "EvaluateRoleDefaultPolicy63FAA051", "s3:ListBucket"), "evaluations/abalone/present.json", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.a.Middleware(env, backend))
			defer srv.Close()
			client := awss3.NewFromConfig(sdkConfig(srv.URL, key), func(o *awss3.Options) { o.UsePathStyle = true })
			_, err := client.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(c.object)})
			if c.wantCode == "" {
				if err != nil {
					t.Fatalf("got %v, want the object", err)
				}
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != c.wantCode {
				t.Fatalf("got %v, want %s", err, c.wantCode)
			}
			if c.wantCode == "AccessDenied" && !strings.Contains(apiErr.ErrorMessage(), "s3:ListBucket") {
				t.Errorf("got message %q, want it to name s3:ListBucket", apiErr.ErrorMessage())
			}
		})
	}
}

func TestECRPullCalls(t *testing.T) {
	calls, ok := ECRPullCalls("000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln/abalone-train:latest")
	if !ok || len(calls) != 4 {
		t.Fatalf("got %v %v, want four calls", calls, ok)
	}
	if calls[0].Action != "ecr:GetAuthorizationToken" || calls[0].Resource != "*" {
		t.Errorf("got %+v, want GetAuthorizationToken on *", calls[0])
	}
	if calls[3].Action != "ecr:BatchGetImage" || calls[3].Resource != "arn:aws:ecr:us-east-1:000000000000:repository/kiln/abalone-train" {
		t.Errorf("got %+v, want BatchGetImage on the repository", calls[3])
	}
	for _, image := range []string{"kiln/abalone-train:latest", "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/x:1", "ghcr.io/a/b:1"} {
		if calls, ok := ECRPullCalls(image); ok {
			t.Errorf("%s: got %v, want no ECR calls", image, calls)
		}
	}
}
