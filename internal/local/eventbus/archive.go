package eventbus

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Buckets of the DB this package owns.
var (
	archiveBucket    = []byte("events.archive")
	deadLetterBucket = []byte("events.deadletters")
)

func initBuckets(db *bolt.DB) error {
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{archiveBucket, deadLetterBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create event buckets: %w", err)
	}
	return nil
}

// archived is one archive record.
type archived struct {
	Bus           string          `json:"bus"`
	IngestionTime time.Time       `json:"ingestionTime"`
	Event         json.RawMessage `json:"event"`
}

// archiveKey orders records by ingestion time, then event ID; times before 1970 (the zero
// time included) sort first.
func archiveKey(t time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	if t.After(time.Unix(0, 0)) {
		binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	}
	return append(k, id...)
}

// archive queues evs for the archive; without a DB it does nothing. A single writer stores
// what is queued in one transaction per batch, as EventBridge archives asynchronously, so a
// caller putting events one by one does not wait for a disk sync each time. Wait and
// Archived wait for the queue to be written.
func (s *Service) archive(evs []*event) {
	if s.cfg.DB == nil || len(evs) == 0 {
		return
	}
	s.dmu.Lock()
	s.archiveQ = append(s.archiveQ, evs...)
	start := !s.archiving
	if start {
		s.archiving = true
		s.running++ // the writer counts as a delivery under way, for Wait
	}
	s.dmu.Unlock()
	if start {
		go s.writeArchive()
	}
}

// writeArchive stores the queued events until the queue is empty.
func (s *Service) writeArchive() {
	for {
		s.dmu.Lock()
		batch := s.archiveQ
		s.archiveQ = nil
		if len(batch) == 0 {
			s.archiving = false
			s.dmu.Unlock()
			s.update(-1, 0)
			return
		}
		s.dmu.Unlock()
		err := s.cfg.DB.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(archiveBucket)
			for _, ev := range batch {
				v, err := json.Marshal(archived{Bus: ev.bus, IngestionTime: ev.ingestion, Event: ev.raw})
				if err != nil {
					return err
				}
				if err := b.Put(archiveKey(ev.ingestion, ev.id), v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			ids := make([]string, len(batch))
			for i, ev := range batch {
				ids[i] = ev.id
			}
			s.log.Error("archive events", "eventIds", ids, "error", err)
		}
	}
}

// flushArchive waits until the archive queue is written.
func (s *Service) flushArchive(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return !s.archiving })
}

// ArchivedEvent is one event of the archive.
type ArchivedEvent struct {
	// Bus is the name of the bus the event was put on.
	Bus string
	// IngestionTime is when the bus received it.
	IngestionTime time.Time
	// Event is the envelope's JSON.
	Event json.RawMessage
}

// Archived returns the archived events received in [from, to), oldest first; a zero from or
// to means no bound on that side.
func (s *Service) Archived(from, to time.Time) ([]ArchivedEvent, error) {
	if s.cfg.DB == nil {
		return nil, errNoArchive
	}
	if err := s.flushArchive(context.Background()); err != nil {
		return nil, err
	}
	var out []ArchivedEvent
	err := s.cfg.DB.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(archiveBucket).Cursor()
		for k, v := c.Seek(archiveKey(from, "")); k != nil; k, v = c.Next() {
			var a archived
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("decode archived event %x: %w", k, err)
			}
			if !to.IsZero() && !a.IngestionTime.Before(to) {
				break
			}
			out = append(out, ArchivedEvent(a))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read archive: %w", err)
	}
	return out, nil
}

// ReplayResult reports a replay.
type ReplayResult struct {
	// Name is the replay's name, which every replayed event carries as replay-name.
	Name string
	// Events is how many archived events were in the range.
	Events int
	// Deliveries is how many target deliveries the replay started.
	Deliveries int
	// From and To are the range replayed.
	From, To time.Time
}

// ReplayRequest says what to replay.
type ReplayRequest struct {
	// Name is the replay's name (1 to 64 letters, digits and . - _), which every replayed
	// event carries as "replay-name".
	Name string
	// From and To bound the ingestion times replayed: [From, To).
	From, To time.Time
	// Bus, when not empty (a name or ARN), replays only events put on that bus.
	Bus string
	// Rules, when not empty (names or ARNs), restricts delivery to those rules.
	Rules []string
}

// Replay re-delivers the archived events received in [from, to) to the targets of the rules
// they match now, on the bus each was put on; rule, when not empty, restricts the replay to the
// rule of that name (or ARN). The replay is named kiln-replay-<from>-<to> (UTC). See StartReplay.
func (s *Service) Replay(ctx context.Context, from, to time.Time, rule string) (*ReplayResult, error) {
	name := fmt.Sprintf("kiln-replay-%s-%s", from.UTC().Format("20060102T150405Z"), to.UTC().Format("20060102T150405Z"))
	req := ReplayRequest{Name: name, From: from, To: to}
	if rule != "" {
		req.Rules = []string{rule}
	}
	return s.StartReplay(ctx, req)
}

// StartReplay re-delivers archived events as req says. Replayed events carry "replay-name"
// as EventBridge marks them and are not archived again; they go only to rules (never to
// other buses' archives twice). Deliveries are asynchronous: call Wait to see them done. An
// unknown bus or rule is a ResourceNotFoundException; From not before To, or a bad name, is
// a ValidationException; nothing is replayed then.
func (s *Service) StartReplay(ctx context.Context, req ReplayRequest) (*ReplayResult, error) {
	if err := validName("replay", req.Name, 64); err != nil {
		return nil, err
	}
	if !req.From.Before(req.To) {
		return nil, validationError("replay %s: start time %s is not before end time %s", req.Name,
			req.From.UTC().Format(time.RFC3339), req.To.UTC().Format(time.RFC3339))
	}
	if s.cfg.DB == nil {
		return nil, fmt.Errorf("replay %s: %w", req.Name, errNoArchive)
	}
	bus := ""
	if req.Bus != "" {
		bus = busName(req.Bus)
	}
	var only map[string]bool
	s.mu.RLock()
	if _, ok := s.buses[bus]; bus != "" && !ok {
		s.mu.RUnlock()
		return nil, notFound("Event bus %s does not exist.", bus)
	}
	for _, rule := range req.Rules {
		rn, bn := ruleFromARN(rule)
		found := false
		for _, b := range s.buses {
			if (bn != "" && b.name != bn) || (bus != "" && b.name != bus) {
				continue
			}
			if _, ok := b.rules[rn]; ok {
				found = true
			}
		}
		if !found {
			s.mu.RUnlock()
			return nil, notFound("Rule %s does not exist.", rule)
		}
		if only == nil {
			only = map[string]bool{}
		}
		only[rn] = true
	}
	s.mu.RUnlock()
	evs, err := s.Archived(req.From, req.To)
	if err != nil {
		return nil, fmt.Errorf("replay %s: %w", req.Name, err)
	}
	res := &ReplayResult{Name: req.Name, From: req.From, To: req.To}
	for _, a := range evs {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("replay %s: %w", req.Name, err)
		}
		if bus != "" && a.Bus != bus {
			continue
		}
		raw, id, err := markReplay(a.Event, req.Name)
		if err != nil {
			return res, fmt.Errorf("replay %s: %w", req.Name, err)
		}
		res.Events++
		ev := &event{bus: a.Bus, id: id, raw: raw, ingestion: a.IngestionTime, replay: req.Name, since: s.now()}
		res.Deliveries += s.route(ev, only)
	}
	return res, nil
}

// ruleFromARN returns the rule name and bus (empty when the ARN does not say, or for a plain
// name) of a rule name or ARN.
func ruleFromARN(rule string) (name, bus string) {
	const marker = ":rule/"
	for i := 0; i+len(marker) <= len(rule); i++ {
		if rule[i:i+len(marker)] == marker {
			rest := rule[i+len(marker):]
			for j := 0; j < len(rest); j++ {
				if rest[j] == '/' {
					return rest[j+1:], rest[:j]
				}
			}
			return rest, DefaultBusName
		}
	}
	return rule, ""
}

// markReplay adds replay-name to an archived envelope.
func markReplay(raw []byte, name string) ([]byte, string, error) {
	var env Envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, "", fmt.Errorf("decode archived event: %w", err)
	}
	env.ReplayName = name
	b, err := json.Marshal(env)
	if err != nil {
		return nil, "", fmt.Errorf("encode replayed event: %w", err)
	}
	return b, env.ID, nil
}
