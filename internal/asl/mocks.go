package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// MockConfig is a Step Functions Local mock file (the SFN_MOCK_CONFIG format):
// StateMachines.<machine>.TestCases.<case>.<state> names a response in MockedResponses,
// whose keys are attempt numbers ("0") or ranges ("1-2") with a Return value or a
// Throw{Error, Cause}.
type MockConfig struct {
	StateMachines   map[string]mockMachine                  `json:"StateMachines"`
	MockedResponses map[string]map[string]mockedResponseSet `json:"MockedResponses"`
}

type mockMachine struct {
	TestCases map[string]map[string]string `json:"TestCases"`
}

type mockedResponseSet struct {
	Return json.RawMessage `json:"Return,omitempty"`
	Throw  *struct {
		Error string `json:"Error"`
		Cause string `json:"Cause"`
	} `json:"Throw,omitempty"`
}

// ParseMockConfig parses a mock file and checks that every test case names an existing
// response and every response key is "N" or "N-M".
func ParseMockConfig(b []byte) (*MockConfig, error) {
	var c MockConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse mock config: %w", err)
	}
	for mn, m := range c.StateMachines {
		for cn, tc := range m.TestCases {
			for sn, rn := range tc {
				if _, ok := c.MockedResponses[rn]; !ok {
					return nil, fmt.Errorf("parse mock config: StateMachines.%s.TestCases.%s.%s: the response %q does not exist", mn, cn, sn, rn)
				}
			}
		}
	}
	for rn, set := range c.MockedResponses {
		for k, r := range set {
			if _, _, err := attemptRange(k); err != nil {
				return nil, fmt.Errorf("parse mock config: MockedResponses.%s.%s: %w", rn, k, err)
			}
			if (r.Return == nil) == (r.Throw == nil) {
				return nil, fmt.Errorf("parse mock config: MockedResponses.%s.%s: needs exactly one of Return and Throw", rn, k)
			}
		}
	}
	return &c, nil
}

func attemptRange(k string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(k, "-")
	lo, err = strconv.Atoi(a)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not an attempt number or range", k)
	}
	hi = lo
	if isRange {
		hi, err = strconv.Atoi(b)
		if err != nil || hi < lo {
			return 0, 0, fmt.Errorf("%q is not an attempt number or range", k)
		}
	}
	return lo, hi, nil
}

// Layer returns a [Resources.Over] layer that answers the Task states the test case mocks
// (for machine and testCase) and leaves the others to the registry. Attempts are counted per
// execution and state, so the first call is attempt "0", a retry "1", and so on; a
// .waitForTaskToken task gets the mocked response as its callback.
func (c *MockConfig) Layer(machine, testCase string) (func(ctx context.Context, req *TaskRequest) (any, error, bool), error) {
	m, ok := c.StateMachines[machine]
	if !ok {
		return nil, fmt.Errorf("mock config: no state machine %q", machine)
	}
	tc, ok := m.TestCases[testCase]
	if !ok {
		return nil, fmt.Errorf("mock config: state machine %q has no test case %q", machine, testCase)
	}
	var mu sync.Mutex
	counts := map[string]int{}
	return func(ctx context.Context, req *TaskRequest) (any, error, bool) {
		rn, ok := tc[req.StateName]
		if !ok {
			return nil, nil, false
		}
		set := c.MockedResponses[rn]
		mu.Lock()
		key := req.ExecutionARN + "\x00" + req.StateName
		n := counts[key]
		counts[key] = n + 1
		mu.Unlock()
		keys := make([]string, 0, len(set))
		for k := range set {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			lo, hi, _ := attemptRange(k)
			if n < lo || n > hi {
				continue
			}
			r := set[k]
			if r.Throw != nil {
				return nil, Fail(r.Throw.Error, r.Throw.Cause), true
			}
			v, err := decodeJSON(r.Return)
			if err != nil {
				return nil, fmt.Errorf("mock %s.%s: %w", rn, k, err), true
			}
			if req.Pattern == PatternWaitForTaskToken && req.Engine != nil {
				_ = req.Engine.SendTaskSuccess(req.TaskToken, r.Return)
				return nil, nil, true
			}
			return v, nil, true
		}
		return nil, Fail(ErrTaskFailed, fmt.Sprintf("mock response %q has no entry for attempt %d", rn, n)), true
	}, nil
}
