package eventbus

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DeadLetter is a delivery the bus gave up on: the event, the rule and target it was for,
// how often it was tried and the last error.
type DeadLetter struct {
	EventID       string          `json:"eventId"`
	Bus           string          `json:"bus"`
	Rule          string          `json:"rule"`
	RuleARN       string          `json:"ruleArn"`
	TargetID      string          `json:"targetId"`
	TargetARN     string          `json:"targetArn"`
	Event         json.RawMessage `json:"event"`
	Attempts      int             `json:"attempts"`
	LastError     string          `json:"lastError"`
	Reason        string          `json:"reason"`
	IngestionTime time.Time       `json:"ingestionTime"`
	FailedAt      time.Time       `json:"failedAt"`
	ReplayName    string          `json:"replayName,omitempty"`
}

// deadLetter stores d; when storing fails the dead letter is kept in memory and logged.
func (s *Service) deadLetter(d *delivery, now time.Time, reason string) {
	dl := DeadLetter{
		EventID: d.ev.id, Bus: d.ev.bus, Rule: d.rule, RuleARN: d.ruleARN,
		TargetID: d.target.ID, TargetARN: d.target.ARN, Event: d.ev.raw, Attempts: d.retries + 1,
		LastError: d.lastErr.Error(), Reason: reason, IngestionTime: d.ev.ingestion, FailedAt: now,
		ReplayName: d.ev.replay,
	}
	s.log.Error("event delivery failed for good", "eventId", dl.EventID, "rule", dl.Rule, "target", dl.TargetID,
		"attempts", dl.Attempts, "reason", reason, "error", dl.LastError)
	s.dmu.Lock()
	s.dlqSeq++
	seq := s.dlqSeq
	s.dmu.Unlock()
	if s.cfg.DB != nil {
		err := s.cfg.DB.Update(func(tx *bolt.Tx) error {
			v, err := json.Marshal(dl)
			if err != nil {
				return err
			}
			k := make([]byte, 16)
			binary.BigEndian.PutUint64(k, uint64(now.UnixNano()))
			binary.BigEndian.PutUint64(k[8:], seq)
			return tx.Bucket(deadLetterBucket).Put(k, v)
		})
		if err == nil {
			return
		}
		s.log.Error("store dead letter", "eventId", dl.EventID, "error", err)
	}
	s.dmu.Lock()
	s.memDLQ = append(s.memDLQ, dl)
	s.dmu.Unlock()
}

// DeadLetters returns every dead letter, oldest first.
func (s *Service) DeadLetters() ([]DeadLetter, error) {
	var out []DeadLetter
	if s.cfg.DB != nil {
		err := s.cfg.DB.View(func(tx *bolt.Tx) error {
			return tx.Bucket(deadLetterBucket).ForEach(func(k, v []byte) error {
				var dl DeadLetter
				if err := json.Unmarshal(v, &dl); err != nil {
					return fmt.Errorf("decode dead letter %x: %w", k, err)
				}
				out = append(out, dl)
				return nil
			})
		})
		if err != nil {
			return nil, fmt.Errorf("read dead letters: %w", err)
		}
	}
	s.dmu.Lock()
	out = append(out, s.memDLQ...)
	s.dmu.Unlock()
	return out, nil
}
