package iam

import (
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// ECRPullCalls returns the calls pulling image makes under the role SageMaker runs a job or a
// model with, as the SageMaker developer guide's execution-role page lists them:
// ecr:GetAuthorizationToken on "*", then ecr:BatchCheckLayerAvailability,
// ecr:GetDownloadUrlForLayer and ecr:BatchGetImage on the repository's ARN
// (arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME). It returns false for an image that is
// not an ECR reference (a local-only name such as kiln/abalone-train:latest, which no
// registry authorizes) and for one whose account or region is still a placeholder.
func ECRPullCalls(image string) ([]Call, bool) {
	ref, ok := policy.ParseECR(image)
	if !ok || len(policy.ImagePlaceholders(image)) > 0 {
		return nil, false
	}
	repo := ref.RepositoryARN(topology.PartitionOf(ref.Region))
	calls := []Call{{Action: "ecr:GetAuthorizationToken", Resource: "*", Context: secure()}}
	for _, a := range []string{"ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"} {
		calls = append(calls, Call{Action: a, Resource: repo, Context: secure()})
	}
	return calls, true
}
