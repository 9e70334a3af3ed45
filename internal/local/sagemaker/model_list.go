package sagemaker

import (
	"context"
	"strings"
	"time"
)

// listFilter is the input of ListModels and ListEndpointConfigs.
type listFilter struct {
	NameContains      string
	CreationTimeAfter *Time
	SortBy            string
	SortOrder         string
	MaxResults        int
	NextToken         string
}

func (f listFilter) keep(name string, created *Time) bool {
	if f.NameContains != "" && !strings.Contains(name, f.NameContains) {
		return false
	}
	return f.CreationTimeAfter == nil || created == nil || created.After(f.CreationTimeAfter.Time)
}

func (s *Service) opListModels(_ context.Context, body []byte) (any, error) {
	var in listFilter
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*model
	for _, m := range s.models {
		if in.keep(m.ModelName, m.CreationTime) {
			list = append(list, m)
		}
	}
	type summary struct {
		ModelName    string
		ModelArn     string
		CreationTime *Time
	}
	sums, err := summarize(list, orDefault(in.SortBy, "CreationTime"), in.SortOrder, func(m *model) (string, time.Time) {
		return m.ModelName, timeOf(m.CreationTime)
	}, func(m *model) summary { return summary{m.ModelName, m.ModelArn, m.CreationTime} })
	if err != nil {
		return nil, err
	}
	return listPage("Models", sums, in.MaxResults, in.NextToken)
}

func (s *Service) opListEndpointConfigs(_ context.Context, body []byte) (any, error) {
	var in listFilter
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*endpointConfig
	for _, c := range s.configs {
		if in.keep(c.EndpointConfigName, c.CreationTime) {
			list = append(list, c)
		}
	}
	type summary struct {
		EndpointConfigName string
		EndpointConfigArn  string
		CreationTime       *Time
	}
	sums, err := summarize(list, orDefault(in.SortBy, "CreationTime"), in.SortOrder, func(c *endpointConfig) (string, time.Time) {
		return c.EndpointConfigName, timeOf(c.CreationTime)
	}, func(c *endpointConfig) summary {
		return summary{c.EndpointConfigName, c.EndpointConfigArn, c.CreationTime}
	})
	if err != nil {
		return nil, err
	}
	return listPage("EndpointConfigs", sums, in.MaxResults, in.NextToken)
}

func timeOf(t *Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.Time
}

// opDeleteModel deletes a model. A model that an existing endpoint's config serves is
// refused: on AWS the running instances keep it, but the local stack re-reads it to start
// (and restart) the endpoint's processes, so deleting it would break the endpoint.
func (s *Service) opDeleteModel(_ context.Context, body []byte) (any, error) {
	var in struct{ ModelName string }
	if err := decodeRequired(body, &in, "ModelName", &in.ModelName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.models[in.ModelName]; !ok {
		return nil, validationf("Could not find model %q.", s.arn("model", strings.ToLower(in.ModelName)))
	}
	for _, e := range s.endpoints {
		for _, cfg := range []string{e.EndpointConfigName, e.Target} {
			c := s.configs[cfg]
			if c == nil {
				continue
			}
			for _, v := range c.ProductionVariants {
				if v.ModelName == in.ModelName {
					return nil, validationf("Cannot delete model %q: endpoint %q serves it (through endpoint config %q); kiln local needs it to run the endpoint. Delete or update the endpoint first.", in.ModelName, e.EndpointName, cfg)
				}
			}
		}
	}
	if err := s.remove(bucketModels, in.ModelName); err != nil {
		return nil, err
	}
	delete(s.models, in.ModelName)
	return map[string]any{}, nil
}

// opDeleteEndpointConfig deletes an endpoint config; one that an existing endpoint runs
// or is updating to is refused, for the reason opDeleteModel gives.
func (s *Service) opDeleteEndpointConfig(_ context.Context, body []byte) (any, error) {
	var in struct{ EndpointConfigName string }
	if err := decodeRequired(body, &in, "EndpointConfigName", &in.EndpointConfigName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.configs[in.EndpointConfigName]; !ok {
		return nil, validationf("Could not find endpoint configuration %q.", s.arn("endpoint-config", strings.ToLower(in.EndpointConfigName)))
	}
	for _, e := range s.endpoints {
		if e.EndpointConfigName == in.EndpointConfigName || e.Target == in.EndpointConfigName {
			return nil, validationf("Cannot delete endpoint configuration %q: endpoint %q uses it; kiln local needs it to run the endpoint. Delete or update the endpoint first.", in.EndpointConfigName, e.EndpointName)
		}
	}
	if err := s.remove(bucketConfigs, in.EndpointConfigName); err != nil {
		return nil, err
	}
	delete(s.configs, in.EndpointConfigName)
	return map[string]any{}, nil
}
