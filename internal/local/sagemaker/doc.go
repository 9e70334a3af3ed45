// Package sagemaker is kiln local's stand-in for the SageMaker subset kiln uses: training jobs
// run as real local processes under the SageMaker container contract, the model registry
// (groups, versioned packages, approval status and its events), models, endpoint configs and
// endpoints whose variants run local serving processes behind a weighted router that shifts
// traffic blue/green (all at once, canary, linear), bakes, rolls back on alarms and captures
// requests in Model Monitor's format.
//
// It speaks two wire protocols through [Service.APIHandler] (SageMaker's JSON 1.1,
// X-Amz-Target: SageMaker.<Op>) and [Service.RuntimeHandler] (SageMaker Runtime's REST
// POST /endpoints/{name}/invocations), and offers the same operations to the local Step
// Functions engine through [Service.Call], [Service.CreateTrainingJob] and
// [Service.WaitTrainingJob].
//
// Every resource is kept in a bbolt database under top-level buckets named "sagemaker.*",
// so it survives a restart; jobs and endpoint updates that were running when the process
// stopped are reported as AWS reports a lost instance.
//
// # Three rooms
//
// This package keeps the API and the records (jobs, registry, models, endpoint configs,
// endpoints and their deployment history). The programs run in package container (the
// process supervisor: the /opt/ml layout, the contract's variables, the runtimes, the model
// archive, the records of children), and the data plane is package serving (fleets, the
// router, the traffic plan, data capture).
//
// # Commands
//
// [Config.Images] maps a container image URI to a local [Command] (training jobs run in
// <Root>/jobs/<job>, laid out as /opt/ml; serving variants in
// <Root>/endpoints/<endpoint>/<config>/<variant>); see [container.Command] for the {root},
// {model_dir} and {port} tokens.
//
// A training process also gets SM_MODEL_DIR, SM_CHANNEL_<NAME>, SM_CHANNELS, SM_HPS,
// SM_INPUT_DIR, SM_INPUT_CONFIG_DIR, SM_OUTPUT_DIR, SM_OUTPUT_DATA_DIR, SM_CURRENT_HOST and
// SM_HOSTS; a serving process gets SAGEMAKER_BIND_TO_PORT, PORT and SM_MODEL_DIR, plus the
// container's Environment. These contract variables are applied last, so a request cannot
// override them; and since a local process shares the host, a request's Environment may not
// set them nor anything that changes how a program is loaded (LD_*, PATH, PYTHONPATH, ...):
// see [CheckEnvironment] and [container.RefusedVariable]; a container runtime lifts that rule.
//
// # Errors
//
// Errors are *APIError values carrying SageMaker's wire code ([ErrorCode] reads it): a
// missing resource on Describe*/Update* is ValidationException (as SageMaker answers, so
// Step Functions' aws-sdk integration names it SageMaker.SageMakerException), a duplicate
// training job is ResourceInUse, StopTrainingJob of a missing job ResourceNotFound, an
// operation the stand-in does not implement UnknownOperationException naming it. On the
// wire they are HTTP 400 with {"__type": code, "message": text}. InvokeEndpoint answers a
// missing endpoint with ValidationError and a model's non-2xx answer with ModelError (HTTP
// 424, OriginalStatusCode, OriginalMessage).
//
// # Deployments
//
// UpdateEndpoint is always blue/green: the new config's fleet starts beside the old one, the
// router moves the planned share of traffic to it (all at once, a canary then the rest, or
// linear steps, WaitIntervalInSeconds apart), the endpoint bakes for
// TerminationWaitInSeconds, and the old fleet stops. Every AlarmPollInterval the alarms of
// AutoRollbackConfiguration are read (an unknown alarm counts as OK); one in ALARM, or the
// deployment outliving MaximumExecutionTimeoutInSeconds, sends all traffic back, stops the
// new fleet and leaves the endpoint InService on the old config, with FailureReason saying
// why. Waits run on [Config.Clock]; each step is kept in [Service.DeploymentHistory].
package sagemaker
