package eventbus_test

import (
	"context"
	"fmt"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/eventbus"
)

// A rule with an input transformer on the default bus, and a Lambda target that prints what
// it receives.
func Example() {
	svc, err := eventbus.New(eventbus.Config{
		Account: "000000000000", Region: "us-east-1",
		Clock: clock.NewVirtual(time.Date(2026, 11, 22, 19, 0, 0, 0, time.UTC)),
		NewID: func() string { return "6f1c2a8e-3b4d-4c1a-9e7f-2d5b8a0c4e11" },
		Lambda: eventbus.InvokerFunc(func(_ context.Context, function string, payload []byte) error {
			fmt.Printf("%s <- %s\n", function, payload)
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}
	err = svc.PutRule(eventbus.Rule{
		Name:         "pushes",
		EventPattern: `{"source":["kiln.git"],"detail":{"deleted":[false]}}`,
		Targets: []eventbus.Target{{
			ID:  "trigger",
			ARN: "arn:aws:lambda:us-east-1:000000000000:function:kiln-local-trigger",
			InputTransformer: &eventbus.InputTransformer{
				InputPathsMap: map[string]string{"branch": "$.detail.branch", "type": "$.detail-type"},
				InputTemplate: `{"branch": <branch>, "what": "<type> via <aws.events.rule-name>"}`,
			},
		}},
	})
	if err != nil {
		panic(err)
	}
	res, err := svc.PutEvents(context.Background(), []eventbus.Entry{
		{Source: "kiln.git", DetailType: "Git Push", Detail: `{"branch":"main","deleted":false}`},
		{Source: "kiln.git", DetailType: "Git Push", Detail: `not json`},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("failed:", res.FailedEntryCount, res.Entries[1].ErrorCode)
	_ = svc.Wait(context.Background())
	// Output:
	// failed: 1 MalformedDetail
	// kiln-local-trigger <- {"branch": "main", "what": "Git Push via pushes"}
}
