package eventbus

import "context"

// sourceRuleKey carries the ARN of the rule whose target is being invoked.
type sourceRuleKey struct{}

func withSourceRule(ctx context.Context, ruleARN string) context.Context {
	return context.WithValue(ctx, sourceRuleKey{}, ruleARN)
}

// SourceRule returns the ARN of the rule on whose behalf an [Invoker] is called (the
// aws:SourceArn EventBridge presents to Lambda), or "" outside a rule's delivery.
func SourceRule(ctx context.Context) string {
	r, _ := ctx.Value(sourceRuleKey{}).(string)
	return r
}
