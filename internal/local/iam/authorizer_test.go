package iam

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kiln-dev/kiln/internal/topology"
)

// startSidecar starts the real sidecar with the checkout's node_modules; without them the
// test is skipped, except in CI, where `make tools` installs them and their absence fails.
func startSidecar(t testing.TB) *Sidecar {
	t.Helper()
	root, err := FindModules(".")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	s, err := StartSidecar(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func prodAuthorizer(t testing.TB, mode Mode) *Authorizer {
	t.Helper()
	p := prodPolicies(t)
	s := startSidecar(t)
	if err := p.Define(s); err != nil {
		t.Fatal(err)
	}
	return NewAuthorizer(mode, s, p, "000000000000", nil)
}

func TestAuthorizeDecidesAsTheTemplateGrants(t *testing.T) {
	a := prodAuthorizer(t, ModeEnforce)
	env := topology.Local("prod")
	bucket := "arn:aws:s3:::" + topology.ArtifactsBucket(env)
	role := func(name string) Principal { return a.RolePrincipal("arn:aws:iam::000000000000:role/"+name, "test") }
	secure := map[string]string{"aws:SecureTransport": "true"}
	cases := []struct {
		name    string
		who     Principal
		call    Call
		allowed bool
	}{
		{"the deploy workflow may update the stage's endpoint", role("kiln-prod-deploy-sfn"),
			Call{Action: "sagemaker:UpdateEndpoint", Resource: "arn:aws:sagemaker:us-east-1:000000000000:endpoint/kiln-prod-abalone", Context: secure}, true},
		{"the trigger function may not update an endpoint", role("kiln-prod-trigger-fn"),
			Call{Action: "sagemaker:UpdateEndpoint", Resource: "arn:aws:sagemaker:us-east-1:000000000000:endpoint/kiln-prod-abalone", Context: secure}, false},
		{"SageMaker may read training data", role("kiln-prod-sagemaker"),
			Call{Action: "s3:GetObject", Resource: bucket + "/training/abalone/x.csv", Context: secure}, true},
		{"the bucket policy denies plain HTTP even to a granted role", role("kiln-prod-sagemaker"),
			Call{Action: "s3:GetObject", Resource: bucket + "/training/abalone/x.csv", Context: map[string]string{"aws:SecureTransport": "false"}}, false},
		{"the approval function may complete task tokens, which IAM authorizes on * only", role("kiln-prod-approval-fn"),
			Call{Action: "states:SendTaskSuccess", Resource: "*", Context: secure}, true},
		{"the account root is not restricted", a.RolePrincipal("", ""),
			Call{Action: "sagemaker:DeleteEndpoint", Resource: "*"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := a.Authorize(context.Background(), c.who, c.call)
			if got := err == nil; got != c.allowed {
				t.Errorf("got allowed=%v (%v), want %v", got, err, c.allowed)
			}
			var denied *AccessDeniedError
			if err != nil && (!errors.As(err, &denied) || !strings.Contains(err.Error(), c.call.Action) ||
				!strings.Contains(err.Error(), c.call.Resource) || !strings.Contains(err.Error(), "assumed-role/")) {
				t.Errorf("got %v, want an AccessDeniedError naming principal, action and resource", err)
			}
		})
	}
}

func TestWarnModeAllowsButReports(t *testing.T) {
	a := prodAuthorizer(t, ModeWarn)
	p := a.RolePrincipal("arn:aws:iam::000000000000:role/kiln-prod-trigger-fn", "test")
	c := Call{Action: "sagemaker:DeleteEndpoint", Resource: "arn:aws:sagemaker:us-east-1:000000000000:endpoint/x"}
	if err := a.Authorize(context.Background(), p, c); err != nil {
		t.Fatalf("warn mode denied: %v", err)
	}
	rep := a.Report()
	if rep.Denied != 1 || len(rep.Triples) != 1 || rep.Triples[0].Decision != "ImplicitlyDenied" {
		t.Errorf("got report %+v, want one implicitly denied triple", rep.Triples)
	}
}

func TestReportNamesUsedAndUnusedGrants(t *testing.T) {
	a := prodAuthorizer(t, ModeEnforce)
	p := a.RolePrincipal("arn:aws:iam::000000000000:role/kiln-prod-trigger-fn", "test")
	c := Call{Action: "states:StartExecution", Resource: topology.StateMachineARN(topology.Local("prod"), "pipeline")}
	for range 3 {
		if err := a.Authorize(context.Background(), p, c); err != nil {
			t.Fatal(err)
		}
	}
	rep := a.Report()
	if len(rep.Triples) != 1 || rep.Triples[0].Count != 3 {
		t.Fatalf("got triples %+v, want one used three times", rep.Triples)
	}
	for _, u := range rep.Unused {
		if u.Role == p.RoleARN && u.Action == "states:StartExecution" {
			t.Errorf("the grant that allowed the call is listed unused: %+v", u)
		}
	}
	if len(rep.Unused) == 0 || len(rep.Unused) >= rep.Grants {
		t.Errorf("got %d unused of %d grants, want some but not all", len(rep.Unused), rep.Grants)
	}
}

func TestParseModeRefusesUnknownModes(t *testing.T) {
	for _, s := range []string{"", "on", "ENFORCE"} {
		if _, err := ParseMode(s); err == nil {
			t.Errorf("%q: got no error", s)
		}
	}
}

// BenchmarkDecision measures IAM decisions per second through the sidecar: "uncached" asks
// the simulator each time (a new resource per iteration), "cached" repeats one query.
func BenchmarkDecision(b *testing.B) {
	a := prodAuthorizer(b, ModeEnforce)
	p := a.RolePrincipal("arn:aws:iam::000000000000:role/kiln-prod-deploy-sfn", "bench")
	ctx := context.Background()
	b.Run("uncached", func(b *testing.B) {
		for i := range b.N {
			c := Call{Action: "sagemaker:DescribeEndpoint",
				Resource: "arn:aws:sagemaker:us-east-1:000000000000:endpoint/kiln-prod-abalone-" + strconv.Itoa(i)}
			_ = a.Authorize(ctx, p, c)
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := Call{Action: "sagemaker:DescribeEndpoint", Resource: "arn:aws:sagemaker:us-east-1:000000000000:endpoint/kiln-prod-abalone"}
		for range b.N {
			_ = a.Authorize(ctx, p, c)
		}
	})
	b.Run("cached-encrypted-object", func(b *testing.B) {
		// s3:GetObject of the SSE-KMS bucket: two decisions, the object and its key.
		sm := a.RolePrincipal("arn:aws:iam::000000000000:role/kiln-prod-sagemaker", "bench")
		c := Call{Action: "s3:GetObject", Resource: "arn:aws:s3:::" + topology.ArtifactsBucket(topology.Local("prod")) + "/training/x", Context: secure()}
		for range b.N {
			if err := a.Authorize(ctx, sm, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestEventBridgeInvokesOnlyWhatTheFunctionsPermissionsAllow(t *testing.T) {
	a := prodAuthorizer(t, ModeEnforce)
	env := topology.Local("prod")
	events := Principal{Service: "events.amazonaws.com", Account: env.Account}
	rule := func(name string) map[string]string {
		return map[string]string{"aws:SourceArn": "arn:aws:events:us-east-1:000000000000:rule/" + name, "aws:SourceAccount": env.Account}
	}
	cases := []struct {
		name    string
		call    Call
		allowed bool
	}{
		{"the drift rule may invoke the trigger", Call{Action: "lambda:InvokeFunction", Resource: topology.FunctionARN(env, "trigger"), Context: rule("kiln-prod-drift-alarm")}, true},
		{"the approval rule may invoke the approval function", Call{Action: "lambda:InvokeFunction", Resource: topology.FunctionARN(env, "approval"), Context: rule("kiln-prod-model-approval")}, true},
		{"another rule may not invoke the trigger", Call{Action: "lambda:InvokeFunction", Resource: topology.FunctionARN(env, "trigger"), Context: rule("someone-elses")}, false},
		{"no rule may invoke the evaluate function", Call{Action: "lambda:InvokeFunction", Resource: topology.FunctionARN(env, "evaluate"), Context: rule("kiln-prod-drift-alarm")}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := a.Authorize(context.Background(), events, c.call)
			if got := err == nil; got != c.allowed {
				t.Errorf("got allowed=%v (%v), want %v", got, err, c.allowed)
			}
		})
	}
}
