// Package events holds kiln's sample events (real shapes, one file each, valid JSON) and its
// EventBridge rule patterns (rules/<rule>.pattern.json, named by the topology table), embedded
// so tests, infra and the local bus read the same bytes.
package events

import (
	"embed"
	"fmt"
)

//go:embed *.json rules/*.pattern.json
var files embed.FS

// Sample returns the sample event file name (for example "git-push.json").
func Sample(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read sample event %s: %w", name, err)
	}
	return b, nil
}

// Pattern returns the rule pattern file name (for example "git-push.pattern.json"), with
// its ${...} placeholders intact (statemachines.Substitute fills them).
func Pattern(name string) ([]byte, error) {
	b, err := files.ReadFile("rules/" + name)
	if err != nil {
		return nil, fmt.Errorf("read rule pattern %s: %w", name, err)
	}
	return b, nil
}
