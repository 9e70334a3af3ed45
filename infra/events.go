package main

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/jsii-runtime-go"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// Delivery limits for rules and schedules: EventBridge's maxima, so a target that is down for
// a while still gets the event, and what cannot be delivered lands in the dead-letter queue.
const (
	maxEventAgeSeconds = 24 * 60 * 60
	maxRetryAttempts   = 185
)

// eventRules creates the kiln bus and every rule of the topology from its pattern file (the
// L1 CfnRule takes the pattern as is), each with its target, retry policy and dead-letter queue.
func (k *kiln) eventRules() {
	bus := awsevents.NewEventBus(k.stack, jsii.String("Bus"), &awsevents.EventBusProps{
		EventBusName: jsii.String(topology.BusName(k.props.Stage)),
	})
	values := k.substitutions()
	for _, r := range topology.Rules {
		raw, err := events.Pattern(r.Pattern)
		if err != nil {
			panic("infra: " + err.Error())
		}
		raw, err = statemachines.Substitute(raw, values)
		if err != nil {
			panic(fmt.Sprintf("infra: rule %s: %v", r.Name, err))
		}
		var pattern map[string]any
		if err := json.Unmarshal(raw, &pattern); err != nil {
			panic(fmt.Sprintf("infra: rule %s: pattern %s: %v", r.Name, r.Pattern, err))
		}
		busName := jsii.String("default")
		if r.Bus == topology.KilnBus {
			busName = bus.EventBusName()
		}
		target := k.functions[r.Target]
		rule := awsevents.NewCfnRule(k.stack, jsii.String(pascal(r.Name)+"Rule"), &awsevents.CfnRuleProps{
			Name:         k.name(r.Name),
			Description:  jsii.String("kiln: " + r.Pattern + " → " + string(r.Target)),
			EventBusName: busName,
			EventPattern: pattern,
			State:        jsii.String("ENABLED"),
			Targets: &[]any{&awsevents.CfnRule_TargetProperty{
				Id:               jsii.String(string(r.Target)),
				Arn:              target.FunctionArn(),
				DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: k.dlq.QueueArn()},
				RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
					MaximumEventAgeInSeconds: jsii.Number(maxEventAgeSeconds),
					MaximumRetryAttempts:     jsii.Number(maxRetryAttempts),
				},
			}},
		})
		target.AddPermission(jsii.String("Invoke"+pascal(r.Name)), &awslambda.Permission{
			Principal: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
			SourceArn: rule.AttrArn(),
		})
		k.allowDeadLetters("events.amazonaws.com", *rule.AttrArn(), pascal(r.Name))
	}
}

// schedules creates an EventBridge Scheduler schedule per topology schedule and model, with a
// role that may invoke exactly its target.
func (k *kiln) schedules() {
	role := awsiam.NewRole(k.stack, jsii.String("SchedulerRole"), &awsiam.RoleProps{
		RoleName: k.name("scheduler"),
		// Scheduler's documentation recommends aws:SourceAccount on the execution role's trust
		// (https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html).
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": k.env.Account}},
		}),
	})
	role.AddToPolicy(statement([]string{"sqs:SendMessage"}, []string{*k.dlq.QueueArn()}))
	role.AddToPolicy(statement([]string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{*k.key.KeyArn()}))
	targets := map[string]bool{}
	// No drift job in a stage that never deploys: it would dead-letter every hour.
	for _, s := range topology.SchedulesFor(k.props.Policy, k.props.Stage) {
		for _, m := range k.props.Policy.Models {
			input, err := json.Marshal(s.Input(m.Name, k.props.Stage))
			if err != nil {
				panic("infra: " + err.Error())
			}
			fn := k.functions[s.Target]
			awsscheduler.NewCfnSchedule(k.stack, jsii.String(pascal(s.Name+"-"+m.Name)+"Schedule"), &awsscheduler.CfnScheduleProps{
				Name:                       jsii.String(topology.ResourceName(k.props.Stage, s.Name+"-"+m.Name)),
				Description:                jsii.String("kiln: " + s.Name + " for " + m.Name),
				ScheduleExpression:         jsii.String(s.Expression),
				ScheduleExpressionTimezone: jsii.String("UTC"),
				FlexibleTimeWindow:         &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
				State:                      jsii.String("ENABLED"),
				Target: &awsscheduler.CfnSchedule_TargetProperty{
					Arn:              fn.FunctionArn(),
					RoleArn:          role.RoleArn(),
					Input:            jsii.String(string(input)),
					DeadLetterConfig: &awsscheduler.CfnSchedule_DeadLetterConfigProperty{Arn: k.dlq.QueueArn()},
					RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{
						MaximumEventAgeInSeconds: jsii.Number(maxEventAgeSeconds),
						MaximumRetryAttempts:     jsii.Number(maxRetryAttempts),
					},
				},
			})
			targets[string(s.Target)] = true
		}
	}
	for _, t := range sortedKeys(targets) {
		role.AddToPolicy(statement([]string{"lambda:InvokeFunction"}, []string{*k.functions[topology.FunctionName(t)].FunctionArn()}))
	}
}

// allowDeadLetters lets a service principal send a source's undeliverable events to the DLQ.
func (k *kiln) allowDeadLetters(service, sourceARN, id string) {
	k.dlq.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("DeadLetters" + id),
		Effect:     awsiam.Effect_ALLOW,
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(service), nil)},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  jsii.Strings(*k.dlq.QueueArn()),
		Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": sourceARN}},
	}))
}
