package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// WriteJSON writes the model file: a JSON object with format ("kiln-gbt/1"), features,
// target, base_score, params and trees; each tree is {"nodes": [...]} with the root first and
// each node {"feature", "threshold", "left", "right"} (a split: x[feature] < threshold goes
// left) or {"value"} (a leaf: left absent). Zero fields are omitted.
func (m *Model) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	return nil
}

// ReadJSON reads and checks a model file written by [Model.WriteJSON]: the format, feature
// indices, child links (each after its parent, inside the tree) and finite numbers. A file that
// fails a check gives an error naming the tree and node.
func ReadJSON(r io.Reader) (*Model, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("check model: %w", err)
	}
	return &m, nil
}

func (m *Model) check() error {
	if m.Format != FormatVersion {
		return fmt.Errorf("format %q: want %q", m.Format, FormatVersion)
	}
	if len(m.Features) == 0 {
		return errors.New("no features")
	}
	if len(m.Trees) == 0 {
		return errors.New("no trees")
	}
	if !finite(m.BaseScore) {
		return errors.New("base_score is not finite")
	}
	for t, tree := range m.Trees {
		if len(tree.Nodes) == 0 {
			return fmt.Errorf("tree %d: no nodes", t)
		}
		for i, n := range tree.Nodes {
			if !finite(n.Value) || !finite(n.Threshold) {
				return fmt.Errorf("tree %d node %d: value or threshold is not finite", t, i)
			}
			if n.Left == 0 && n.Right == 0 {
				continue
			}
			if n.Left <= i || n.Right <= i || n.Left >= len(tree.Nodes) || n.Right >= len(tree.Nodes) {
				return fmt.Errorf("tree %d node %d: children %d and %d must come after it and exist", t, i, n.Left, n.Right)
			}
			if n.Feature < 0 || n.Feature >= len(m.Features) {
				return fmt.Errorf("tree %d node %d: feature %d out of range 0..%d", t, i, n.Feature, len(m.Features)-1)
			}
		}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
