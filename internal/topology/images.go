package topology

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/statemachines"
)

// ImagePlaceholders are the keys of [Placeholders] a policy's image references may use: the
// account, region and partition the stack lives in. The other keys name a stage's resources,
// which no image depends on (a stage's own image is a per-stage override in the policy).
var ImagePlaceholders = []string{"Account", "Region", "Partition"}

// ResolveImage returns ref with its placeholders filled from [Placeholders] of env, as the
// workflows' definitions are filled. A key outside [ImagePlaceholders] is an error naming it.
func ResolveImage(ref string, env Env) (string, error) {
	for _, key := range policy.ImagePlaceholders(ref) {
		if !slices.Contains(ImagePlaceholders, key) {
			return "", fmt.Errorf("image %s uses ${%s}: an image may use only ${%s}", ref, key,
				strings.Join(ImagePlaceholders, "}, ${"))
		}
	}
	out, err := statemachines.Substitute([]byte(ref), Placeholders(env))
	if err != nil {
		return "", fmt.Errorf("resolve image %s: %w", ref, err)
	}
	return string(out), nil
}

// ResolveImages returns a copy of p with every image reference resolved by [ResolveImage]
// for env: the references the deployed functions and kiln local run. Resolving a resolved
// policy changes nothing. An error names the image's path; p is never changed.
func ResolveImages(p *policy.Policy, env Env) (*policy.Policy, error) {
	return p.WithImages(func(ref string) (string, error) { return ResolveImage(ref, env) })
}

// PartitionOf returns the partition of an AWS region: aws-cn for China's regions, aws-us-gov
// for GovCloud's, aws for the rest.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	default:
		return "aws"
	}
}
