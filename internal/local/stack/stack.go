// Package stack is the composition root of kiln local: it opens the state directory, builds
// every local service (S3, CloudWatch, SNS, EventBridge with the scheduler, SageMaker, Step
// Functions) and the six Lambdas with their real handlers and real SDK clients pointed at the
// stack's own endpoint, creates what the topology names (the artifacts bucket, the model
// package groups, the alarms, the rules and targets, the schedules, the state machines), and
// serves it all on one address.
//
// State lives under the state directory (default .kiln): kiln.db (bbolt: executions, history,
// task tokens, the registry, endpoints, events, notifications), s3/ (the buckets as files),
// sagemaker/ (job and endpoint directories), bin/ (the sample model's programs) and
// webhook-secret. Secrets Manager is not emulated: that one secret is read from the file, the
// only difference from AWS in what the Lambdas see.
//
// Use: [Open], then [Stack.Start], then [Stack.Close]. A Stack is safe for concurrent use.
package stack

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/console"
	"github.com/kiln-dev/kiln/internal/local/awsevent"
	"github.com/kiln-dev/kiln/internal/local/cloudwatch"
	"github.com/kiln-dev/kiln/internal/local/eventbus"
	"github.com/kiln-dev/kiln/internal/local/iam"
	"github.com/kiln-dev/kiln/internal/local/lambda"
	"github.com/kiln-dev/kiln/internal/local/logs"
	"github.com/kiln-dev/kiln/internal/local/s3"
	"github.com/kiln-dev/kiln/internal/local/sagemaker"
	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
	"github.com/kiln-dev/kiln/internal/local/schedule"
	"github.com/kiln-dev/kiln/internal/local/server"
	"github.com/kiln-dev/kiln/internal/local/sns"
	"github.com/kiln-dev/kiln/internal/local/stepfunctions"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// Command is the local program a container image runs as (see the sagemaker package).
type Command = sagemaker.Command

// Observer receives what happens in the stack as it happens; nil funcs are skipped. The
// calls come from the services' goroutines: keep them quick.
type Observer struct {
	// Execution receives every Step Functions history event.
	Execution func(stepfunctions.HistoryEvent)
	// Notification receives every SNS message.
	Notification func(sns.Message)
	// Alarm receives every CloudWatch alarm state change.
	Alarm func(cloudwatch.AlarmChange)
	// TrainingLog receives every line a training process prints.
	TrainingLog func(job, line string)
	// Invocation receives every Lambda invocation after it ends: the function's full name
	// (kiln-<stage>-<short>), the payload, and the result or error.
	Invocation func(function string, payload, result []byte, err error)
}

// Options configure [Open].
type Options struct {
	// Dir is the state directory; default ".kiln".
	Dir string
	// Addr is the listen address; default server.DefaultAddr (127.0.0.1:4566). Port 0 picks
	// a free port (tests). A non-loopback address is refused unless AllowRemote.
	Addr        string
	AllowRemote bool
	// CORSOrigins are the origins allowed cross-origin access to the endpoint (kiln local
	// --cors-origin); none by default. See server.Protect.
	CORSOrigins []string
	// Stage is the stage the stack runs; default "prod".
	Stage string
	// Policy is the release policy; default policy.Default().
	Policy *policy.Policy
	// Images maps container images to local commands; see [BuildImages] for the sample's.
	Images map[string]Command
	// Docker runs the images Images does not map, in containers (nil: none); see [ResolveRuntime].
	Docker *container.Docker
	// Clock is the time source of every service and handler of the stack (Step Functions,
	// SageMaker, the bus, schedules, CloudWatch, S3, SNS, logs); default clock.Wall.
	Clock clock.Clock
	// Log receives the services' logs (request access logs at debug level); default discards.
	Log *slog.Logger
	// Observer streams events to the caller (the demo's printer).
	Observer Observer
	// AlarmInterval is how often alarms are evaluated besides on every PutMetricData;
	// default 10 s. ScheduleInterval is how often schedules are checked; default 30 s.
	AlarmInterval, ScheduleInterval time.Duration
	// Lock is the caller's hold on Dir (kiln demo takes it before emptying the folder); the
	// stack owns it from Open on and releases it on Close. Nil: Open takes it itself.
	Lock *DirLock
	// Who names the process in the lock file (default "kiln").
	Who string
	// Inspect makes Start serve the API only: no execution resumes, no alarm or schedule
	// ticker runs (kiln status reading a stopped stack's state).
	Inspect bool
	// IAM, when set, evaluates every call under its principal (see iam.go); nil allows all.
	IAM *iam.Authorizer
	// SFNMocks is a Step Functions Local mock file (kiln local --sfn-mocks): executions
	// started on "ARN#TestCase" have their Task states answered by it.
	SFNMocks *asl.MockConfig
}

// Stack is a running local stack. Build one with [Open].
type Stack struct {
	opts   Options
	env    topology.Env
	policy *policy.Policy // images resolved for the local account and region
	// policyObject is the s3:// URI of the policy object (policy_object.go).
	policyObject string
	clock        clock.Clock
	log          *slog.Logger
	opened       time.Time
	// logStreams are the functions' log streams, one per function for this process (as Lambda
	// gives each execution environment its own), made on first use.
	logStreamMu sync.Mutex
	logStreams  map[topology.FunctionName]string

	db         *bolt.DB
	lock       *DirLock
	listener   net.Listener
	endpoint   string
	httpServer *http.Server

	s3         *s3.Store
	bus        *eventbus.Service
	cloudwatch *cloudwatch.Service
	sns        *sns.Service
	logs       *logs.Service
	console    *console.Handler
	sagemaker  *sagemaker.Service
	sfn        *stepfunctions.Service
	schedules  *schedule.Runner
	lambdas    *lambda.Registry
	clients    *Clients
	secret     *secretFile
	webhook    lambda.Func

	mu      sync.Mutex
	started bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// Open builds the stack on its state directory and listens on its address (so Endpoint is
// known), but serves nothing and resumes nothing until Start. On error everything opened is
// closed again.
func Open(opts Options) (st *Stack, err error) {
	if err := opts.setDefaults(); err != nil {
		return nil, fmt.Errorf("open local stack: %w", err)
	}
	env := topology.Local(opts.Stage)
	resolved, err := topology.ResolveImages(opts.Policy, env)
	if err != nil {
		return nil, fmt.Errorf("open local stack: %w", err)
	}
	if opts.Images, err = resolveImageKeys(opts.Images, env); err != nil {
		return nil, fmt.Errorf("open local stack: %w", err)
	}
	s := &Stack{opts: opts, env: env, policy: resolved, clock: opts.Clock, log: opts.Log, opened: opts.Clock.Now()}
	defer func() {
		if err != nil {
			_ = s.closeAll() // the Open error is the one to report
		}
	}()
	// Each step opens what the next ones use: the state folder and the listener, the bus and
	// storage, the services that publish to the bus, Step Functions, then the functions and
	// the schedules that invoke them.
	for _, step := range []func() error{s.openState, s.openBusAndStorage, s.openServices, s.openStepFunctions, s.openFunctions} {
		if err := step(); err != nil {
			return nil, fmt.Errorf("open local stack: %w", err)
		}
	}
	s.httpServer = server.NewHTTPServer(server.Protect(s.Handler(),
		server.Guard{Addr: s.listener.Addr().String(), CORSOrigins: opts.CORSOrigins}), server.DefaultTimeouts)
	return s, nil
}

// setDefaults fills the options Open may default and checks the ones it must not.
func (o *Options) setDefaults() error {
	if o.Dir == "" {
		o.Dir = ".kiln"
	}
	if o.Addr == "" {
		o.Addr = server.DefaultAddr
	}
	if o.Stage == "" {
		o.Stage = "prod"
	}
	if o.Policy == nil {
		o.Policy = policy.Default()
	}
	if _, ok := o.Policy.Stages[o.Stage]; !ok {
		return fmt.Errorf("the policy has no stage %q", o.Stage)
	}
	for _, origin := range o.CORSOrigins {
		if err := server.CheckOrigin(origin); err != nil {
			return err
		}
	}
	if o.Clock == nil {
		o.Clock = clock.Wall{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.AlarmInterval <= 0 {
		o.AlarmInterval = 10 * time.Second
	}
	if o.ScheduleInterval <= 0 {
		o.ScheduleInterval = 30 * time.Second
	}
	return nil
}

// openState takes the state folder's lock, opens its database, listens on the stack's address
// and makes sure the webhook's secret exists.
func (s *Stack) openState() (err error) {
	opts := s.opts
	if s.lock = opts.Lock; s.lock == nil {
		who := opts.Who
		if who == "" {
			who = "kiln"
		}
		if s.lock, err = LockDir(opts.Dir, who); err != nil {
			return err
		}
	}
	if s.db, err = openDB(filepath.Join(opts.Dir, "kiln.db")); err != nil {
		return err
	}
	// Writes reach the file at once (a killed process loses nothing); only an OS crash could
	// lose the last ones, which is acceptable for a local stack and keeps history writes fast.
	s.db.NoSync = true

	if s.listener, err = server.Listen(opts.Addr, opts.AllowRemote); err != nil {
		return err
	}
	s.endpoint = "http://" + s.listener.Addr().String()
	s.clients = NewClients(s.endpoint)

	secretPath := filepath.Join(opts.Dir, "webhook-secret")
	if _, err := ensureSecret(secretPath, func(b []byte) error { _, err := rand.Read(b); return err }); err != nil {
		return err
	}
	s.secret = &secretFile{arn: WebhookSecretARN(s.env), path: secretPath}
	return nil
}

// openBusAndStorage opens CloudWatch Logs, the console, the Lambda registry, the bus with
// kiln's rules, and S3 with the artifacts bucket and the policy object.
func (s *Stack) openBusAndStorage() (err error) {
	if s.logs, err = logs.New(s.db, s.clock, logs.InAccount(s.env.Region, s.env.Account)); err != nil {
		return err
	}
	s.console = &console.Handler{SFN: s.clients.StepFunctions, SageMaker: s.clients.SageMaker, CloudWatch: s.clients.CloudWatch,
		Logs: s.clients.Logs, TriggerLogGroup: s.LogGroup(topology.Trigger), Clock: s.clock.Now, Log: s.log.With("service", "console")}

	s.lambdas = lambda.New(lambda.Options{Env: s.env, Log: s.log.With("service", "lambda"), OnInvoke: s.opts.Observer.Invocation,
		Platform: s.platformLog, Clock: s.clock.Now})
	if s.bus, err = eventbus.New(eventbus.Config{Account: s.env.Account, Region: s.env.Region, Partition: s.env.Partition,
		Lambda: s.busInvoker(eventbus.InvokerFunc(s.lambdas.InvokeAsync)), DB: s.db, Clock: s.clock,
		Log: s.log.With("service", "events")}); err != nil {
		return err
	}
	if err := ProvisionBus(s.bus, s.env); err != nil {
		return err
	}

	bucket := topology.ArtifactsBucket(s.env)
	if s.s3, err = s3.Open(filepath.Join(s.opts.Dir, "s3"), s3.Options{Clock: s.clock, OnCreated: func(ev s3.ObjectCreated) {
		if ev.Bucket == bucket { // the artifacts bucket has EventBridge notifications on
			s.objectCreated(ev)
		}
	}}); err != nil {
		return err
	}
	if err := s.s3.EnsureBucket(bucket); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	s.policyObject, err = s.writePolicyObject()
	return err
}

// putAWSEvent is the one way an AWS service's own events reach the bus: CloudWatch's alarm
// state changes, Step Functions' status changes, SageMaker's state changes and S3's Object
// Created notifications. A zero time is the bus's clock.
func (s *Stack) putAWSEvent(ctx context.Context, ev awsevent.Event) error {
	_, err := s.bus.PutAWSEvent(ctx, eventbus.Entry{Source: ev.Source, DetailType: ev.DetailType,
		Detail: string(ev.Detail), Resources: ev.Resources, Time: ev.Time})
	return err
}

// openServices opens CloudWatch with the stage's alarms, SNS with kiln's topic and SageMaker
// with a model package group per model.
func (s *Stack) openServices() (err error) {
	s.cloudwatch = cloudwatch.New(cloudwatch.Options{Region: s.env.Region, Account: s.env.Account, Clock: s.clock,
		Log:    s.log.With("service", "cloudwatch"),
		Events: awsevent.SinkFunc(s.putAWSEvent)})
	if s.opts.Observer.Alarm != nil {
		s.cloudwatch.Watch(s.opts.Observer.Alarm)
	}
	for _, a := range topology.Alarms(s.policy, s.env.Stage) {
		if err := s.cloudwatch.PutAlarm(context.Background(), cloudwatch.FromTopology(a)); err != nil {
			return err
		}
	}

	if s.sns, err = sns.New(sns.Options{DB: s.db, Topics: []string{topology.TopicARN(s.env)}, Clock: s.clock,
		Observer: s.opts.Observer.Notification}); err != nil {
		return err
	}

	if s.sagemaker, err = sagemaker.New(sagemaker.Config{Root: filepath.Join(s.opts.Dir, "sagemaker"), DB: s.db,
		Blobs: blobs{s.s3, s.opts.IAM}, Events: awsevent.SinkFunc(s.putAWSEvent), Metrics: metrics{s.cloudwatch},
		Alarms: s.sagemakerAlarms(alarms{s.cloudwatch}), Preflight: s.sagemakerPreflight(),
		Images: s.opts.Images, Docker: s.opts.Docker, Log: s.log.With("service", "sagemaker"), TrainingLog: s.opts.Observer.TrainingLog,
		Region: s.env.Region, Account: s.env.Account, Clock: s.clock}); err != nil {
		return err
	}
	return s.createGroups()
}

// openStepFunctions opens Step Functions with kiln's workflows and its service integrations
// (Lambda, SageMaker, S3, SNS), each authorized as the state machine's role.
func (s *Stack) openStepFunctions() (err error) {
	resources := asl.NewResources()
	stepfunctions.Integrations{
		Lambda: s.lambdas.StepFunctions(), SageMaker: s.sagemaker, S3: s.s3,
		NotFound: func(err error) bool { return errors.Is(err, s3.ErrNotFound) },
		SNS:      s.publishFromTask,
	}.Register(resources)
	s.authorizeTasks(resources)
	machines, err := Workflows(s.env)
	if err != nil {
		return err
	}
	s.sfn, err = stepfunctions.Open(stepfunctions.Options{DB: s.db, Env: s.env, Resources: resources, Clock: s.clock, Machines: machines,
		Observer: s.observeExecution, Log: s.log.With("service", "states"), Mocks: s.opts.SFNMocks,
		Events: awsevent.SinkFunc(s.putAWSEvent)})
	return err
}

// publishFromTask is Step Functions' SNS integration: attrs become String message attributes.
func (s *Stack) publishFromTask(ctx context.Context, topic, subject, message string, attrs map[string]string) (string, error) {
	m := sns.Message{TopicARN: topic, Subject: subject, Message: message}
	for k, v := range attrs {
		if m.Attributes == nil {
			m.Attributes = map[string]sns.Attribute{}
		}
		m.Attributes[k] = sns.Attribute{DataType: "String", StringValue: v}
	}
	return s.sns.Publish(ctx, m)
}

// openFunctions registers kiln's Lambdas with their log groups and adds the stage's
// schedules, which invoke them.
func (s *Stack) openFunctions() error {
	if err := s.registerFunctions(s.policy); err != nil {
		return err
	}
	if err := s.createLogGroups(); err != nil {
		return err
	}
	s.schedules = schedule.NewRunner(s.scheduleInvoker(eventbus.InvokerFunc(s.lambdas.InvokeAsync)), s.log.With("service", "scheduler"))
	defs, err := Schedules(s.env, s.policy)
	if err != nil {
		return err
	}
	for _, d := range defs {
		if err := s.schedules.Add(d, s.clock.Now()); err != nil {
			return err
		}
	}
	return nil
}

// createGroups creates the model package group of every model of the policy, unless it exists.
func (s *Stack) createGroups() error {
	ctx := context.Background()
	for _, m := range s.policy.Models {
		name := topology.PackageGroup(s.env.Stage, m.Name)
		in, _ := json.Marshal(map[string]string{"ModelPackageGroupName": name})
		if _, err := s.sagemaker.Call(ctx, "DescribeModelPackageGroup", in); err == nil {
			continue
		}
		in, _ = json.Marshal(map[string]string{"ModelPackageGroupName": name,
			"ModelPackageGroupDescription": "kiln " + s.env.Stage + " versions of model " + m.Name})
		if _, err := s.sagemaker.Call(ctx, "CreateModelPackageGroup", in); err != nil {
			return fmt.Errorf("open local stack: create model package group %s: %w", name, err)
		}
	}
	return nil
}

// objectCreated puts S3's "Object Created" event for a write to the artifacts bucket.
func (s *Stack) objectCreated(ev s3.ObjectCreated) {
	detail, _ := json.Marshal(map[string]any{
		"version":           "0",
		"bucket":            map[string]any{"name": ev.Bucket},
		"object":            map[string]any{"key": ev.Key, "size": ev.Size, "etag": ev.ETag, "sequencer": ev.Sequencer},
		"request-id":        ev.Sequencer,
		"requester":         s.env.Account,
		"source-ip-address": "127.0.0.1",
		"reason":            "PutObject",
	})
	err := s.putAWSEvent(context.Background(), awsevent.Event{Source: "aws.s3", DetailType: "Object Created", Detail: detail,
		Resources: []string{"arn:aws:s3:::" + ev.Bucket}, Time: ev.Time})
	if err != nil {
		s.log.Error("put object created event", "bucket", ev.Bucket, "key", ev.Key, "err", err)
	}
}

// Handler returns the stack's router (the same one Start serves).
func (s *Stack) Handler() http.Handler {
	return s.opts.IAM.Middleware(s.env, server.Handler(server.Routes{
		StepFunctions: s.sfn, SageMaker: s.sagemaker.APIHandler(), Runtime: s.sagemaker.RuntimeHandler(),
		EventBridge: s.bus.Handler(), CloudWatch: s.cloudwatch, SNS: s.sns, S3: s.s3.Handler(), Logs: s.logs, Console: s.console,
		Lambda: s.lambdaAPI(), Scheduler: s.schedulerAPI(),
		Functions: map[string]http.Handler{string(topology.Webhook): lambda.FunctionURL(s.webhook, s.clock)},
	}, s.log.With("service", "http")))
}

// Start serves the endpoint, resumes the executions a previous process left running, and
// runs the alarm and schedule tickers until Close. It returns at once.
func (s *Stack) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("start local stack: already started")
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.wg.Add(1)
	srv, l := s.httpServer, s.listener // Close may clear the fields before this goroutine runs
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve local stack", "addr", s.endpoint, "err", err)
		}
	}()
	if s.opts.Inspect {
		return nil
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.cloudwatch.Run(ctx, s.opts.AlarmInterval)
	}()
	go func() {
		defer s.wg.Done()
		_ = s.schedules.Run(ctx, s.clock, s.opts.ScheduleInterval)
	}()
	if err := s.sfn.Resume(); err != nil {
		return fmt.Errorf("start local stack: %w", err)
	}
	return nil
}

// Close stops the tickers and the executions (running ones stay RUNNING for the next start),
// lets in-flight deliveries and invocations finish while the endpoint still answers them,
// then stops serving, stops the training and serving processes and closes the database. It is
// safe to call more than once.
func (s *Stack) Close() error {
	s.mu.Lock()
	cancel := s.cancel
	s.cancel = nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	var errs []error
	if s.sfn != nil {
		errs = append(errs, s.sfn.Close())
		s.sfn = nil
	}
	s.settle(5 * time.Second)
	if s.httpServer != nil && s.started {
		ctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.httpServer.Shutdown(ctx)
		stop()
		s.httpServer = nil
	}
	s.wg.Wait()
	errs = append(errs, s.closeAll())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close local stack: %w", err)
	}
	return nil
}

// settle waits up to d for the bus's deliveries and the async invocations to finish.
func (s *Stack) settle(d time.Duration) {
	if s.bus == nil || s.lambdas == nil {
		return
	}
	ctx, stop := context.WithTimeout(context.Background(), d)
	defer stop()
	_ = s.Settle(ctx)
}

// closeAll closes what Open opened (also after a failed Open).
func (s *Stack) closeAll() error {
	var errs []error
	if s.sfn != nil {
		errs = append(errs, s.sfn.Close())
		s.sfn = nil
	}
	s.settle(5 * time.Second)
	if s.sagemaker != nil {
		ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, s.sagemaker.Close(ctx))
		stop()
		s.sagemaker = nil
	}
	if s.listener != nil && !s.started {
		_ = s.listener.Close()
	}
	s.listener = nil
	if s.db != nil {
		errs = append(errs, s.db.Close())
		s.db = nil
	}
	errs = append(errs, s.lock.Close())
	s.lock = nil
	return errors.Join(errs...)
}

// Endpoint returns the stack's URL, http://127.0.0.1:4566 by default.
func (s *Stack) Endpoint() string { return s.endpoint }

// FunctionURL returns the URL at which the webhook function is served as a function URL.
func (s *Stack) FunctionURL(short topology.FunctionName) string {
	return s.endpoint + server.FunctionURLPrefix + string(short)
}

// ConsoleURL returns the kiln console's address, http://127.0.0.1:4566/console/ by default.
func (s *Stack) ConsoleURL() string { return s.endpoint + server.ConsolePrefix }

// Logs returns the CloudWatch Logs stand-in (the Lambdas' log groups).
func (s *Stack) Logs() *logs.Service { return s.logs }

// WebhookSecret returns the webhook secret (for signing test deliveries).
func (s *Stack) WebhookSecret() (string, error) {
	return ensureSecret(s.secret.path, nil)
}

// TopologyEnv is topology.Local(stage) of the stack.
func (s *Stack) TopologyEnv() topology.Env { return s.env }

// Policy returns the stack's policy.
func (s *Stack) Policy() *policy.Policy { return s.policy }

// Dir returns the state directory.
func (s *Stack) Dir() string { return s.opts.Dir }

// Clients returns SDK clients pointed at the stack (the ones the Lambdas use).
func (s *Stack) Clients() *Clients { return s.clients }

// S3 returns the local S3.
func (s *Stack) S3() *s3.Store { return s.s3 }

// Bus returns the EventBridge stand-in (Drain/Wait settle deliveries).
func (s *Stack) Bus() *eventbus.Service { return s.bus }

// CloudWatch returns the CloudWatch stand-in.
func (s *Stack) CloudWatch() *cloudwatch.Service { return s.cloudwatch }

// SNS returns the SNS stand-in (Messages lists every notification).
func (s *Stack) SNS() *sns.Service { return s.sns }

// SageMaker returns the SageMaker stand-in.
func (s *Stack) SageMaker() *sagemaker.Service { return s.sagemaker }

// StepFunctions returns the Step Functions stand-in.
func (s *Stack) StepFunctions() *stepfunctions.Service { return s.sfn }

// Schedules returns the scheduler (Fire runs a schedule now).
func (s *Stack) Schedules() *schedule.Runner { return s.schedules }

// Lambdas returns the function registry.
func (s *Stack) Lambdas() *lambda.Registry { return s.lambdas }

// Webhook returns the in-process webhook function (payload: a LambdaFunctionURLRequest).
func (s *Stack) Webhook() lambda.Func { return s.webhook }

// Settle waits until Step Functions and SageMaker have handed their events to the bus, the
// bus has delivered every event and every async invocation has finished, or ctx ends; call it
// repeatedly to let a chain of events play out.
func (s *Stack) Settle(ctx context.Context) error {
	for {
		if err := s.flushServiceEvents(ctx); err != nil {
			return err
		}
		if err := s.bus.Wait(ctx); err != nil {
			return err
		}
		if err := s.lambdas.Wait(ctx); err != nil {
			return err
		}
		// What the functions did may have made the services emit more.
		if err := s.flushServiceEvents(ctx); err != nil {
			return err
		}
		if s.bus.Pending() == 0 {
			return nil
		}
	}
}

// flushServiceEvents waits until the events Step Functions and SageMaker queued so far are on
// the bus.
func (s *Stack) flushServiceEvents(ctx context.Context) error {
	if sfn := s.sfn; sfn != nil { // nil once Close has closed it (and flushed it)
		if err := sfn.FlushEvents(ctx); err != nil {
			return err
		}
	}
	if sm := s.sagemaker; sm != nil {
		if err := sm.FlushEvents(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Served describes what the stack serves, one line each, for `kiln local` to print.
func (s *Stack) Served() []string {
	var sms []string
	for _, m := range s.sfn.StateMachines() {
		sms = append(sms, m.Name)
	}
	var groups []string
	for _, m := range s.policy.Models {
		groups = append(groups, topology.PackageGroup(s.env.Stage, m.Name))
	}
	return []string{
		"Step Functions (JSON 1.0): " + strings.Join(sms, ", "),
		"SageMaker (JSON 1.1) and SageMaker Runtime: model package groups " + strings.Join(groups, ", "),
		"EventBridge (JSON 1.1): buses " + strings.Join(s.bus.EventBuses(), ", "),
		"S3 (path-style): s3://" + topology.ArtifactsBucket(s.env) + " in " + s.s3.Root(),
		fmt.Sprintf("CloudWatch (RPC v2 CBOR): %d alarms", len(s.cloudwatch.Alarms())),
		"SNS (query): " + topology.TopicARN(s.env),
		"Lambda (REST-JSON, in process): " + strings.Join(s.lambdas.Names(), ", "),
		fmt.Sprintf("EventBridge Scheduler (REST-JSON, read-only): %d schedules", len(s.schedules.Schedules())),
		"CloudWatch Logs (JSON 1.1): /aws/lambda/kiln-" + s.env.Stage + "-* and the executions' /aws/vendedlogs/states/kiln-" + s.env.Stage + "-*",
		"webhook function URL: " + s.FunctionURL(topology.Webhook),
	}
}
