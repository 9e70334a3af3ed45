package sagemaker

import (
	"fmt"
	"time"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/serving"
)

// planTraffic returns the traffic plan of dc for a new fleet of newInstances instances.
func planTraffic(dc *deploymentConfig, newInstances int) serving.Plan {
	return serving.PlanTraffic(routingOf(dc), newInstances)
}

// routingOf is what dc asks of the traffic (nil: all at once, no alarms).
func routingOf(dc *deploymentConfig) serving.Routing {
	var r serving.Routing
	if dc == nil {
		return r
	}
	if ar := dc.AutoRollbackConfiguration; ar != nil {
		for _, a := range ar.Alarms {
			r.Alarms = append(r.Alarms, a.AlarmName)
		}
	}
	bg := dc.BlueGreenUpdatePolicy
	if bg == nil {
		return r
	}
	r.Bake = time.Duration(bg.TerminationWaitInSeconds) * time.Second
	r.Limit = time.Duration(bg.MaximumExecutionTimeoutInSeconds) * time.Second
	if tr := bg.TrafficRoutingConfiguration; tr != nil {
		r.Kind, r.Wait = tr.Type, time.Duration(tr.WaitIntervalInSeconds)*time.Second
		r.Canary, r.Linear = tr.CanarySize, tr.LinearStepSize
	}
	return r
}

// deploy runs a blue/green update of the endpoint from the config now serving to the new
// one: start the new fleet, shift traffic as planned while watching the rollback alarms,
// bake, then retire the old fleet; roll back on an alarm or the execution timeout.
func (s *Service) deploy(live *endpointLive, from, to string, dc *deploymentConfig) {
	start := s.cfg.Clock.Now()
	newFleet, err := s.startFleet(live.Context(), live.Name(), to)
	if s.abandoned(live) {
		if newFleet != nil {
			newFleet.Stop()
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
	if !live.Install(newFleet, true) {
		newFleet.Stop()
		return
	}

	for i, share := range plan.Shares {
		live.SetShare(share)
		msg := fmt.Sprintf("%s: %.0f%% of traffic on %s", plan.Kind, share*100, to)
		s.recordShift(live, from, to, share, PhaseShifting, "ActivatingTraffic", msg)
		if share >= 1 || i == len(plan.Shares)-1 {
			break
		}
		if reason := s.watch(live, plan, start, plan.Wait); reason != "" {
			s.rollback(live, from, to, newFleet, reason, false)
			return
		}
		if s.abandoned(live) {
			return
		}
	}
	if plan.Bake > 0 || len(plan.Alarms) > 0 {
		s.recordShift(live, from, to, 1, PhaseBaking, "Baking", fmt.Sprintf("baking for %s", plan.Bake))
		if reason := s.watch(live, plan, start, plan.Bake); reason != "" {
			s.rollback(live, from, to, newFleet, reason, false)
			return
		}
	}
	if s.abandoned(live) {
		return
	}
	if old := live.Promote(); old != nil {
		old.Stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[live.Name()]
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
	return live.Context().Err() != nil || s.ctx.Err() != nil
}

// watch waits d on the clock, reading the plan's alarms every AlarmPollInterval; it
// returns why the deployment must roll back, or "".
func (s *Service) watch(live *endpointLive, plan serving.Plan, start time.Time, d time.Duration) string {
	end := s.cfg.Clock.Now().Add(d)
	for {
		for _, a := range plan.Alarms {
			if s.cfg.Alarms != nil && s.cfg.Alarms.AlarmState(a) == "ALARM" {
				return fmt.Sprintf("alarm %s is in ALARM", a)
			}
		}
		now := s.cfg.Clock.Now()
		if plan.Limit > 0 && now.Sub(start) >= plan.Limit {
			return fmt.Sprintf("the deployment exceeded MaximumExecutionTimeoutInSeconds (%d)", int(plan.Limit.Seconds()))
		}
		left := end.Sub(now)
		if left <= 0 {
			return ""
		}
		step := min(left, s.cfg.AlarmPollInterval)
		if plan.Limit > 0 {
			step = min(step, max(plan.Limit-now.Sub(start), time.Millisecond))
		}
		select {
		case <-s.cfg.Clock.After(step):
		case <-live.Context().Done():
			return ""
		case <-s.ctx.Done():
			return ""
		}
		if live.Context().Err() != nil || s.ctx.Err() != nil {
			return ""
		}
	}
}

// recordShift records a traffic step and updates the pending deployment summary.
func (s *Service) recordShift(live *endpointLive, from, to string, share float64, phase, variantStatus, msg string) {
	oldF, newF := live.Fleets()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[live.Name()]
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
	if e, ok := s.endpoints[live.Name()]; ok && !failedStart {
		now := newTime(s.now())
		e.EndpointStatus = EndpointRollingBack
		e.LastModifiedTime = now
		e.History = append(e.History, DeploymentStep{Time: now.Time, Phase: PhaseRollingBack, FromConfig: from, ToConfig: to, Weights: fleetWeights(live.Current(), 1), Message: reason})
		s.mustSave(bucketEndpoints, e.EndpointName, e)
		s.emitEndpoint(e)
		s.emitDeployment(e)
	}
	s.mu.Unlock()
	live.DropNext()
	if newFleet != nil {
		newFleet.Stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[live.Name()]
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
	s.endUpdate(e, from, now, DeploymentStep{Time: now.Time, Phase: phase, FromConfig: from, ToConfig: to, Weights: fleetWeights(live.Current(), 1), Message: reason})
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
