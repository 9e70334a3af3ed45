package policy

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/kiln-dev/kiln/statemachines"
)

// Image references.
//
// A model's trainingImage and servingImage (and a stage's override of them) are container
// image references as Docker writes them: REGISTRY/REPOSITORY[:TAG][@DIGEST]. On AWS they are
// ECR references, ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG, and may name the
// account and region through the topology's placeholders, ${Account}, ${Region} and
// ${Partition}, written as in the workflows' definitions: the shipped policy's
// "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-train:latest" is the deploying
// account's ECR on AWS and the local account's (000000000000, us-east-1) under kiln local.
// This package only checks the syntax; the topology package owns the table of values and
// resolves them (topology.ResolveImages).

// ModelStage overrides a model's images in one stage: an empty field keeps the model's.
type ModelStage struct {
	TrainingImage string `json:"trainingImage,omitempty"`
	ServingImage  string `json:"servingImage,omitempty"`
}

// ImagesFor returns the training and serving images m runs in stage: the stage's override
// where it names one, else the model's.
func (m Model) ImagesFor(stage string) (training, serving string) {
	training, serving = m.TrainingImage, m.ServingImage
	if o, ok := m.Stages[stage]; ok {
		if o.TrainingImage != "" {
			training = o.TrainingImage
		}
		if o.ServingImage != "" {
			serving = o.ServingImage
		}
	}
	return training, serving
}

// ecrImage matches an ECR image reference, placeholders allowed for the account and region:
// the registry host (with the FIPS variant and China's domain), then the repository.
var ecrImage = regexp.MustCompile(`^(\d{12}|\$\{[A-Za-z0-9_]+\})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+|\$\{[A-Za-z0-9_]+\})\.amazonaws\.com(?:\.cn)?/([^:@]+)(?::[^@]+)?(?:@.+)?$`)

// ImagePlaceholders returns the distinct ${Key} keys in ref, in order of appearance.
func ImagePlaceholders(ref string) []string { return statemachines.Keys(ref) }

// CheckImage returns why ref is not an image reference, or nil. Placeholders (${Key}) may
// stand for any part; a reference whose registry is ECR's must also have ECR's form (a
// 12-digit account or a placeholder, a region or a placeholder).
func CheckImage(ref string) error {
	values := map[string]string{}
	for _, key := range statemachines.Keys(ref) {
		values[key] = "x0"
	}
	plain := string(statemachines.FillKnown([]byte(ref), values))
	if strings.ContainsAny(plain, "${}") {
		return fmt.Errorf("%q has a malformed placeholder: write ${Account}, ${Region} or ${Partition}", ref)
	}
	named, err := reference.ParseNormalizedNamed(plain)
	if err != nil {
		return fmt.Errorf("%q is not an image reference (REGISTRY/REPOSITORY[:TAG][@DIGEST], for ECR "+
			"ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG): %v", ref, err)
	}
	if strings.Contains(reference.Domain(named), ".dkr.ecr") && !ecrImage.MatchString(ref) {
		return fmt.Errorf("%q names an ECR registry but is not ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY "+
			"with a 12-digit account (or ${Account}) and a region (or ${Region})", ref)
	}
	return nil
}

// ECRImage is where an ECR image lives, placeholders kept as written.
type ECRImage struct {
	// Account is the registry's 12-digit account, or a placeholder such as ${Account}.
	Account string
	// Region is the registry's region, or a placeholder such as ${Region}.
	Region string
	// Repository is the repository name, for example kiln/abalone-train.
	Repository string
}

// ParseECR returns the registry and repository of an ECR image reference, and false for a
// reference to any other registry (or no valid reference at all).
func ParseECR(ref string) (ECRImage, bool) {
	if CheckImage(ref) != nil {
		return ECRImage{}, false
	}
	m := ecrImage.FindStringSubmatch(ref)
	if m == nil {
		return ECRImage{}, false
	}
	return ECRImage{Account: m[1], Region: m[2], Repository: m[3]}, true
}

// RepositoryARN returns the ARN of the image's repository in partition (placeholders kept).
func (e ECRImage) RepositoryARN(partition string) string {
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", partition, e.Region, e.Account, e.Repository)
}

// imageFields returns every image reference in p with its path: each model's two, their
// stage overrides, and the images local.images maps, sorted by path.
func (p *Policy) imageFields() map[string]string {
	out := map[string]string{}
	for i, m := range p.Models {
		f := fmt.Sprintf("models[%d]", i)
		out[f+".trainingImage"] = m.TrainingImage
		out[f+".servingImage"] = m.ServingImage
		for stage, o := range m.Stages {
			if o.TrainingImage != "" {
				out[f+".stages."+stage+".trainingImage"] = o.TrainingImage
			}
			if o.ServingImage != "" {
				out[f+".stages."+stage+".servingImage"] = o.ServingImage
			}
		}
	}
	for image := range p.Local.Images {
		out["local.images."+image] = image
	}
	return out
}

// validateImages reports every image that is not a valid reference, and every stage
// override naming a stage the policy lacks, each with its path.
func (p *Policy) validateImages() []error {
	var errs []error
	fields := p.imageFields()
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		if fields[f] == "" {
			continue // a missing image is reported as required
		}
		if err := CheckImage(fields[f]); err != nil {
			errs = append(errs, fmt.Errorf("policy %s: %w", f, err))
		}
	}
	for i, m := range p.Models {
		for _, stage := range slices.Sorted(maps.Keys(m.Stages)) {
			if _, ok := p.Stages[stage]; !ok {
				errs = append(errs, fmt.Errorf("policy models[%d].stages.%s: no stage named %q", i, stage, stage))
			}
		}
	}
	return errs
}

// WithImages returns a copy of p in which every image reference (each model's, their stage
// overrides, and the images local.images maps) is f(reference). The first error stops it,
// named with the reference's path; p itself is never changed.
func (p *Policy) WithImages(f func(ref string) (string, error)) (*Policy, error) {
	cp := *p
	cp.Models = slices.Clone(p.Models)
	apply := func(path, ref string) (string, error) {
		if ref == "" {
			return "", nil
		}
		out, err := f(ref)
		if err != nil {
			return "", fmt.Errorf("policy %s: %w", path, err)
		}
		return out, nil
	}
	var err error
	for i := range cp.Models {
		m := &cp.Models[i]
		at := fmt.Sprintf("models[%d]", i)
		if m.TrainingImage, err = apply(at+".trainingImage", m.TrainingImage); err != nil {
			return nil, err
		}
		if m.ServingImage, err = apply(at+".servingImage", m.ServingImage); err != nil {
			return nil, err
		}
		if m.Stages, err = stagesWithImages(m.Stages, at, apply); err != nil {
			return nil, err
		}
	}
	if p.Local.Images != nil {
		cp.Local.Images = make(map[string]LocalImage, len(p.Local.Images))
		for image, li := range p.Local.Images {
			key, err := apply("local.images."+image, image)
			if err != nil {
				return nil, err
			}
			cp.Local.Images[key] = li
		}
	}
	return &cp, nil
}

// stagesWithImages returns a copy of a model's stage overrides with apply run on each image.
func stagesWithImages(stages map[string]ModelStage, at string, apply func(path, ref string) (string, error)) (map[string]ModelStage, error) {
	if stages == nil {
		return nil, nil
	}
	out := make(map[string]ModelStage, len(stages))
	var err error
	for stage, o := range stages {
		f := at + ".stages." + stage
		if o.TrainingImage, err = apply(f+".trainingImage", o.TrainingImage); err != nil {
			return nil, err
		}
		if o.ServingImage, err = apply(f+".servingImage", o.ServingImage); err != nil {
			return nil, err
		}
		out[stage] = o
	}
	return out, nil
}
