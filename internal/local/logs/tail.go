package logs

import (
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Since returns a function that, called later, returns the messages put in group after
// this call, oldest first, one per line: what Lambda's Invoke returns in X-Amz-Log-Result
// for LogType Tail. Lines other invocations wrote meanwhile are included; locally,
// invocations share their function's log stream.
func (s *Service) Since(group string) func() string {
	var mark uint64
	_ = s.db.View(func(tx *bolt.Tx) error {
		if g := tx.Bucket(bucketEvents).Bucket([]byte(group)); g != nil {
			mark = g.Sequence()
		}
		return nil
	})
	return func() string {
		events, _, err := s.Filter(Query{Group: group, After: mark})
		if err != nil {
			return ""
		}
		var b strings.Builder
		for _, ev := range events {
			b.WriteString(ev.Message)
			b.WriteByte('\n')
		}
		return b.String()
	}
}
