package main

import (
	"fmt"
	"slices"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// stageImages returns the ECR image of every model in stage (the stage's overrides
// applied), as written, placeholders kept. SageMaker pulls training and serving images from
// ECR only, so an image elsewhere is an error naming the model, the stage and the fix.
func stageImages(p *policy.Policy, stage string) ([]policy.ECRImage, error) {
	var out []policy.ECRImage
	for i, m := range p.Models {
		train, serve := m.ImagesFor(stage)
		for _, ref := range []string{train, serve} {
			img, ok := policy.ParseECR(ref)
			if !ok {
				return nil, fmt.Errorf("policy models[%d] (%s) runs image %q in stage %s, which is not an ECR reference: "+
					"SageMaker pulls only from ECR; name it ${Account}.dkr.ecr.${Region}.amazonaws.com/REPOSITORY:TAG "+
					"(or another account's registry) and push it there (docs/aws.md)", i, m.Name, ref, stage)
			}
			if _, err := topology.ResolveImage(ref, topology.Local(stage)); err != nil {
				return nil, fmt.Errorf("policy models[%d] (%s): %w", i, m.Name, err)
			}
			out = append(out, img)
		}
	}
	return out, nil
}

// ecrRepositoryARNs returns the ARN of every repository the stage's images live in, each
// once, sorted, with the placeholders filled from the stack's own values (CloudFormation
// expressions for ${Account}, ${Region} and ${Partition}).
func (k *kiln) ecrRepositoryARNs() []string {
	images, err := stageImages(k.props.Policy, k.props.Stage)
	if err != nil {
		panic("infra: " + err.Error())
	}
	var out []string
	for _, img := range images {
		arn, err := statemachines.Substitute([]byte(img.RepositoryARN("${Partition}")), topology.Placeholders(k.env))
		if err != nil {
			panic("infra: " + err.Error())
		}
		out = append(out, string(arn))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
