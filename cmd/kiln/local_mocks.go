package main

import (
	"fmt"
	"os"

	"github.com/kiln-dev/kiln/internal/asl"
)

// loadMockConfig reads and checks the Step Functions Local mock file path; "" means none.
func loadMockConfig(path string) (*asl.MockConfig, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sfn mocks: %w", err)
	}
	mc, err := asl.ParseMockConfig(b)
	if err != nil {
		return nil, fmt.Errorf("sfn mocks %s: %w", path, err)
	}
	return mc, nil
}
