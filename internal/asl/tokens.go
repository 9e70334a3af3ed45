package asl

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
)

// ErrTaskDoesNotExist is returned by the callback methods for a token that is unknown or
// whose task has already finished (AWS: TaskDoesNotExist / TaskTimedOut).
var ErrTaskDoesNotExist = errors.New("TaskDoesNotExist: task token does not exist or its task has finished")

// ErrInvalidOutput is returned by SendTaskSuccess when the output is not JSON.
var ErrInvalidOutput = errors.New("InvalidOutput: the output is not valid JSON")

// tokenWait is the rendezvous of a task waiting for a callback.
type tokenWait struct {
	token     string
	done      chan tokenResult
	heartbeat chan struct{}
}

type tokenResult struct {
	output any
	fail   *failure
}

// newToken registers a fresh task token for x.
func (e *Engine) newToken(x *Execution) *tokenWait {
	var b [48]byte
	x.mu.Lock()
	for i := 0; i < len(b); i += 8 {
		v := x.rand().Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	x.mu.Unlock()
	return e.registerToken(base64.RawURLEncoding.EncodeToString(b[:]))
}

func (e *Engine) registerToken(token string) *tokenWait {
	w := &tokenWait{token: token, done: make(chan tokenResult, 1), heartbeat: make(chan struct{}, 1)}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tokens[token] = w
	for _, ch := range e.tokenWatch[token] {
		close(ch)
	}
	delete(e.tokenWatch, token)
	return w
}

// WaitToken blocks until a task waits for token (at once when one does) or ctx ends, returning
// ctx.Err() then. A caller that learnt of a token from a stored checkpoint uses it to wait for
// the resumed execution to register it, without polling.
func (e *Engine) WaitToken(ctx context.Context, token string) error {
	e.mu.Lock()
	if _, ok := e.tokens[token]; ok {
		e.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	e.tokenWatch[token] = append(e.tokenWatch[token], ch)
	e.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		e.unwatchToken(token, ch)
		return ctx.Err()
	}
}

// unwatchToken removes ch from the watchers of token.
func (e *Engine) unwatchToken(token string, ch chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	watch := e.tokenWatch[token]
	for i, c := range watch {
		if c == ch {
			watch = append(watch[:i], watch[i+1:]...)
			break
		}
	}
	if len(watch) == 0 {
		delete(e.tokenWatch, token)
	} else {
		e.tokenWatch[token] = watch
	}
}

func (e *Engine) dropToken(token string) {
	e.mu.Lock()
	delete(e.tokens, token)
	e.mu.Unlock()
}

// take removes the token's waiter so a second completion fails as on AWS.
func (e *Engine) take(token string) (*tokenWait, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.tokens[token]
	if ok {
		delete(e.tokens, token)
	}
	return w, ok
}

// SendTaskSuccess completes the task waiting for token with output (JSON text).
func (e *Engine) SendTaskSuccess(token string, output []byte) error {
	v, err := decodeJSON(output)
	if err != nil {
		return fmt.Errorf("send task success: %w: %w", ErrInvalidOutput, err)
	}
	w, ok := e.take(token)
	if !ok {
		return fmt.Errorf("send task success: %w", ErrTaskDoesNotExist)
	}
	w.done <- tokenResult{output: v}
	return nil
}

// SendTaskFailure fails the task waiting for token with the given error and cause.
func (e *Engine) SendTaskFailure(token, errName, cause string) error {
	w, ok := e.take(token)
	if !ok {
		return fmt.Errorf("send task failure: %w", ErrTaskDoesNotExist)
	}
	w.done <- tokenResult{fail: &failure{name: errName, cause: cause}}
	return nil
}

// SendTaskHeartbeat restarts the heartbeat timer of the task waiting for token.
func (e *Engine) SendTaskHeartbeat(token string) error {
	e.mu.Lock()
	w, ok := e.tokens[token]
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("send task heartbeat: %w", ErrTaskDoesNotExist)
	}
	select {
	case w.heartbeat <- struct{}{}:
	default:
	}
	return nil
}
