package eventpattern_test

import (
	"fmt"

	"github.com/kiln-dev/kiln/internal/eventpattern"
)

func ExampleCompile() {
	p, err := eventpattern.Compile([]byte(`{
		"source": ["aws.cloudwatch"],
		"detail-type": ["CloudWatch Alarm State Change"],
		"detail": {"alarmName": [{"prefix": "kiln-drift-"}], "state": {"value": ["ALARM"]}}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	ok, err := p.Match([]byte(`{"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change",
		"detail": {"alarmName": "kiln-drift-abalone", "state": {"value": "ALARM", "reason": "drift"}}}`))
	fmt.Println(ok, err)

	_, err = eventpattern.Compile([]byte(`{"detail": {"state": {"value": "ALARM"}}}`))
	fmt.Println(err)
	// Output:
	// true <nil>
	// event pattern is not valid: at detail.state.value: a field's value must be an array of values or an object, not a string
}

func ExampleMatcher() {
	m := eventpattern.NewMatcher()
	_ = m.Add("approval", []byte(`{"source": ["aws.sagemaker"], "detail": {"ModelApprovalStatus": ["Approved", "Rejected"]}}`))
	_ = m.Add("audit", []byte(`{"source": [{"prefix": "aws."}]}`))
	names, err := m.Match([]byte(`{"source": "aws.sagemaker", "detail": {"ModelApprovalStatus": "Approved"}}`))
	fmt.Println(names, err)
	// Output: [approval audit] <nil>
}
