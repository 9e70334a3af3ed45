package sagemaker

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/serving"
)

type containerDefinition struct {
	ContainerHostname string            `json:"ContainerHostname,omitempty"`
	Image             string            `json:"Image,omitempty"`
	Mode              string            `json:"Mode,omitempty"`
	ModelDataURL      string            `json:"ModelDataUrl,omitempty"`
	Environment       map[string]string `json:"Environment,omitempty"`
	ModelPackageName  string            `json:"ModelPackageName,omitempty"`
}

type model struct {
	ModelName                string               `json:"ModelName"`
	PrimaryContainer         *containerDefinition `json:"PrimaryContainer,omitempty"`
	ExecutionRoleArn         string               `json:"ExecutionRoleArn"`
	CreationTime             *Time                `json:"CreationTime"`
	ModelArn                 string               `json:"ModelArn"`
	EnableNetworkIsolation   bool                 `json:"EnableNetworkIsolation"`
	DeploymentRecommendation any                  `json:"DeploymentRecommendation,omitempty"`
}

type productionVariant struct {
	VariantName          string   `json:"VariantName"`
	ModelName            string   `json:"ModelName"`
	InitialInstanceCount int      `json:"InitialInstanceCount,omitempty"`
	InstanceType         string   `json:"InstanceType,omitempty"`
	InitialVariantWeight *float64 `json:"InitialVariantWeight,omitempty"`
	ServerlessConfig     any      `json:"ServerlessConfig,omitempty"`
}

// dataCaptureConfig is an endpoint config's DataCaptureConfig.
type dataCaptureConfig = serving.CaptureConfig

type endpointConfig struct {
	EndpointConfigName string              `json:"EndpointConfigName"`
	EndpointConfigArn  string              `json:"EndpointConfigArn"`
	ProductionVariants []productionVariant `json:"ProductionVariants"`
	DataCaptureConfig  *dataCaptureConfig  `json:"DataCaptureConfig,omitempty"`
	KmsKeyID           string              `json:"KmsKeyId,omitempty"`
	CreationTime       *Time               `json:"CreationTime"`
}

func (s *Service) opCreateModel(_ context.Context, body []byte) (any, error) {
	var in struct {
		ModelName              string
		PrimaryContainer       *containerDefinition
		Containers             []containerDefinition
		ExecutionRoleArn       string
		EnableNetworkIsolation bool
		Tags                   []map[string]string
	}
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if err := validName("ModelName", in.ModelName); err != nil {
		return nil, err
	}
	if len(in.Containers) > 0 {
		if in.PrimaryContainer != nil {
			return nil, validationf("PrimaryContainer and Containers cannot both be specified")
		}
		if len(in.Containers) > 1 {
			return nil, validationf("inference pipelines (more than one container) are not supported locally")
		}
		in.PrimaryContainer = &in.Containers[0]
	}
	if in.PrimaryContainer == nil {
		return nil, validationf("1 validation error detected: either PrimaryContainer or Containers must be specified")
	}
	c := in.PrimaryContainer
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case c.ModelPackageName != "":
		if c.Image != "" || c.ModelDataURL != "" {
			return nil, validationf("PrimaryContainer.ModelPackageName cannot be combined with Image or ModelDataUrl")
		}
		p := s.packageByNameOrARN(c.ModelPackageName)
		if p == nil {
			return nil, validationf("ModelPackage %s does not exist.", c.ModelPackageName)
		}
		if p.ModelApprovalStatus != Approved {
			return nil, validationf("Model package %s is not approved (ModelApprovalStatus %s): only approved versioned model packages can be deployed", p.ModelPackageArn, p.ModelApprovalStatus)
		}
	case c.Image == "":
		return nil, validationf("1 validation error detected: Value null at 'primaryContainer.image' failed to satisfy constraint: Member must not be null")
	}
	image := c.Image
	if p := s.packageByNameOrARN(c.ModelPackageName); c.ModelPackageName != "" && p != nil {
		var spec inferenceSpecification
		if json.Unmarshal(p.InferenceSpecification, &spec) == nil && len(spec.Containers) > 0 {
			image = spec.Containers[0].Image
		}
	}
	if err := s.checkEnvironment("PrimaryContainer.Environment", image, c.Environment, 1024); err != nil {
		return nil, err
	}
	if c.ModelDataURL != "" {
		if _, _, err := parseS3URI(c.ModelDataURL); err != nil {
			return nil, validationf("PrimaryContainer.ModelDataUrl: %s", apiMessage(err))
		}
	}
	if err := required("ExecutionRoleArn", in.ExecutionRoleArn); err != nil {
		return nil, err
	}
	if _, dup := s.models[in.ModelName]; dup {
		return nil, validationf("Cannot create already existing model %q.", s.arn("model", strings.ToLower(in.ModelName)))
	}
	m := &model{
		ModelName:              in.ModelName,
		PrimaryContainer:       c,
		ExecutionRoleArn:       in.ExecutionRoleArn,
		CreationTime:           newTime(s.now()),
		ModelArn:               s.arn("model", strings.ToLower(in.ModelName)),
		EnableNetworkIsolation: in.EnableNetworkIsolation,
	}
	if err := putRecord(s, bucketModels, s.models, m.ModelName, m); err != nil {
		return nil, err
	}
	return map[string]string{"ModelArn": m.ModelArn}, nil
}

func (s *Service) opDescribeModel(_ context.Context, body []byte) (any, error) {
	var in struct{ ModelName string }
	if err := decodeRequired(body, &in, "ModelName", &in.ModelName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.models[in.ModelName]
	if !ok {
		return nil, validationf("Could not find model %q.", s.arn("model", strings.ToLower(in.ModelName)))
	}
	return cloneJSON(m)
}

// servingContainer resolves the image, model data and environment a model serves with
// (through its model package when it names one). Callers hold s.mu.
func (s *Service) servingContainer(modelName string) (image, modelData string, env map[string]string, err error) {
	m, ok := s.models[modelName]
	if !ok {
		return "", "", nil, fmt.Errorf("model %s does not exist", modelName)
	}
	c := m.PrimaryContainer
	if c.ModelPackageName == "" {
		return c.Image, c.ModelDataURL, c.Environment, nil
	}
	p := s.packageByNameOrARN(c.ModelPackageName)
	if p == nil {
		return "", "", nil, fmt.Errorf("model package %s of model %s does not exist", c.ModelPackageName, modelName)
	}
	var spec inferenceSpecification
	if err := json.Unmarshal(p.InferenceSpecification, &spec); err != nil || len(spec.Containers) == 0 {
		return "", "", nil, fmt.Errorf("model package %s has no inference container", p.ModelPackageArn)
	}
	pc := spec.Containers[0]
	env = map[string]string{}
	for k, v := range pc.Environment {
		env[k] = v
	}
	for k, v := range c.Environment {
		env[k] = v
	}
	return pc.Image, pc.ModelDataURL, env, nil
}

func (s *Service) opCreateEndpointConfig(_ context.Context, body []byte) (any, error) {
	var in struct {
		EndpointConfigName string
		ProductionVariants []productionVariant
		DataCaptureConfig  *dataCaptureConfig
		KmsKeyID           string `json:"KmsKeyId"`
		Tags               []map[string]string
	}
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	if err := validName("EndpointConfigName", in.EndpointConfigName); err != nil {
		return nil, err
	}
	if len(in.ProductionVariants) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'productionVariants' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(in.ProductionVariants) > 10 {
		return nil, validationf("an endpoint config holds at most 10 production variants, got %d", len(in.ProductionVariants))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names := map[string]bool{}
	for i := range in.ProductionVariants {
		v := &in.ProductionVariants[i]
		if err := validName(fmt.Sprintf("ProductionVariants.%d.VariantName", i+1), v.VariantName); err != nil {
			return nil, err
		}
		if names[v.VariantName] {
			return nil, validationf("variant names must be unique: %s appears twice", v.VariantName)
		}
		names[v.VariantName] = true
		if _, ok := s.models[v.ModelName]; !ok {
			return nil, validationf("Could not find model %q.", s.arn("model", strings.ToLower(v.ModelName)))
		}
		if v.ServerlessConfig == nil && v.InitialInstanceCount < 1 {
			return nil, validationf("ProductionVariants.%d.InitialInstanceCount must be at least 1", i+1)
		}
		if v.InitialVariantWeight == nil {
			one := 1.0
			v.InitialVariantWeight = &one
		}
		if *v.InitialVariantWeight < 0 {
			return nil, validationf("ProductionVariants.%d.InitialVariantWeight must not be negative", i+1)
		}
	}
	if d := in.DataCaptureConfig; d != nil {
		if d.InitialSamplingPercentage < 0 || d.InitialSamplingPercentage > 100 {
			return nil, validationf("DataCaptureConfig.InitialSamplingPercentage must be between 0 and 100, got %d", d.InitialSamplingPercentage)
		}
		if _, _, err := parseS3URI(d.DestinationS3Uri); err != nil {
			return nil, validationf("DataCaptureConfig.DestinationS3Uri: %s", apiMessage(err))
		}
		if len(d.CaptureOptions) == 0 {
			return nil, validationf("DataCaptureConfig.CaptureOptions must hold Input, Output or both")
		}
		for _, o := range d.CaptureOptions {
			if o.CaptureMode != "Input" && o.CaptureMode != "Output" && o.CaptureMode != "InputAndOutput" {
				return nil, validationf("DataCaptureConfig.CaptureOptions: CaptureMode %q is not Input, Output or InputAndOutput", o.CaptureMode)
			}
		}
	}
	if _, dup := s.configs[in.EndpointConfigName]; dup {
		return nil, validationf("Cannot create already existing endpoint configuration %q.", s.arn("endpoint-config", strings.ToLower(in.EndpointConfigName)))
	}
	c := &endpointConfig{
		EndpointConfigName: in.EndpointConfigName,
		EndpointConfigArn:  s.arn("endpoint-config", strings.ToLower(in.EndpointConfigName)),
		ProductionVariants: in.ProductionVariants,
		DataCaptureConfig:  in.DataCaptureConfig,
		KmsKeyID:           in.KmsKeyID,
		CreationTime:       newTime(s.now()),
	}
	if err := putRecord(s, bucketConfigs, s.configs, c.EndpointConfigName, c); err != nil {
		return nil, err
	}
	return map[string]string{"EndpointConfigArn": c.EndpointConfigArn}, nil
}

func (s *Service) opDescribeEndpointConfig(_ context.Context, body []byte) (any, error) {
	var in struct{ EndpointConfigName string }
	if err := decodeRequired(body, &in, "EndpointConfigName", &in.EndpointConfigName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.configs[in.EndpointConfigName]
	if !ok {
		return nil, validationf("Could not find endpoint configuration %q.", s.arn("endpoint-config", strings.ToLower(in.EndpointConfigName)))
	}
	return cloneJSON(c)
}
