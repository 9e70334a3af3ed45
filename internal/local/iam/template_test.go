package iam

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kiln-dev/kiln/internal/topology"
)

func prodPolicies(t testing.TB) *Policies {
	t.Helper()
	tpl, err := LoadTemplate("testdata/kiln-prod.template.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := tpl.Policies(topology.Local("prod"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPoliciesResolveToLocalNames(t *testing.T) {
	p := prodPolicies(t)
	env := topology.Local("prod")
	cases := []struct {
		name      string
		got, want string
	}{
		{"a function runs under its own role", p.Functions["kiln-prod-trigger"], "arn:aws:iam::000000000000:role/kiln-prod-trigger-fn"},
		{"a state machine runs under its workflow role", p.StateMachines[topology.StateMachineARN(env, "deploy")], "arn:aws:iam::000000000000:role/kiln-prod-deploy-sfn"},
		{"a schedule runs under the scheduler role", p.Schedules["kiln-prod-retrain-abalone"], "arn:aws:iam::000000000000:role/kiln-prod-scheduler"},
		{"the topic policy is keyed by the topic's ARN", p.Resources[topology.TopicARN(env)].Name, "NotificationsPolicyF9115BC9"},
		{"the bucket policy is keyed by the bucket's ARN", p.Resources["arn:aws:s3:::"+topology.ArtifactsBucket(env)].Name, "ArtifactsPolicy6E9058CC"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
}

func TestPoliciesLeaveNoIntrinsicAndNameEveryStatement(t *testing.T) {
	p := prodPolicies(t)
	if len(p.Roles) != 10 {
		t.Errorf("got %d roles, want 10", len(p.Roles))
	}
	for arn, r := range p.Roles {
		for _, np := range r.Policies {
			s := string(np.Policy)
			if strings.Contains(s, "Fn::") || strings.Contains(s, `"Ref"`) {
				t.Errorf("role %s policy %s keeps an intrinsic: %s", arn, np.Name, s)
			}
			var doc struct{ Statement []struct{ Sid string } }
			if err := json.Unmarshal(np.Policy, &doc); err != nil {
				t.Fatal(err)
			}
			for i, st := range doc.Statement {
				if st.Sid == "" {
					t.Errorf("role %s policy %s statement %d has no Sid", arn, np.Name, i)
				}
			}
		}
	}
	bucket := "arn:aws:s3:::" + topology.ArtifactsBucket(topology.Local("prod"))
	if !strings.Contains(string(p.Roles["arn:aws:iam::000000000000:role/kiln-prod-sagemaker"].Policies[0].Policy), bucket+"/training/*") {
		t.Errorf("the SageMaker role's policy does not name %s/training/*", bucket)
	}
}

func TestIntrinsicsResolve(t *testing.T) {
	r := resolver{env: topology.Local("dev"), resources: map[string]Resource{
		"Bucket": {Type: "AWS::S3::Bucket", Properties: map[string]any{"BucketName": "b"}},
		"Topic":  {Type: "AWS::SNS::Topic", Properties: map[string]any{"TopicName": "t"}},
	}}
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"a pseudo parameter gives the local account", `{"Ref":"AWS::AccountId"}`, `"000000000000"`},
		{"a topic's Ref is its ARN", `{"Ref":"Topic"}`, `"arn:aws:sns:us-east-1:000000000000:t"`},
		{"a bucket's Arn attribute is an S3 ARN", `{"Fn::GetAtt":["Bucket","Arn"]}`, `"arn:aws:s3:::b"`},
		{"a join concatenates resolved parts", `{"Fn::Join":["",[{"Fn::GetAtt":["Bucket","Arn"]},"/x/*"]]}`, `"arn:aws:s3:::b/x/*"`},
		{"a sub fills pseudo parameters and attributes", `{"Fn::Sub":"${AWS::Partition}:${Bucket.Arn}:${!Literal}"}`, `"aws:arn:aws:s3:::b:${Literal}"`},
		{"a sub takes its own variables first", `{"Fn::Sub":["${A}-${AWS::Region}",{"A":{"Ref":"Bucket"}}]}`, `"b-us-east-1"`},
		{"NoValue drops a list element", `[1,{"Ref":"AWS::NoValue"},2]`, `[1,2]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var in any
			if err := json.Unmarshal([]byte(c.in), &in); err != nil {
				t.Fatal(err)
			}
			v, err := r.resolve(in)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(v)
			if string(got) != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestIntrinsicsRefuseWhatTheyCannotResolve(t *testing.T) {
	r := resolver{env: topology.Local("dev"), resources: map[string]Resource{}}
	for _, in := range []string{`{"Ref":"Missing"}`, `{"Fn::ImportValue":"x"}`, `{"Fn::GetAtt":["Missing","Arn"]}`} {
		var v any
		_ = json.Unmarshal([]byte(in), &v)
		if _, err := r.resolve(v); err == nil {
			t.Errorf("%s: got no error", in)
		}
	}
}
