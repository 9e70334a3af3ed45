package statemachines

import "sort"

// Helpers only the tests use.

// Files returns the names of the embedded definitions, sorted.
func Files() []string {
	entries, _ := files.ReadDir(".")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}
