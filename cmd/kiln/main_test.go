package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTheRootCommandHoldsEveryCommand(t *testing.T) {
	var got []string
	for _, c := range newRootCmd().Commands() {
		got = append(got, c.Name())
	}
	for _, want := range []string{"local", "status", "approve", "reject", "demo", "init", "sfn", "events", "drift", "iam", "history", "rollback", "redrive"} {
		assert.Contains(t, got, want)
	}
}

func TestEachRootCommandIsANewTree(t *testing.T) {
	a, b := newRootCmd(), newRootCmd()
	assert.NotSame(t, a, b)
	sub, _, err := a.Find([]string{"events", "put"})
	assert.NoError(t, err)
	other, _, err := b.Find([]string{"events", "put"})
	assert.NoError(t, err)
	assert.NotSame(t, sub, other, "flags set on one tree do not leak into another")
}
