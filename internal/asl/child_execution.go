package asl

import (
	"strconv"
	"time"

	"github.com/kiln-dev/kiln/internal/arn"
	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
)

// childExecution is the identity a Distributed Map iteration runs under. On AWS each
// iteration is a child workflow execution of its own, so inside it $$.Execution is the
// child's (its ARN, name, start time and input, the item after ItemSelector and ItemBatcher)
// and $$.StateMachine is the Map Run's child state machine ("<machine>/<label>").
type childExecution struct {
	arn, name, smARN, smName string
	input                    any
	start                    time.Time
}

// mapRunLabel returns the label AWS puts in a Distributed Map's child ARNs: the state's
// Label, or its name when it has none.
func mapRunLabel(st *state) string {
	if n := mapOf(st); n != nil && n.label != "" {
		return n.label
	}
	return st.name
}

// newChildExecution returns the identity of iteration i of the Distributed Map st entered at
// enteredID in the thread t. The name is a UUID derived from the execution's seed, the state,
// the entry and the index, so runs are reproducible whatever the scheduling.
func (t *thread) newChildExecution(st *state, enteredID int64, i int, input any) *childExecution {
	x := t.x
	parentSM, parentSMName := x.smARN, x.smName
	if t.child != nil {
		parentSM, parentSMName = t.child.smARN, t.child.smName
	}
	label := mapRunLabel(st)
	smARN := parentSM + "/" + label
	name := childUUID(x.seed, st.name, enteredID, i)
	return &childExecution{
		arn:    arn.Execution(smARN, name),
		name:   name,
		smARN:  smARN,
		smName: parentSMName + "/" + label,
		input:  input,
		start:  x.e.clock.Now(),
	}
}

// childUUID mixes its arguments into a version-4-shaped UUID (FNV-1a then splitmix64).
func childUUID(seed uint64, state string, enteredID int64, i int) string {
	h := seed ^ 0xcbf29ce484222325
	mix := func(s string) {
		for j := 0; j < len(s); j++ {
			h = (h ^ uint64(s[j])) * 1099511628211
		}
		h = (h ^ '|') * 1099511628211
	}
	mix(state)
	mix(strconv.FormatInt(enteredID, 10))
	mix(strconv.Itoa(i))
	var b [16]byte
	for k := 0; k < 16; k += 8 {
		h += 0x9e3779b97f4a7c15
		z := h
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		z ^= z >> 31
		for j := 0; j < 8; j++ {
			b[k+j] = byte(z >> (8 * j))
		}
	}
	return intrinsic.FormatUUID(b)
}
