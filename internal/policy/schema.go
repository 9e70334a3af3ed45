package policy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed schema.json
var schemaJSON []byte

// SchemaJSON returns the policy's JSON Schema (draft 2020-12), the document docs/policy.md
// describes and editors can use ("$schema" is allowed in a policy for that).
func SchemaJSON() []byte { return slices.Clone(schemaJSON) }

// compiledSchema compiles the embedded schema once; a broken schema is a build defect.
var compiledSchema = sync.OnceValue(func() *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		panic(fmt.Sprintf("policy schema is not JSON: %v", err))
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("policy.json", doc); err != nil {
		panic(fmt.Sprintf("policy schema: %v", err))
	}
	s, err := c.Compile("policy.json")
	if err != nil {
		panic(fmt.Sprintf("policy schema does not compile: %v", err))
	}
	return s
})

var printer = message.NewPrinter(language.English)

// checkSchema validates the document b against the schema and returns every violation,
// each as "policy <path>: <problem>" with the path in the form models[0].gate.metric,
// sorted by path; nil when b conforms.
func checkSchema(b []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("decode policy: %w", err)
	}
	err = compiledSchema().Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate policy: %w", err)
	}
	var problems []problem
	collect(ve, &problems)
	slices.SortStableFunc(problems, func(a, b problem) int { return strings.Compare(a.path, b.path) })
	problems = slices.Compact(problems)
	errs := make([]error, 0, len(problems))
	for _, p := range problems {
		errs = append(errs, fmt.Errorf("policy %s: %s", p.path, p.text))
	}
	return errors.Join(errs...)
}

type problem struct{ path, text string }

// collect appends the leaves of the error tree: the violations themselves, not the
// "does not validate against the schema" nodes above them.
func collect(ve *jsonschema.ValidationError, out *[]problem) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, out)
		}
		return
	}
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			*out = append(*out, problem{jsonPath(append(slices.Clone(ve.InstanceLocation), name)), "unknown field (docs/policy.md lists the fields)"})
		}
	case *kind.Required:
		for _, name := range k.Missing {
			*out = append(*out, problem{jsonPath(append(slices.Clone(ve.InstanceLocation), name)), "is required"})
		}
	default:
		*out = append(*out, problem{jsonPath(ve.InstanceLocation), ve.ErrorKind.LocalizedString(printer)})
	}
}

// jsonPath renders an instance location as stages.prod.deployment.stepPercent or
// models[0].name; the document itself is "(document)".
func jsonPath(loc []string) string {
	if len(loc) == 0 {
		return "(document)"
	}
	var b strings.Builder
	for i, seg := range loc {
		if _, err := strconv.Atoi(seg); err == nil && i > 0 {
			b.WriteString("[" + seg + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}
