package sagemaker

// LostInstanceReason is the FailureReason of a training job that was running when kiln
// local stopped.
const LostInstanceReason = "InternalServerError: the training instance was lost (kiln local stopped while the job ran)"

// InterruptedUpdateReason is the FailureReason of an endpoint whose update was cut short
// when kiln local stopped: the update rolled back to the old config, and no alarm caused it.
const InterruptedUpdateReason = "Deployment rolled back: the update was interrupted because kiln local stopped during it (no rollback alarm fired)"

// InterruptedCreateReason is the FailureReason of an endpoint whose creation was cut short
// when kiln local stopped: it has no earlier config to fall back on, so it ends Failed
// (the deploy workflow deletes a Failed endpoint and creates it again).
const InterruptedCreateReason = "Endpoint creation failed: the creation was interrupted because kiln local stopped during it (no rollback alarm fired)"

// recover reports the work a previous process lost, as AWS reports a lost instance: a
// running training job fails; an endpoint mid-update rolls back to its old config; one
// mid-creation ends Failed; every
// endpoint that should serve gets its serving processes started again (in the background).
func (s *Service) recover() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := newTime(s.now())
	for name, j := range s.jobs {
		if terminalJob(j.TrainingJobStatus) {
			continue
		}
		if n := len(j.SecondaryStatusTransitions); n > 0 && j.SecondaryStatusTransitions[n-1].EndTime == nil {
			j.SecondaryStatusTransitions[n-1].EndTime = now
		}
		j.TrainingJobStatus = JobFailed
		j.SecondaryStatus = "Failed"
		j.SecondaryStatusTransitions = append(j.SecondaryStatusTransitions, statusTransition{Status: "Failed", StartTime: now, EndTime: now, StatusMessage: "Training job failed"})
		j.FailureReason = LostInstanceReason
		if j.TrainingStartTime != nil {
			j.TrainingEndTime = now
		}
		j.LastModifiedTime = now
		s.mustSave(bucketJobs, name, j)
		s.emitJob(cloneJob(j))
		s.log.Warn("training job lost by a previous run", "job", name)
	}
	for name, e := range s.endpoints {
		switch e.EndpointStatus {
		case EndpointFailed:
			continue
		case EndpointDeleting:
			_ = s.remove(bucketEndpoints, name)
			delete(s.endpoints, name)
			continue
		case EndpointCreating:
			s.failInterruptedCreate(e, now)
			continue
		case EndpointUpdating, EndpointRollingBack:
			e.FailureReason = InterruptedUpdateReason
			s.endUpdate(e, e.EndpointConfigName, now, DeploymentStep{Time: now.Time, Phase: PhaseRolledBack, FromConfig: e.EndpointConfigName, ToConfig: e.Target, Message: "kiln local stopped during the update: back on the old config"})
		}
		live := newEndpointLive(name)
		s.setRuntime(name, live)
		config := e.EndpointConfigName
		restart := e.EndpointStatus == EndpointInService
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.bringUp(live, config, restart)
		}()
	}
}

// failInterruptedCreate ends an endpoint whose creation a stop cut short: Failed, with
// InterruptedCreateReason, recorded and announced. Callers hold s.mu.
func (s *Service) failInterruptedCreate(e *endpointRecord, now *Time) {
	e.EndpointStatus = EndpointFailed
	e.FailureReason = InterruptedCreateReason
	e.LastModifiedTime = now
	e.History = append(e.History, DeploymentStep{Time: now.Time, Phase: PhaseFailed, ToConfig: e.EndpointConfigName, Message: "kiln local stopped while the endpoint was being created"})
	s.mustSave(bucketEndpoints, e.EndpointName, e)
	s.emitEndpoint(e)
	s.log.Warn("endpoint creation lost by a previous run", "endpoint", e.EndpointName)
}
