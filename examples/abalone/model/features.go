package model

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// RequestColumns are the columns of a serving request, in order: the abalone CSV without Rings.
var RequestColumns = []string{"Sex", "Length", "Diameter", "Height", "WholeWeight", "ShuckedWeight", "VisceraWeight", "ShellWeight"}

// Target is the column the model predicts.
const Target = "Rings"

// FeatureNames name the model's input vector: Sex one-hot encoded, then the seven measurements.
var FeatureNames = []string{"Sex_M", "Sex_F", "Sex_I", "Length", "Diameter", "Height", "WholeWeight", "ShuckedWeight", "VisceraWeight", "ShellWeight"}

// sexCodes are the values Sex may take, in the order of their one-hot columns.
var sexCodes = []string{"M", "F", "I"}

// RowError reports a malformed CSV row: Row is the 1-based line of the input (the request body,
// or the file including its header), Column the column at fault.
type RowError struct {
	Row    int
	Column string
	Err    error
}

// Error describes the row, the column and the problem.
func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %v", e.Row, e.Err)
	}
	return fmt.Sprintf("row %d, column %s: %v", e.Row, e.Column, e.Err)
}

// Unwrap returns the underlying problem.
func (e *RowError) Unwrap() error { return e.Err }

// Encode turns one request row (the [RequestColumns], as strings) into a feature vector named by
// [FeatureNames]. It fails with a *RowError (Row 0) naming the first bad column.
func Encode(fields []string) ([]float64, error) {
	if len(fields) != len(RequestColumns) {
		return nil, &RowError{Err: fmt.Errorf("got %d columns, want %d (%s)", len(fields), len(RequestColumns), strings.Join(RequestColumns, ","))}
	}
	x := make([]float64, len(FeatureNames))
	if err := encodeInto(x, fields); err != nil {
		return nil, err
	}
	return x, nil
}

func encodeInto(x []float64, fields []string) error {
	sex := strings.TrimSpace(fields[0])
	found := false
	for i, code := range sexCodes {
		if sex == code {
			x[i] = 1
			found = true
		} else {
			x[i] = 0
		}
	}
	if !found {
		return &RowError{Column: "Sex", Err: fmt.Errorf("value %q is not one of M, F, I", fields[0])}
	}
	for j := 1; j < len(RequestColumns); j++ {
		v, err := parseNumber(fields[j])
		if err != nil {
			return &RowError{Column: RequestColumns[j], Err: err}
		}
		x[len(sexCodes)+j-1] = v
	}
	return nil
}

func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("value %q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %q is not a finite number", s)
	}
	return v, nil
}

// ParseRequestCSV reads a serving request body: one or more CSV rows of the [RequestColumns]
// without a header. Blank lines are skipped. It returns one feature vector per row, or a
// *RowError naming the first malformed row (1-based line) and column.
func ParseRequestCSV(r io.Reader) ([][]float64, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var rows [][]float64
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		x, err := Encode(rec)
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				re.Row = line
			}
			return nil, err
		}
		rows = append(rows, x)
	}
	if len(rows) == 0 {
		return nil, errors.New("no rows: the body holds no CSV row")
	}
	return rows, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{Row: pe.Line, Err: pe.Err}
	}
	return fmt.Errorf("read csv: %w", err)
}

// Dataset is a table of labelled rows: X the feature vectors ([FeatureNames]), Y the Rings, and
// Raw the request columns as they appeared (for drift baselines). The three stay aligned.
type Dataset struct {
	X   [][]float64
	Y   []float64
	Raw [][]string
}

// Len returns the number of rows.
func (d *Dataset) Len() int { return len(d.Y) }

// Subset returns the rows at idx, in that order, sharing the row slices.
func (d *Dataset) Subset(idx []int) *Dataset {
	out := &Dataset{X: make([][]float64, len(idx)), Y: make([]float64, len(idx)), Raw: make([][]string, len(idx))}
	for k, i := range idx {
		out.X[k], out.Y[k], out.Raw[k] = d.X[i], d.Y[i], d.Raw[i]
	}
	return out
}

// ParseTrainingCSV reads a training file: a header line naming at least the [RequestColumns]
// and [Target] (in any order; other columns are ignored), then one row per animal. Rows are
// appended to d. A malformed row fails with a *RowError carrying its line number; d is then
// left unchanged.
func (d *Dataset) ParseTrainingCSV(r io.Reader) error {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return errors.New("empty file: want a header line")
	}
	if err != nil {
		return csvError(err)
	}
	pos := make(map[string]int, len(header))
	for i, h := range header {
		pos[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	want := append(append([]string{}, RequestColumns...), Target)
	idx := make([]int, len(want))
	for k, name := range want {
		i, ok := pos[name]
		if !ok {
			return &RowError{Row: 1, Column: name, Err: errors.New("missing from the header")}
		}
		idx[k] = i
	}
	var add Dataset
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return csvError(err)
		}
		line, _ := cr.FieldPos(0)
		raw := make([]string, len(RequestColumns))
		for k := range RequestColumns {
			raw[k] = strings.TrimSpace(rec[idx[k]])
		}
		x := make([]float64, len(FeatureNames))
		if err := encodeInto(x, raw); err != nil {
			var re *RowError
			errors.As(err, &re)
			re.Row = line
			return re
		}
		y, err := parseNumber(rec[idx[len(want)-1]])
		if err != nil {
			return &RowError{Row: line, Column: Target, Err: err}
		}
		add.X, add.Y, add.Raw = append(add.X, x), append(add.Y, y), append(add.Raw, raw)
	}
	d.X, d.Y, d.Raw = append(d.X, add.X...), append(d.Y, add.Y...), append(d.Raw, add.Raw...)
	return nil
}
