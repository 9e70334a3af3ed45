// Package conformance runs batches of Step Functions executions given as JSON Lines, one
// {"id","definition","input"} object a line, and writes one {"id","status","output","error",
// "cause"} line per case in the same order: the engine behind `kiln sfn conformance`.
//
// A batch is read in chunks of lines that run on every core; each distinct definition is parsed
// once (cached by its exact bytes), each worker reuses one engine whose virtual clock is reset
// between cases, and the output is buffered and written in input order. One bad case never
// stops the batch, and a case still running after [Options.CaseTimeout] is stopped.
package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/clock"
)

// Options configure [Run].
type Options struct {
	// CaseTimeout is the wall-clock limit of one case; 0 means 20 seconds.
	CaseTimeout time.Duration
	// Workers is how many cases run at once; 0 means GOMAXPROCS.
	Workers int
}

// maxLine is the longest input line accepted.
const maxLine = 64 << 20

// chunkLines and chunkBytes bound a chunk: the unit of work handed to a worker and written out.
const (
	chunkLines = 64
	chunkBytes = 256 << 10
)

// maxCachedDefinitions bounds the definition cache; when full it starts again empty.
const maxCachedDefinitions = 1024

// chunk is a run of consecutive input lines and, once done is closed, their output lines.
type chunk struct {
	buf   []byte
	lines [][2]int
	out   []byte
	done  chan struct{}
}

// Run reads cases from r until EOF and writes their results to w in input order. Blank lines
// are skipped. It returns an error only when reading or writing fails; a bad case gives a
// FAILED result line instead.
func Run(ctx context.Context, r io.Reader, w io.Writer, opts Options) error {
	if opts.CaseTimeout <= 0 {
		opts.CaseTimeout = 20 * time.Second
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	cache := &defCache{m: map[string]*defEntry{}}
	work := make(chan *chunk, opts.Workers*2)
	order := make(chan *chunk, opts.Workers*4)
	var wg sync.WaitGroup
	for i := 0; i < opts.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newWorker(ctx, cache, opts.CaseTimeout)
			defer wk.close()
			for c := range work {
				for _, span := range c.lines {
					c.out = wk.appendCase(c.out, c.buf[span[0]:span[1]])
				}
				close(c.done)
			}
		}()
	}
	var writeErr error
	var failed atomic.Bool
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		bw := bufio.NewWriterSize(w, 256<<10)
		for c := range order {
			<-c.done
			if writeErr != nil {
				continue
			}
			_, err := bw.Write(c.out)
			chunkPool.Put(c)
			if err != nil {
				writeErr = err
				failed.Store(true)
				continue
			}
			// Flush whenever nothing more is ready, so a case piped in alone is answered at once.
			if len(order) == 0 {
				if err := bw.Flush(); err != nil {
					writeErr = err
					failed.Store(true)
				}
			}
		}
		if writeErr == nil {
			if err := bw.Flush(); err != nil {
				writeErr = err
			}
		}
	}()

	readErr := readChunks(r, &failed, func(c *chunk) {
		order <- c
		work <- c
	})
	close(work)
	close(order)
	wg.Wait()
	<-writerDone
	if readErr != nil {
		return fmt.Errorf("read cases: %w", readErr)
	}
	if writeErr != nil {
		return fmt.Errorf("write result: %w", writeErr)
	}
	return nil
}

// readChunks reads non-blank lines into chunks and hands each to send; a chunk is sent when
// full or when the next read could block, so an interactive caller is never kept waiting.
func readChunks(r io.Reader, stop *atomic.Bool, send func(*chunk)) error {
	br := bufio.NewReaderSize(r, 256<<10)
	c := newChunk()
	flush := func() {
		if len(c.lines) > 0 {
			send(c)
			c = newChunk()
		}
	}
	var long []byte
	for !stop.Load() {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
				if len(long) > maxLine {
					flush()
					return errors.New("a line is longer than 64 MiB")
				}
			}
			line = long
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			start := len(c.buf)
			c.buf = append(c.buf, t...)
			c.lines = append(c.lines, [2]int{start, len(c.buf)})
		}
		if err != nil {
			flush()
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if len(c.lines) >= chunkLines || len(c.buf) >= chunkBytes || br.Buffered() == 0 {
			flush()
		}
	}
	flush()
	return nil
}

// chunkPool recycles chunks once written, so their buffers are grown only once per batch.
var chunkPool = sync.Pool{New: func() any {
	return &chunk{buf: make([]byte, 0, 64<<10), out: make([]byte, 0, 32<<10)}
}}

func newChunk() *chunk {
	c := chunkPool.Get().(*chunk)
	c.buf, c.lines, c.out = c.buf[:0], c.lines[:0], c.out[:0]
	c.done = make(chan struct{})
	return c
}

// defCache maps a definition's exact bytes to its parsed machine, shared by the workers.
type defCache struct {
	mu sync.Mutex
	m  map[string]*defEntry
}

// defEntry is one cached definition, parsed once by whichever worker needs it first.
type defEntry struct {
	once sync.Once
	m    *asl.Machine
	err  error
}

// machine returns the parsed machine of the raw definition field.
func (dc *defCache) machine(raw []byte) (*asl.Machine, error) {
	dc.mu.Lock()
	ent := dc.m[string(raw)]
	if ent == nil {
		if len(dc.m) >= maxCachedDefinitions {
			clear(dc.m)
		}
		ent = &defEntry{}
		dc.m[string(raw)] = ent
	}
	dc.mu.Unlock()
	ent.once.Do(func() {
		// The cases are executions AWS ran, so a definition is run whenever it can be: strict
		// validation problems that do not stop execution (an unknown field, an unreachable
		// state) are tolerated.
		ent.m, ent.err = asl.ParseWith(Definition(raw), asl.ParseOptions{Lenient: true})
	})
	return ent.m, ent.err
}

// Case is one input line.
type Case struct {
	ID         json.RawMessage `json:"id"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
}

// worker runs cases one after another on one engine.
type worker struct {
	// parent is Run's context; ctx, a child of it, is what cases run under and what the
	// guard cancels (then replaced), so a case costs no context or timer of its own.
	parent  context.Context
	ctx     context.Context
	cancel  context.CancelFunc
	guard   *time.Timer
	mu      sync.Mutex
	running bool
	fired   bool
	cache   *defCache
	timeout time.Duration
	clock   *clock.Virtual
	engine  *asl.Engine
	// output holds the output of the case being run (reused from case to case).
	output []byte
	// lastDef is the definition field of the previous case, so a batch of one machine finds
	// its definition by comparing bytes instead of scanning them.
	lastDef []byte
	lastM   *asl.Machine
}

func newWorker(ctx context.Context, cache *defCache, timeout time.Duration) *worker {
	w := &worker{parent: ctx, cache: cache, timeout: timeout}
	w.ctx, w.cancel = context.WithCancel(ctx)
	w.guard = time.AfterFunc(time.Hour, w.overrun)
	w.guard.Stop()
	w.fresh()
	return w
}

// arm starts the wall-clock guard of a case and returns the context to run it under.
func (w *worker) arm() context.Context {
	w.mu.Lock()
	w.running, w.fired = true, false
	ctx := w.ctx
	w.mu.Unlock()
	w.guard.Reset(w.timeout)
	return ctx
}

// overrun is the guard firing: it cancels the case still running, if any.
func (w *worker) overrun() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running {
		w.fired = true
		w.cancel()
	}
}

// disarm stops the guard once the case has ended and reports whether it fired.
func (w *worker) disarm() bool {
	w.guard.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running = false
	if w.fired {
		w.ctx, w.cancel = context.WithCancel(w.parent)
	}
	return w.fired
}

// close releases the worker's context.
func (w *worker) close() {
	w.guard.Stop()
	w.cancel()
}

// fresh gives the worker a new engine on a new virtual clock.
func (w *worker) fresh() {
	w.clock = clock.NewVirtual(time.Time{})
	w.engine = asl.NewEngine(asl.Options{Clock: w.clock, Seed: 1, NoHistory: true})
}

// result is one output line.
type result struct {
	id     []byte
	status string
	output []byte
	errSet bool
	err    string
	cause  string
	cSet   bool
}

func (r *result) fail(name, cause string) {
	r.status, r.errSet, r.err, r.cSet, r.cause = "FAILED", true, name, true, cause
}

// appendCase runs the case on line and appends its result line to out.
func (w *worker) appendCase(out []byte, line []byte) []byte {
	var res result
	func() {
		defer func() {
			if p := recover(); p != nil {
				res.status, res.output = "", nil
				res.fail(asl.ErrRuntime, fmt.Sprint("internal error: ", p))
				// The engine may have been left mid-execution.
				w.fresh()
				w.lastDef, w.lastM = nil, nil
			}
		}()
		w.runCase(&res, line)
	}()
	return appendResult(out, &res)
}

func (w *worker) runCase(res *result, line []byte) {
	id, def, input, ok := splitCase(line, w.lastDef)
	if !ok {
		// Anything the fast scanner does not take (a syntax error, keys in other cases, escapes
		// in keys, duplicate keys) goes through encoding/json, which also words the errors.
		var c Case
		if err := json.Unmarshal(line, &c); err != nil {
			res.fail("States.InvalidCase", "the line is not a JSON object: "+err.Error())
			return
		}
		id, def, input = c.ID, c.Definition, c.Input
	}
	res.id = id
	var m *asl.Machine
	if w.lastM != nil && bytes.Equal(def, w.lastDef) {
		m = w.lastM
	} else {
		var err error
		m, err = w.cache.machine(def)
		if err != nil {
			res.fail("States.InvalidDefinition", err.Error())
			return
		}
		w.lastDef, w.lastM = append(w.lastDef[:0], def...), m
	}
	if !w.clock.Reset(time.Time{}) {
		w.fresh()
	}
	ctx := w.arm()
	r, out, err := w.engine.RunAppend(ctx, m, asl.StartInput{Name: "conformance", Input: Input(input)}, w.output[:0])
	w.output = out
	guardFired := w.disarm()
	if err != nil {
		res.fail("States.InvalidExecutionInput", err.Error())
		return
	}
	res.status = string(r.Status)
	if r.Status == asl.StatusSucceeded {
		res.output = out
		return
	}
	if r.Status == asl.StatusAborted && guardFired {
		r.Error, r.Cause = "States.Aborted", "the case ran longer than the wall-clock limit"
	}
	// DescribeExecution omits an empty error or cause (a Fail state without Error/Cause).
	res.errSet, res.err = r.Error != "", r.Error
	res.cSet, res.cause = r.Cause != "", r.Cause
}

// Definition returns the ASL text of a case's definition field: an object as it is, a string
// holding the ASL as its content.
func Definition(raw []byte) []byte {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return []byte(s)
	}
	return raw
}

// Input returns the execution input of a case's input field as JSON text. A missing input is
// "{}" (what StartExecution uses when no input is given); an object, array, number, boolean
// or null is the input itself; a string is parsed as JSON text when it is valid JSON and is
// otherwise the string value itself (so "" is the empty string: AWS never reports an empty
// input text, so an empty string can only be a string value).
func Input(raw []byte) []byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return []byte("{}")
	}
	if raw[0] != '"' {
		return raw
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return raw
	}
	if json.Valid([]byte(s)) {
		return []byte(s)
	}
	return raw
}
