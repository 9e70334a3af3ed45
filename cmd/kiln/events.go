package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/eventpattern"
)

// newEventsCmd builds `kiln events`, the commands about EventBridge events: test-pattern,
// put and replay.
func newEventsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Test event patterns and work with the local event bus",
	}
	cmd.AddCommand(newEventsTestPatternCmd(), newEventsPutCmd(), newEventsReplayCmd())
	return cmd
}

// newEventsTestPatternCmd builds `kiln events test-pattern`, which answers like
// `aws events test-event-pattern`: {"Result": true} or {"Result": false} on stdout and exit 0,
// or the problem on stderr and exit 1 when the pattern or the event is not valid.
func newEventsTestPatternCmd() *cobra.Command {
	var patternArg, eventArg string
	cmd := &cobra.Command{
		Use:   "test-pattern --event-pattern PATTERN --event EVENT",
		Short: "Report whether an event matches an EventBridge event pattern",
		Long: "Report whether an event matches an EventBridge event pattern, as `aws events " +
			"test-event-pattern` does. PATTERN and EVENT are JSON text, or @FILE (or file://FILE) " +
			"to read a file.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			result, err := testPattern(patternArg, eventArg)
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "kiln events test-pattern:", err)
				return exitError{code: 1}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "{\"Result\": %t}\n", result)
			return nil
		},
	}
	cmd.Flags().StringVar(&patternArg, "event-pattern", "", "the event pattern: JSON text or @FILE")
	cmd.Flags().StringVar(&eventArg, "event", "", "the event: JSON text or @FILE")
	_ = cmd.MarkFlagRequired("event-pattern")
	_ = cmd.MarkFlagRequired("event")
	return cmd
}

// testPattern compiles the pattern and matches the event, each given as JSON text or @FILE.
func testPattern(patternArg, eventArg string) (bool, error) {
	pattern, err := readJSONArg("event pattern", patternArg)
	if err != nil {
		return false, err
	}
	event, err := readJSONArg("event", eventArg)
	if err != nil {
		return false, err
	}
	p, err := eventpattern.Compile(pattern)
	if err != nil {
		return false, fmt.Errorf("compile event pattern: %w", err)
	}
	return p.Match(event) // its error already reads "match event: ..."
}

// readJSONArg returns the bytes of a flag value that is either JSON text or @FILE (file://FILE,
// the aws CLI's spelling, works too).
func readJSONArg(what, arg string) ([]byte, error) {
	name, ok := strings.CutPrefix(arg, "@")
	if !ok {
		name, ok = strings.CutPrefix(arg, "file://")
	}
	if ok {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			return nil, fmt.Errorf("read %s %s: %w", what, name, err)
		}
		return b, nil
	}
	if strings.TrimSpace(arg) == "" {
		return nil, fmt.Errorf("read %s: empty value", what)
	}
	return []byte(arg), nil
}
