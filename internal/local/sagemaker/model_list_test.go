package sagemaker

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModelsAndEndpointConfigsAreListedAndDeleted(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	h.release(t, "m1", "one")
	h.release(t, "m2", "two")
	_, err := h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("m1-config")})
	require.NoError(t, err)

	models, err := h.api.ListModels(ctx, &awssm.ListModelsInput{SortBy: "Name", SortOrder: "Ascending"})
	require.NoError(t, err)
	var names []string
	for _, m := range models.Models {
		names = append(names, aws.ToString(m.ModelName))
	}
	assert.Equal(t, []string{"m1", "m2"}, names)
	configs, err := h.api.ListEndpointConfigs(ctx, &awssm.ListEndpointConfigsInput{NameContains: aws.String("m2")})
	require.NoError(t, err)
	require.Len(t, configs.EndpointConfigs, 1)
	assert.Equal(t, "m2-config", aws.ToString(configs.EndpointConfigs[0].EndpointConfigName))

	refused := []struct {
		name string
		call func() error
	}{
		{"a model an endpoint serves is not deleted", func() error {
			_, err := h.api.DeleteModel(ctx, &awssm.DeleteModelInput{ModelName: aws.String("m1")})
			return err
		}},
		{"a config an endpoint runs is not deleted", func() error {
			_, err := h.api.DeleteEndpointConfig(ctx, &awssm.DeleteEndpointConfigInput{EndpointConfigName: aws.String("m1-config")})
			return err
		}},
		{"a missing model is a validation error", func() error {
			_, err := h.api.DeleteModel(ctx, &awssm.DeleteModelInput{ModelName: aws.String("nope")})
			return err
		}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			var ae smithy.APIError
			require.ErrorAs(t, tt.call(), &ae)
			assert.Equal(t, "ValidationException", ae.ErrorCode())
		})
	}

	_, err = h.api.DeleteEndpointConfig(ctx, &awssm.DeleteEndpointConfigInput{EndpointConfigName: aws.String("m2-config")})
	require.NoError(t, err)
	_, err = h.api.DeleteModel(ctx, &awssm.DeleteModelInput{ModelName: aws.String("m2")})
	require.NoError(t, err)
	models, err = h.api.ListModels(ctx, &awssm.ListModelsInput{})
	require.NoError(t, err)
	require.Len(t, models.Models, 1)
	assert.Equal(t, "m1", aws.ToString(models.Models[0].ModelName))
	_, err = h.api.DescribeEndpointConfig(ctx, &awssm.DescribeEndpointConfigInput{EndpointConfigName: aws.String("m2-config")})
	require.Error(t, err, "the deleted config is gone")
}
