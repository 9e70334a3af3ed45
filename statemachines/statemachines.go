// Package statemachines embeds kiln's workflow definitions (*.asl.json) so infra and the local
// engine load the same file by name, and defines the inputs the workflows expect.
//
// The definitions hold ${Key} placeholders for every ARN and name; [Substitute] fills them the
// way CloudFormation's DefinitionSubstitutions do. Everything here is safe for concurrent use.
package statemachines

import (
	"embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

//go:embed *.asl.json
var files embed.FS

// placeholder matches ${Key} as DefinitionSubstitutions does.
var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// Load returns the raw definition of the workflow file name (for example "pipeline.asl.json"),
// placeholders intact.
func Load(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("load state machine %s: %w", name, err)
	}
	return b, nil
}

// Placeholders returns the distinct ${Key} keys in def, sorted.
func Placeholders(def []byte) []string {
	keys := Keys(string(def))
	sort.Strings(keys)
	return keys
}

// Keys returns the distinct ${Key} keys in s, in order of appearance: the one placeholder
// syntax of definitions, rule patterns and policy images.
func Keys(s string) []string {
	var keys []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(keys, m[1]) {
			keys = append(keys, m[1])
		}
	}
	return keys
}

// FillKnown replaces every ${Key} in def that values has and leaves the others intact, for
// a definition run outside a stack (kiln sfn); [Substitute] is the strict form.
func FillKnown(def []byte, values map[string]string) []byte {
	return placeholder.ReplaceAllFunc(def, func(m []byte) []byte {
		if v, ok := values[string(m[2:len(m)-1])]; ok {
			return []byte(v)
		}
		return m
	})
}

// Substitute replaces every ${Key} in def with values[Key]. A key with no value is an error
// naming every missing key, and nothing is returned; values are inserted as is, so they must
// not need JSON escaping (ARNs and names do not).
func Substitute(def []byte, values map[string]string) ([]byte, error) {
	var missing []string
	for _, k := range Placeholders(def) {
		if _, ok := values[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("substitute placeholders: no value for %s", strings.Join(missing, ", "))
	}
	return placeholder.ReplaceAllFunc(def, func(m []byte) []byte {
		return []byte(values[string(m[2:len(m)-1])])
	}), nil
}
