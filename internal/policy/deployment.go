package policy

// DeploymentConfig returns the SageMaker DeploymentConfig for an UpdateEndpoint that applies
// d with automatic rollback on the named alarms (1 to 10 of them, as SageMaker allows), in
// the API's JSON shape: a BlueGreenUpdatePolicy whose TrafficRoutingConfiguration is
// ALL_AT_ONCE, CANARY (CanarySize) or LINEAR (LinearStepSize), with CAPACITY_PERCENT sizes.
func (d Deployment) DeploymentConfig(alarms []string) map[string]any {
	routing := map[string]any{
		"Type":                  d.Strategy,
		"WaitIntervalInSeconds": d.WaitSeconds,
	}
	step := map[string]any{"Type": "CAPACITY_PERCENT", "Value": d.StepPercent}
	switch d.Strategy {
	case StrategyCanary:
		routing["CanarySize"] = step
	case StrategyLinear:
		routing["LinearStepSize"] = step
	}
	cfg := map[string]any{
		"BlueGreenUpdatePolicy": map[string]any{
			"TrafficRoutingConfiguration":      routing,
			"TerminationWaitInSeconds":         d.BakeSeconds,
			"MaximumExecutionTimeoutInSeconds": d.MaxExecutionTimeoutSeconds,
		},
	}
	if len(alarms) > 0 {
		list := make([]map[string]string, 0, len(alarms))
		for _, a := range alarms {
			list = append(list, map[string]string{"AlarmName": a})
		}
		cfg["AutoRollbackConfiguration"] = map[string]any{"Alarms": list}
	}
	return cfg
}
