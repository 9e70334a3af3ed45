package serving

import (
	"sync"
	"time"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
)

// Fleet is the set of serving programs of one endpoint config. Build it with [NewFleet] and
// [Fleet.Add] before it serves; afterwards it is read-only and safe for concurrent use.
type Fleet struct {
	// Config names the endpoint config.
	Config string
	// Capture is the config's data capture (nil: none).
	Capture  *CaptureConfig
	variants []*Variant
	total    float64
}

// NewFleet returns an empty fleet of config.
func NewFleet(config string, capture *CaptureConfig) *Fleet {
	return &Fleet{Config: config, Capture: capture}
}

// Add adds a running variant.
func (f *Fleet) Add(v *Variant) {
	f.variants = append(f.variants, v)
	f.total += v.Weight
}

// Variants returns the fleet's variants in order.
func (f *Fleet) Variants() []*Variant { return f.variants }

// Stop stops every variant, in parallel, and waits.
func (f *Fleet) Stop() {
	var wg sync.WaitGroup
	for _, v := range f.variants {
		wg.Add(1)
		go func() { defer wg.Done(); v.Stop() }()
	}
	wg.Wait()
}

// Variant is one variant's serving program.
type Variant struct {
	// Name is the variant's name; Weight its InitialVariantWeight.
	Name   string
	Weight float64
	// URL is http://127.0.0.1:<port>/invocations.
	URL string
	// Dir is the variant directory.
	Dir  string
	proc container.Process
}

// stopGrace is how long a serving program gets to end after SIGTERM.
const stopGrace = 3 * time.Second

// Stop stops the variant's program and waits for it to exit.
func (v *Variant) Stop() {
	if v.proc != nil {
		v.proc.Stop(stopGrace)
	}
}

// Exited is closed once the variant's program has exited (never, for a variant with no
// program).
func (v *Variant) Exited() <-chan struct{} {
	if v.proc == nil {
		return nil
	}
	return v.proc.Done()
}

// VariantWeight is the share of an endpoint's traffic one variant of one config gets.
type VariantWeight struct {
	Config  string  `json:"config"`
	Variant string  `json:"variant"`
	Share   float64 `json:"share"`
}

// Weights reports each variant's share of the endpoint's traffic when the fleet gets share
// of it; nil for a nil fleet.
func (f *Fleet) Weights(share float64) []VariantWeight {
	if f == nil {
		return nil
	}
	out := make([]VariantWeight, 0, len(f.variants))
	for _, v := range f.variants {
		w := 0.0
		if f.total > 0 {
			w = v.Weight / f.total
		}
		out = append(out, VariantWeight{Config: f.Config, Variant: v.Name, Share: w * share})
	}
	return out
}
