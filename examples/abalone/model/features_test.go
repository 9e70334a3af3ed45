package model

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRequestCSV(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    [][]float64
		wantErr string
		row     int
		column  string
	}{
		{
			name: "one row encodes sex one-hot then the measurements",
			body: "F,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21\n",
			want: [][]float64{{0, 1, 0, 0.53, 0.42, 0.135, 0.677, 0.2565, 0.1415, 0.21}},
		},
		{
			name: "several rows without a final newline give one vector each",
			body: "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nI,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055",
			want: [][]float64{
				{1, 0, 0, 0.455, 0.365, 0.095, 0.514, 0.2245, 0.101, 0.15},
				{0, 0, 1, 0.33, 0.255, 0.08, 0.205, 0.0895, 0.0395, 0.055},
			},
		},
		{
			name:    "an unknown sex names the row and the column",
			body:    "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nX,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055\n",
			wantErr: `row 2, column Sex: value "X" is not one of M, F, I`,
			row:     2, column: "Sex",
		},
		{
			name:    "a word where a number belongs names its column",
			body:    "M,0.455,wide,0.095,0.514,0.2245,0.101,0.15\n",
			wantErr: `row 1, column Diameter: value "wide" is not a number`,
			row:     1, column: "Diameter",
		},
		{
			name:    "a row with the Rings column still attached is too wide",
			body:    "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n",
			wantErr: "row 1: got 9 columns, want 8",
			row:     1,
		},
		{
			name:    "infinity is not a measurement",
			body:    "M,0.455,0.365,0.095,0.514,0.2245,0.101,+Inf\n",
			wantErr: `row 1, column ShellWeight: value "+Inf" is not a finite number`,
			row:     1, column: "ShellWeight",
		},
		{
			name:    "an empty body is rejected",
			body:    "\n\n",
			wantErr: "no rows",
		},
		{
			name:    "a broken quote reports the line",
			body:    "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nM,\"0.4,0.3\n",
			wantErr: "row 2",
			row:     2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRequestCSV(strings.NewReader(tt.body))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				var re *RowError
				if tt.row != 0 {
					require.True(t, errors.As(err, &re), "got %T, want *RowError", err)
					assert.Equal(t, tt.row, re.Row)
					assert.Equal(t, tt.column, re.Column)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseTrainingCSV(t *testing.T) {
	const header = "Sex,Length,Diameter,Height,WholeWeight,ShuckedWeight,VisceraWeight,ShellWeight,Rings\n"
	tests := []struct {
		name    string
		file    string
		rows    int
		wantErr string
	}{
		{name: "a header and two rows give two labelled rows", file: header + "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nF,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21,9\n", rows: 2},
		{name: "columns in another order are found by name", file: "Rings,Sex,Length,Diameter,Height,WholeWeight,ShuckedWeight,VisceraWeight,ShellWeight\n15,M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\n", rows: 1},
		{name: "a header without Rings is rejected", file: "Sex,Length,Diameter,Height,WholeWeight,ShuckedWeight,VisceraWeight,ShellWeight\n", wantErr: "row 1, column Rings: missing from the header"},
		{name: "a bad Rings value reports its line", file: header + "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nF,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21,nine\n", wantErr: `row 3, column Rings: value "nine" is not a number`},
		{name: "a short row reports its line", file: header + "M,0.455,0.365\n", wantErr: "row 2: wrong number of fields"},
		{name: "an empty file asks for a header", file: "", wantErr: "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Dataset{}
			err := d.ParseTrainingCSV(strings.NewReader(tt.file))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Zero(t, d.Len(), "a failed parse must leave the dataset unchanged")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.rows, d.Len())
			assert.Len(t, d.Raw, tt.rows)
			assert.Equal(t, "M", d.Raw[0][0])
			assert.Equal(t, 15.0, d.Y[0])
		})
	}
}
