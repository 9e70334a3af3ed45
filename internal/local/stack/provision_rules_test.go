package stack

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/local/eventbus"
	"github.com/kiln-dev/kiln/internal/local/schedule"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

func TestRulesAreNamedAndPlacedByTheTable(t *testing.T) {
	env := topology.Local("local")
	rules, err := Rules(env)
	require.NoError(t, err)
	require.Len(t, rules, len(topology.Rules))
	for i, r := range rules {
		tr := topology.Rules[i]
		assert.Equal(t, "kiln-local-"+tr.Name, r.Name)
		assert.Equal(t, topology.FunctionARN(env, tr.Target), r.Targets[0].ARN)
		assert.NotContains(t, r.EventPattern, "${", "rule %s keeps a placeholder", r.Name)
		if tr.Bus == topology.KilnBus {
			assert.Equal(t, "kiln-local-kiln", r.EventBus)
		} else {
			assert.Equal(t, eventbus.DefaultBusName, r.EventBus)
		}
	}
}

func TestProvisionBusTwiceLeavesOneBusWithEveryRule(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kiln.db"), 0o600, nil)
	require.NoError(t, err)
	defer db.Close()
	env := topology.Local("prod")
	bus, err := eventbus.New(eventbus.Config{DB: db, Account: env.Account, Region: env.Region, Partition: env.Partition})
	require.NoError(t, err)
	defer func() { _ = bus.Close(context.Background()) }()
	require.NoError(t, ProvisionBus(bus, env))
	require.NoError(t, ProvisionBus(bus, env), "a restart provisions again")
	assert.Contains(t, bus.EventBuses(), "kiln-prod-kiln")
	n := 0
	for _, name := range bus.EventBuses() {
		rs, err := bus.ListRules(name, "")
		require.NoError(t, err)
		n += len(rs)
	}
	assert.Equal(t, len(topology.Rules), n)
}

func TestSchedulesLeaveTheDriftJobOutOfAStageThatNeverDeploys(t *testing.T) {
	p, err := policy.Load()
	require.NoError(t, err)
	defs, err := Schedules(topology.Local("dev"), p)
	require.NoError(t, err)
	var names []string
	for _, d := range defs {
		names = append(names, d.Name)
	}
	assert.Equal(t, []string{"kiln-dev-retrain-" + p.Models[0].Name}, names)
}

func TestSchedulesMakeOneSchedulePerModel(t *testing.T) {
	p, err := policy.Load()
	require.NoError(t, err)
	defs, err := Schedules(topology.Local("local"), p)
	require.NoError(t, err)
	require.Len(t, defs, len(topology.SchedulesFor(p, "local"))*len(p.Models))
	byName := map[string]schedule.Definition{}
	for _, d := range defs {
		byName[d.Name] = d
		_, err := schedule.Parse(d.Expression, d.Timezone)
		assert.NoError(t, err, "schedule %s", d.Name)
	}
	m := p.Models[0].Name
	retrain, ok := byName["kiln-local-retrain-"+m]
	require.True(t, ok, "have %v", defs)
	assert.Equal(t, "kiln-local-trigger", retrain.Function)
	assert.JSONEq(t, `{"kind":"schedule","model":"`+m+`","schedule":"retrain"}`, string(retrain.Input))
	drift := byName["kiln-local-drift-"+m]
	assert.Equal(t, "kiln-local-monitor-drift", drift.Function)
	assert.Equal(t, "rate(1 hour)", drift.Expression)
}
