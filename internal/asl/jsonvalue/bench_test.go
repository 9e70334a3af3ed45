package jsonvalue

import (
	"encoding/json"
	"testing"
)

// benchValue is shaped like a training job's state output.
var benchValue = map[string]any{
	"TrainingJobName": "run-42", "Status": "Completed", "Metrics": []any{0.9134, 1.5e-7, 42.0, 1e21},
	"Hyper":     map[string]any{"eta": 0.2, "depth": 6.0, "objective": "binary:logistic", "tags": []any{"a<b", "c\td", "é"}},
	"Artifacts": map[string]any{"S3ModelArtifacts": "s3://bucket/models/run-42/output/model.tar.gz"},
}

// BenchmarkAppend compares both dialects with encoding/json, the peer the payload dialect
// replaces.
func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		name string
		enc  Encoder
	}{{"payload", Encoder{}}, {"intrinsic", Encoder{Numbers: JavaNumbers, Strings: JacksonStrings}}} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]byte, 0, 512)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = c.enc.Append(buf[:0], benchValue); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(benchValue); err != nil {
				b.Fatal(err)
			}
		}
	})
}
