package sagemaker

import (
	"sort"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
)

// maxEnvironmentEntries is SageMaker's limit on an Environment map (ContainerDefinition and
// CreateTrainingJob alike).
const maxEnvironmentEntries = 100

// CheckEnvironment returns a ValidationException when env cannot be given to a program.
// field names the request member in the message (for example "PrimaryContainer.Environment");
// maxLen is SageMaker's limit on a key and on a value (1024 for containers, 512 for training
// jobs). Every runtime gets SageMaker's shape checks (names match [a-zA-Z_][a-zA-Z0-9_]*, at
// most 100 entries, lengths); a runtime whose programs are not isolated (isolated false: kiln's
// process runtime) also refuses the variables [container.RefusedVariable] names. A container runtime,
// whose programs have an environment of their own, passes isolated true. The first offending
// variable in name order is reported, with the reason. It is safe for concurrent use.
func CheckEnvironment(field string, env map[string]string, maxLen int, isolated bool) error {
	if len(env) > maxEnvironmentEntries {
		return validationf("1 validation error detected: Value at '%s' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to %d]", lowerFirst(field), maxEnvironmentEntries)
	}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !container.ValidEnvName(k) || len(k) > maxLen {
			return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to %d, Member must satisfy regular expression pattern: [a-zA-Z_][a-zA-Z0-9_]*]", k, lowerFirst(field), maxLen)
		}
		if len(env[k]) > maxLen {
			return validationf("1 validation error detected: Value at '%s.%s' failed to satisfy constraint: Member must have length less than or equal to %d", lowerFirst(field), k, maxLen)
		}
		if isolated {
			continue
		}
		if why := container.RefusedVariable(k); why != "" {
			return validationf("%s may not set %s: %s, and kiln local runs this image as a process on your machine, not in a container (run it under a container runtime to set it)", field, k, why)
		}
	}
	return nil
}

// envIsolated reports whether the runtime that runs image gives it an environment of its own.
func (s *Service) envIsolated(image string) bool {
	if s.cfg.IsolatedEnvironment != nil {
		return s.cfg.IsolatedEnvironment(image)
	}
	return s.images.Isolated(image)
}

// checkEnvironment is CheckEnvironment with the capability of image's runtime.
func (s *Service) checkEnvironment(field, image string, env map[string]string, maxLen int) error {
	return CheckEnvironment(field, env, maxLen, s.envIsolated(image))
}
