package sagemaker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
	"github.com/kiln-dev/kiln/internal/local/sagemaker/serving"
)

// endpointLive is an endpoint's running state (see [serving.Endpoint]).
type endpointLive = serving.Endpoint

// fleet is the set of serving programs of one endpoint config (see [serving.Fleet]).
type fleet = serving.Fleet

// VariantWeight is the share of an endpoint's traffic one variant of one config gets.
type VariantWeight = serving.VariantWeight

func newEndpointLive(name string) *endpointLive { return serving.NewEndpoint(name) }

func (s *Service) runtime(endpoint string) *endpointLive { return s.live.Get(endpoint) }

// setRuntime installs (or, with nil, removes) an endpoint's live state.
func (s *Service) setRuntime(endpoint string, l *endpointLive) { s.live.Set(endpoint, l) }

// fleetWeights reports each variant's share of the endpoint's traffic when the fleet gets
// share of it.
func fleetWeights(f *fleet, share float64) []VariantWeight { return f.Weights(share) }

// variantPlan is what starting one variant needs, read from the records.
type variantPlan struct {
	variant, image, modelData string
	role                      string // the model's execution role, which reads its artifacts
	env                       map[string]string
	weight                    float64
}

// fleetPlan reads the variants of config from the records.
func (s *Service) fleetPlan(config string) (*endpointConfig, []variantPlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, ok := s.configs[config]
	if !ok {
		return nil, nil, fmt.Errorf("endpoint config %s does not exist", config)
	}
	var plans []variantPlan
	for _, pv := range cfg.ProductionVariants {
		image, data, env, err := s.servingContainer(pv.ModelName)
		if err != nil {
			return nil, nil, fmt.Errorf("variant %s: %w", pv.VariantName, err)
		}
		if err := s.images.Runs(image); err != nil {
			return nil, nil, fmt.Errorf("variant %s: %w", pv.VariantName, err)
		}
		w := 1.0
		if pv.InitialVariantWeight != nil {
			w = *pv.InitialVariantWeight
		}
		plans = append(plans, variantPlan{pv.VariantName, image, data, s.modelRole(pv.ModelName), env, w})
	}
	return cfg, plans, nil
}

// startFleet starts every variant of config for the endpoint and waits until each answers
// GET /ping with 200; on failure it stops what it started.
func (s *Service) startFleet(ctx context.Context, endpoint, config string) (*fleet, error) {
	cfg, plans, err := s.fleetPlan(config)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		if err := s.preflightVariant(ctx, endpoint, cfg, p); err != nil {
			return nil, fmt.Errorf("variant %s: %w", p.variant, err)
		}
	}
	f := serving.NewFleet(config, cfg.DataCaptureConfig)
	for _, p := range plans {
		v, err := s.startVariant(ctx, endpoint, config, p)
		if err != nil {
			f.Stop()
			return nil, fmt.Errorf("variant %s: %w", p.variant, err)
		}
		f.Add(v)
	}
	return f, nil
}

// startVariant prepares the variant directory with its model and starts its program.
func (s *Service) startVariant(ctx context.Context, endpoint, config string, p variantPlan) (*serving.Variant, error) {
	dir := filepath.Join(s.cfg.Root, "endpoints", endpoint, config, p.variant)
	if err := s.prepareVariantDir(WithRole(ctx, p.role), dir, p.modelData); err != nil {
		return nil, err
	}
	return s.launcher.Start(ctx, container.Serving{Image: p.image, Endpoint: endpoint, Variant: p.variant,
		Dir: dir, Environment: p.env}, p.weight)
}

// prepareVariantDir empties dir and extracts the model data into dir/model.
func (s *Service) prepareVariantDir(ctx context.Context, dir, modelData string) error {
	modelDir := filepath.Join(dir, "model")
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clean variant directory: %w", err)
	}
	if err := os.MkdirAll(modelDir, 0o700); err != nil {
		return fmt.Errorf("create variant directory: %w", err)
	}
	if modelData == "" {
		return nil
	}
	bucket, key, err := parseS3URI(modelData)
	if err != nil {
		return err
	}
	body, err := s.cfg.Blobs.Get(ctx, bucket, key)
	if err != nil {
		return fmt.Errorf("get model data %s: %w", modelData, err)
	}
	if err := container.Unpack(body, modelDir); err != nil {
		return fmt.Errorf("extract model data %s: %w", modelData, err)
	}
	return nil
}
