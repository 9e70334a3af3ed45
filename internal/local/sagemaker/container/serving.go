package container

import (
	"path/filepath"
	"strconv"
)

// Serving is one variant's serving program as a runtime sees it.
type Serving struct {
	// Image is the serving image.
	Image string
	// Endpoint and Variant name what it serves.
	Endpoint, Variant string
	// Dir is the variant directory on the host; the model is extracted in <Dir>/model.
	Dir string
	// Port is the loopback port it must listen on.
	Port int
	// Environment is the model's Environment.
	Environment map[string]string
}

// ServingLogPath returns the serving log of the variant directory dir.
func ServingLogPath(dir string) string { return filepath.Join(dir, "serving.log") }

// ServingContract returns the variables SageMaker gives a serving program whose model is at
// modelDir: SAGEMAKER_BIND_TO_PORT and PORT (srv.Port), SM_MODEL_DIR,
// SAGEMAKER_ENDPOINT_NAME and SAGEMAKER_VARIANT_NAME.
func ServingContract(srv Serving, modelDir string) []string {
	port := strconv.Itoa(srv.Port)
	return []string{"SAGEMAKER_BIND_TO_PORT=" + port, "PORT=" + port, "SM_MODEL_DIR=" + modelDir,
		"SAGEMAKER_ENDPOINT_NAME=" + srv.Endpoint, "SAGEMAKER_VARIANT_NAME=" + srv.Variant}
}
