package sagemaker

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A DeleteEndpoint that arrives while the service closes used to remove the record and then
// count its stopping goroutine in the wait group after Close had stopped waiting: the count
// is now taken under the lock, and only while the service is open.
func TestADeleteEndpointDuringCloseChangesNothing(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	h.release(t, "closing", "v1")
	_, err := h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("closing-ep"), EndpointConfigName: aws.String("closing-config")})
	require.NoError(t, err)
	h.waitStatus(t, "closing-ep", types.EndpointStatusInService)
	h.stop(t)

	err = h.callErr("DeleteEndpoint", map[string]string{"EndpointName": "closing-ep"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shutting down")
	_, err = h.svc.DeploymentHistory("closing-ep")
	assert.NoError(t, err, "the endpoint's record is still there for the next start")
}
