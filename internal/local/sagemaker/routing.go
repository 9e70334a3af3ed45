package sagemaker

import "math"

// Traffic-routing sizes are checked twice, as SageMaker checks them: their shape with the
// request (validateDeploymentConfig: CAPACITY_PERCENT canary 1–50, linear step 10–50), and
// against the fleet once the new endpoint config is known (checkRoutingFits). SageMaker's
// TrafficRoutingConfig reference says a CanarySize "must be less than or equal to 50% of the
// variant's total instance count" and a LinearStepSize "must be 10-50% of the variant's total
// instance count" (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html).
// A fleet moves whole instances, so a percentage becomes ceil(percent × count / 100) instances
// (at least one): a one-instance variant can take no canary and no linear step at all.

// stepInstances returns how many of count instances a capacity size turns on in one step.
func stepInstances(c *capacitySize, count int) int {
	if c.Type == "INSTANCE_COUNT" {
		return int(c.Value)
	}
	return max(1, int(math.Ceil(c.Value*float64(count)/100-1e-9)))
}

// checkRoutingFits refuses a CANARY or LINEAR deployment whose step cannot be met by the
// instance count of a variant of the endpoint config being deployed; nil for other
// deployments and for serverless variants (no instance count).
func checkRoutingFits(dc *deploymentConfig, cfg *endpointConfig) error {
	if dc == nil || dc.BlueGreenUpdatePolicy == nil || dc.BlueGreenUpdatePolicy.TrafficRoutingConfiguration == nil {
		return nil
	}
	tr := dc.BlueGreenUpdatePolicy.TrafficRoutingConfiguration
	field, size, lo := "", (*capacitySize)(nil), 0.0
	switch tr.Type {
	case "CANARY":
		field, size = "CanarySize", tr.CanarySize
	case "LINEAR":
		field, size, lo = "LinearStepSize", tr.LinearStepSize, 0.10
	default:
		return nil
	}
	if size == nil {
		return nil
	}
	for _, v := range cfg.ProductionVariants {
		count := v.InitialInstanceCount
		if count == 0 {
			continue
		}
		n := stepInstances(size, count)
		share := float64(n) / float64(count)
		if share > 0.5+1e-9 || share < lo-1e-9 {
			want := "at most 50%"
			if lo > 0 {
				want = "between 10% and 50%"
			}
			return validationf("TrafficRoutingConfiguration.%s (%s %g) turns on %d of the %d instances of variant %s in endpoint config %s; it must be %s of the variant's total instance count.",
				field, size.Type, size.Value, n, count, v.VariantName, cfg.EndpointConfigName, want)
		}
	}
	return nil
}
