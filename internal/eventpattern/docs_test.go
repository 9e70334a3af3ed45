package eventpattern

import "testing"

// The cases below are kiln's own transcription of the pattern/event/expected triples in the
// Amazon EventBridge User Guide, with the page each comes from named above its group. Where a
// page shows a pattern without an event, the event is the page's example event (or the EC2
// state-change event of "Creating Amazon EventBridge event patterns") with the field the
// pattern names set as the text says it matches.

// ec2Event is the EC2 instance state-change event used across the event-pattern pages.
const ec2Event = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}
}`

func TestDocumentationExamples(t *testing.T) {
	var cases []matchCase

	// Page: "Creating Amazon EventBridge event patterns" (eb-event-patterns.html).
	cases = append(cases,
		matchCase{"the EC2 termination pattern matches the EC2 termination event",
			`{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}`, ec2Event, true},
		matchCase{"the EC2 termination pattern does not match a running instance",
			`{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}`,
			`{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{"state":"running"}}`, false},
		matchCase{"a pattern listing two sources matches either",
			`{"source":["aws.ec2","aws.fargate"]}`, ec2Event, true},
	)

	// Page: "Matching events on null values and empty strings in Amazon EventBridge"
	// (eb-event-patterns-null-values.html).
	const autoscaling = `{"version":"0","id":"3e3c153a-8339-4e30-8c35-687ebef853fe","detail-type":"EC2 Instance Launch Successful",
		"source":"aws.autoscaling","account":"123456789012","time":"2015-11-11T21:31:47Z","region":"us-east-1","resources":[],
		"detail":{"eventVersion":"","responseElements":null}}`
	cases = append(cases,
		matchCase{"the empty-string pattern matches the empty eventVersion", `{"detail":{"eventVersion":[""]}}`, autoscaling, true},
		matchCase{"the null pattern matches the null responseElements", `{"detail":{"responseElements":[null]}}`, autoscaling, true},
		matchCase{"the empty-string pattern does not match the null field", `{"detail":{"responseElements":[""]}}`, autoscaling, false},
		matchCase{"the null pattern does not match the empty-string field", `{"detail":{"eventVersion":[null]}}`, autoscaling, false},
	)

	// Page: "Arrays in Amazon EventBridge event patterns" (eb-event-patterns-arrays.html).
	cases = append(cases,
		matchCase{"a pattern array matches an event array sharing one element",
			`{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f","arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}`,
			`{"resources":["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate","arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`, true},
		matchCase{"a pattern array does not match an event array sharing nothing",
			`{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`,
			`{"resources":["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b"]}`, false},
	)

	// Page: "Content filtering in Amazon EventBridge event patterns"
	// (eb-event-patterns-content-based-filtering.html).
	cases = append(cases,
		matchCase{"prefix matching on time matches the same day", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-02T18:43:48Z"}`, true},
		matchCase{"prefix matching ignoring case matches EVENTB", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"EVENTBRIDGE"}}`, true},
		matchCase{"suffix matching matches a png file", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"photo.png"}`, true},
		matchCase{"suffix matching ignoring case matches .PNG", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"photo.PNG"}}`, true},
		matchCase{"anything-but initializing matches the terminated state", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, ec2Event, true},
		matchCase{"anything-but 123 does not match 123", `{"detail":{"x-limit":[{"anything-but":123}]}}`, `{"detail":{"x-limit":123}}`, false},
		matchCase{"anything-but a string list does not match stopped", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"stopped"}}`, false},
		matchCase{"anything-but a number list matches 150", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":150}}`, true},
		matchCase{"anything-but prefix init does not match initializing", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"initializing"}}`, false},
		matchCase{"anything-but suffix .txt matches a png", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"photo.png"}}`, true},
		matchCase{"anything-but ignoring case does not match INITIALIZING", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}}`, `{"detail":{"state":"INITIALIZING"}}`, false},
		matchCase{"anything-but wildcard does not match a path under lib", `{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"FilePath":"/usr/lib/libc.so"}`, false},
		matchCase{"numeric matching matches the documented counts",
			`{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`,
			`{"detail":{"c-count":5,"d-count":7,"x-limit":301.8}}`, true},
		matchCase{"numeric matching fails when one count is out of range",
			`{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`,
			`{"detail":{"c-count":6,"d-count":7,"x-limit":301.8}}`, false},
		matchCase{"IP address matching matches an address in 10.0.0.0/24", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":"10.0.0.42"}}`, true},
		matchCase{"exists true matches the EC2 state", `{"detail":{"state":[{"exists":true}]}}`, ec2Event, true},
		matchCase{"exists false matches the EC2 event without c-count", `{"detail":{"c-count":[{"exists":false}]}}`, ec2Event, true},
		matchCase{"exists false does not match the EC2 state", `{"detail":{"state":[{"exists":false}]}}`, ec2Event, false},
		matchCase{"equals-ignore-case matches the detail-type in lower case", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, ec2Event, true},
		matchCase{"wildcard matching matches an event bus ARN", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/kiln"}`, true},
		matchCase{"the complex example matches an event meeting every condition",
			`{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}]}}`,
			`{"time":"2017-10-02T18:43:48Z","detail":{"state":"running","c-count":3,"d-count":2,"x-limit":150}}`, true},
		matchCase{"the complex example rejects an initializing state",
			`{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}]}}`,
			`{"time":"2017-10-02T18:43:48Z","detail":{"state":"initializing","c-count":3,"d-count":2,"x-limit":150}}`, false},
		matchCase{"the $or of counts matches on x-limit alone",
			`{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}`,
			`{"detail":{"x-limit":301.8}}`, true},
		matchCase{"the $or of metric and namespace matches on namespace",
			`{"source":["aws.ec2"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`,
			`{"source":"aws.ec2","metricName":"NetworkIn","namespace":"AWS/EC2"}`, true},
		matchCase{"the $or of metric and namespace still needs the source",
			`{"source":["aws.ec2"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`,
			`{"source":"aws.rds","metricName":"CPUUtilization"}`, false},
	)
	// Page: the same, in its note on keys given more than once (only the last one counts).
	cases = append(cases,
		matchCase{"a repeated key uses its last value, so eu-west matches",
			`{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}`, `{"detail":{"location":"eu-west"}}`, true},
		matchCase{"a repeated key uses its last value, so us-east does not match",
			`{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}`, `{"detail":{"location":"us-east"}}`, false},
	)
	// Page: the same, "Exists matching", whose example events show detail fields as arrays.
	cases = append(cases,
		matchCase{"exists false matches an event whose detail has no c-count",
			`{"detail":{"c-count":[{"exists":false}]}}`,
			`{"detail-type":["EC2 Instance State-change Notification"],"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],"detail":{"state":["initializing","running"]}}`, true},
		matchCase{"exists false matches an event whose c-count is an object, not a leaf",
			`{"detail":{"c-count":[{"exists":false}]}}`,
			`{"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["initializing","running"],"c-count":{"c1":100}}}`, true},
		matchCase{"exists true does not match an event without detail.state",
			`{"detail":{"state":[{"exists":true}]}}`,
			`{"detail-type":["EC2 Instance State-change Notification"],"detail":{"c-count":{"c1":100}}}`, false},
	)
	runMatchCases(t, cases)
}
