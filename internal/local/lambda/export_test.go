package lambda

import "context"

// Helpers only the tests use.

// HandlerNoResult adapts a handler that returns only an error; its result is JSON null.
func HandlerNoResult[In any](fn func(context.Context, In) error) Func {
	return Handler(func(ctx context.Context, in In) (any, error) { return nil, fn(ctx, in) })
}
