package approval

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/kiln-dev/kiln/statemachines"
)

// RecordPrefix is the key prefix of the token records in the artifacts bucket.
const RecordPrefix = "approvals/"

// RecordKey returns the key of the token record for a model package:
// approvals/<hex SHA-256 of the ARN>.json (ARNs hold characters keys should not).
func RecordKey(modelPackageARN string) string {
	sum := sha256.Sum256([]byte(modelPackageARN))
	return RecordPrefix + hex.EncodeToString(sum[:]) + ".json"
}

// Record is the token record: request-approval writes it when the pipeline starts waiting,
// the approval function reads it when the package is decided and marks it decided.
type Record struct {
	TaskToken       string `json:"taskToken"`
	ModelPackageARN string `json:"modelPackageArn"`
	ExecutionARN    string `json:"executionArn"`
	// RequestedAt is RFC 3339, UTC.
	RequestedAt string `json:"requestedAt"`
	// Decided is true once the approval function has answered the task (or found it gone).
	Decided bool `json:"decided"`
	// Decision is the answer given, nil until decided.
	Decision *RecordedDecision `json:"decision"`
	// Reversals are later decisions that differ from Decision (a rejection after the
	// approval, an approval after the rejection), in order.
	Reversals []statemachines.Decision `json:"reversals,omitempty"`
}

// RecordedDecision is the decision sent to the waiting task and what became of it.
type RecordedDecision struct {
	statemachines.Decision
	// Outcome is "sent", or the Step Functions error that made sending moot
	// (TaskDoesNotExist, InvalidToken, TaskTimedOut).
	Outcome string `json:"outcome"`
}
