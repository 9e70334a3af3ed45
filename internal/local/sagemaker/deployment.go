package sagemaker

import (
	"fmt"
	"math"
	"time"
)

// trafficPlan is the sequence of shares the new fleet takes, and the wait after each share
// below 1.
type trafficPlan struct {
	shares []float64
	wait   time.Duration
	bake   time.Duration
	limit  time.Duration // 0: none
	alarms []string
	kind   string
}

func planTraffic(dc *deploymentConfig, newInstances int) trafficPlan {
	p := trafficPlan{shares: []float64{1}, kind: "ALL_AT_ONCE"}
	if dc == nil {
		return p
	}
	if ar := dc.AutoRollbackConfiguration; ar != nil {
		for _, a := range ar.Alarms {
			p.alarms = append(p.alarms, a.AlarmName)
		}
	}
	bg := dc.BlueGreenUpdatePolicy
	if bg == nil {
		return p
	}
	p.bake = time.Duration(bg.TerminationWaitInSeconds) * time.Second
	p.limit = time.Duration(bg.MaximumExecutionTimeoutInSeconds) * time.Second
	tr := bg.TrafficRoutingConfiguration
	if tr == nil {
		return p
	}
	p.kind = tr.Type
	p.wait = time.Duration(tr.WaitIntervalInSeconds) * time.Second
	size := func(c *capacitySize) float64 {
		if c == nil {
			return 1
		}
		if c.Type == "INSTANCE_COUNT" {
			if newInstances < 1 {
				newInstances = 1
			}
			return math.Min(1, c.Value/float64(newInstances))
		}
		return c.Value / 100
	}
	switch tr.Type {
	case "CANARY":
		c := size(tr.CanarySize)
		if c < 1 {
			p.shares = []float64{c, 1}
		}
	case "LINEAR":
		step := size(tr.LinearStepSize)
		if step <= 0 {
			step = 1
		}
		p.shares = nil
		for x := step; x < 1-1e-9; x += step {
			p.shares = append(p.shares, math.Round(x*1e6)/1e6)
		}
		p.shares = append(p.shares, 1)
	}
	return p
}

// deploy runs a blue/green update of the endpoint from the config now serving to the new
// one: start the new fleet, shift traffic as planned while watching the rollback alarms,
// bake, then retire the old fleet; roll back on an alarm or the execution timeout.
func (s *Service) deploy(live *endpointLive, from, to string, dc *deploymentConfig) {
	start := s.cfg.Clock.Now()
	newFleet, err := s.startFleet(live.ctx, live.name, to)
	if s.abandoned(live) {
		if newFleet != nil {
			newFleet.stop()
		}
		return
	}
	if err != nil {
		s.rollback(live, from, to, nil, fmt.Sprintf("the new fleet did not start: %v", err), true)
		return
	}
	s.mu.Lock()
	cfg := s.configs[to]
	instances := 0
	for _, v := range cfg.ProductionVariants {
		instances += v.InitialInstanceCount
	}
	s.mu.Unlock()
	plan := planTraffic(dc, instances)
	if !live.install(newFleet, true) {
		newFleet.stop()
		return
	}

	for i, share := range plan.shares {
		live.mu.Lock()
		live.nextShare = share
		live.mu.Unlock()
		msg := fmt.Sprintf("%s: %.0f%% of traffic on %s", plan.kind, share*100, to)
		s.recordShift(live, from, to, share, PhaseShifting, "ActivatingTraffic", msg)
		if share >= 1 || i == len(plan.shares)-1 {
			break
		}
		if reason := s.watch(live, plan, start, plan.wait); reason != "" {
			s.rollback(live, from, to, newFleet, reason, false)
			return
		}
		if s.abandoned(live) {
			return
		}
	}
	if plan.bake > 0 || len(plan.alarms) > 0 {
		s.recordShift(live, from, to, 1, PhaseBaking, "Baking", fmt.Sprintf("baking for %s", plan.bake))
		if reason := s.watch(live, plan, start, plan.bake); reason != "" {
			s.rollback(live, from, to, newFleet, reason, false)
			return
		}
	}
	if s.abandoned(live) {
		return
	}
	live.mu.Lock()
	old := live.active
	live.active, live.next, live.nextShare = newFleet, nil, 0
	live.mu.Unlock()
	if old != nil {
		old.stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[live.name]
	if !ok {
		return
	}
	e.DataCaptureConfig = captureSummaryOf(cfg.DataCaptureConfig)
	if dc != nil {
		e.LastDeploymentConfig = dc
	}
	now := newTime(s.now())
	s.endUpdate(e, to, now, DeploymentStep{Time: now.Time, Phase: PhaseCompleted, FromConfig: from, ToConfig: to, NewShare: 1, Weights: fleetWeights(newFleet, 1), Message: "the old fleet was retired"})
	s.log.Info("endpoint updated", "endpoint", e.EndpointName, "config", to)
}

// abandoned reports that the deployment must stop where it is: the endpoint was deleted or
// the service is closing (the next start rolls an interrupted update back).
func (s *Service) abandoned(live *endpointLive) bool {
	return live.ctx.Err() != nil || s.ctx.Err() != nil
}

// watch waits d on the clock, reading the plan's alarms every AlarmPollInterval; it
// returns why the deployment must roll back, or "".
func (s *Service) watch(live *endpointLive, plan trafficPlan, start time.Time, d time.Duration) string {
	end := s.cfg.Clock.Now().Add(d)
	for {
		for _, a := range plan.alarms {
			if s.cfg.Alarms != nil && s.cfg.Alarms.AlarmState(a) == "ALARM" {
				return fmt.Sprintf("alarm %s is in ALARM", a)
			}
		}
		now := s.cfg.Clock.Now()
		if plan.limit > 0 && now.Sub(start) >= plan.limit {
			return fmt.Sprintf("the deployment exceeded MaximumExecutionTimeoutInSeconds (%d)", int(plan.limit.Seconds()))
		}
		left := end.Sub(now)
		if left <= 0 {
			return ""
		}
		step := min(left, s.cfg.AlarmPollInterval)
		if plan.limit > 0 {
			step = min(step, max(plan.limit-now.Sub(start), time.Millisecond))
		}
		select {
		case <-s.cfg.Clock.After(step):
		case <-live.ctx.Done():
			return ""
		case <-s.ctx.Done():
			return ""
		}
		if live.ctx.Err() != nil || s.ctx.Err() != nil {
			return ""
		}
	}
}

// recordShift records a traffic step and updates the pending deployment summary.
func (s *Service) recordShift(live *endpointLive, from, to string, share float64, phase, variantStatus, msg string) {
	live.mu.RLock()
	oldF, newF := live.active, live.next
	live.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[live.name]
	if !ok {
		return
	}
	now := newTime(s.now())
	weights := append(fleetWeights(oldF, 1-share), fleetWeights(newF, share)...)
	e.History = append(e.History, DeploymentStep{Time: now.Time, Phase: phase, FromConfig: from, ToConfig: to, NewShare: share, Weights: weights, Message: msg})
	if cfg := s.configs[to]; cfg != nil && e.PendingDeploymentSummary != nil {
		vs := s.variantSummaries(cfg, share, variantStatus)
		for i := range vs {
			vs[i].CurrentInstanceCount = vs[i].DesiredInstanceCount
			vs[i].VariantStatus[0].StatusMessage = msg
		}
		e.PendingDeploymentSummary.ProductionVariants = vs
	}
	if cfg := s.configs[from]; cfg != nil {
		e.ProductionVariants = s.variantSummaries(cfg, 1-share, "")
		for i := range e.ProductionVariants {
			e.ProductionVariants[i].DesiredWeight = 0
		}
	}
	e.LastModifiedTime = now
	s.mustSave(bucketEndpoints, e.EndpointName, e)
	s.emitDeployment(e)
}

// rollback sends all traffic back to the old fleet, stops the new one and puts the
// endpoint InService on the old config.
func (s *Service) rollback(live *endpointLive, from, to string, newFleet *fleet, reason string, failedStart bool) {
	s.mu.Lock()
	if e, ok := s.endpoints[live.name]; ok && !failedStart {
		now := newTime(s.now())
		e.EndpointStatus = EndpointRollingBack
		e.LastModifiedTime = now
		e.History = append(e.History, DeploymentStep{Time: now.Time, Phase: PhaseRollingBack, FromConfig: from, ToConfig: to, Weights: fleetWeights(live.current(), 1), Message: reason})
		s.mustSave(bucketEndpoints, e.EndpointName, e)
		s.emitEndpoint(e)
		s.emitDeployment(e)
	}
	s.mu.Unlock()
	live.mu.Lock()
	live.next, live.nextShare = nil, 0
	live.mu.Unlock()
	if newFleet != nil {
		newFleet.stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[live.name]
	if !ok {
		return
	}
	now := newTime(s.now())
	phase := PhaseRolledBack
	if failedStart {
		phase = PhaseFailed
		e.FailureReason = truncate("Update failed: "+reason, 1024)
	} else {
		e.FailureReason = truncate("Deployment rolled back: "+reason, 1024)
	}
	s.endUpdate(e, from, now, DeploymentStep{Time: now.Time, Phase: phase, FromConfig: from, ToConfig: to, Weights: fleetWeights(live.current(), 1), Message: reason})
	s.log.Warn("endpoint update rolled back", "endpoint", e.EndpointName, "from", from, "to", to, "reason", reason)
}

// endUpdate ends an update of e, completed or rolled back: the endpoint is InService on
// config with that config's variants at full weight and no deployment pending, last
// modified at now. It records step, saves e and puts the deployment event, then the
// endpoint's. Callers hold s.mu.
func (s *Service) endUpdate(e *endpointRecord, config string, now *Time, step DeploymentStep) {
	e.EndpointStatus = EndpointInService
	e.EndpointConfigName = config
	e.LastModifiedTime = now
	e.PendingDeploymentSummary = nil
	e.Target, e.Deployment = "", nil
	if cfg := s.configs[config]; cfg != nil {
		e.ProductionVariants = s.variantSummaries(cfg, 1, "")
	}
	e.History = append(e.History, step)
	s.mustSave(bucketEndpoints, e.EndpointName, e)
	s.emitDeployment(e)
	s.emitEndpoint(e)
}
