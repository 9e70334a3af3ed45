package eventpattern

import "errors"

var errNotImplemented = errors.New("eventpattern: not implemented yet")

type rule struct{}

func compileRule([]byte) (*rule, error)       { return nil, errNotImplemented }
func (*rule) matchEvent([]byte) (bool, error) { return false, errNotImplemented }

type matcherState struct{}

func (*matcherState) init()                          {}
func (*matcherState) add(string, []byte) error       { return errNotImplemented }
func (*matcherState) remove(string) bool             { return false }
func (*matcherState) match([]byte) ([]string, error) { return nil, errNotImplemented }
func (*matcherState) len() int                       { return 0 }
