package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/kiln-dev/kiln/internal/release"
)

// Releases is the release operation the endpoints page's Rollback button calls: the same
// path as `kiln rollback` (release.Releaser).
type Releases interface {
	Rollback(ctx context.Context, model, stage string, toVersion int, who, why string) (release.Rolled, error)
}

var _ Releases = (*release.Releaser)(nil)

// RollbackRequest is the body of POST /console/api/rollback.
type RollbackRequest struct {
	// Endpoint is the endpoint to roll back (kiln-<stage>-<model>).
	Endpoint string `json:"endpoint"`
	// To is the package version to go back to; 0 is the release live before the current one.
	To     int    `json:"to"`
	Reason string `json:"reason"`
	// Who names the person asking; "console" when empty.
	Who string `json:"who"`
}

// rollback starts a rollback of the endpoint's stage through Releases and answers at once
// with the deploy execution; its end is announced on the bus from the execution's own status
// change (the rollback-ended rule), as every rollback's is. Bad input and refused rollbacks
// (a Rejected package, a version never live) are 400s that change nothing.
func (h *Handler) rollback(r *http.Request) (any, error) {
	if h.Releases == nil {
		return nil, badRequest("this console has no release operations: rollbacks are not available")
	}
	var in RollbackRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return nil, badRequest("read the rollback: %v", err)
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("the rollback is not a JSON object with endpoint, to and reason: %v", err)
	}
	model, ok := strings.CutPrefix(in.Endpoint, "kiln-"+h.Stage+"-")
	if !ok || model == "" {
		return nil, badRequest("endpoint %q is not an endpoint of stage %s", in.Endpoint, h.Stage)
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return nil, badRequest("a reason is required to roll back %s", in.Endpoint)
	}
	if in.To < 0 {
		return nil, badRequest("version %d is not a package version", in.To)
	}
	who := strings.TrimSpace(in.Who)
	if who == "" {
		who = "console"
	}
	rolled, err := h.Releases.Rollback(r.Context(), model, h.Stage, in.To, who, reason)
	if errors.Is(err, release.ErrInvalid) || errors.Is(err, release.ErrNotApproved) || errors.Is(err, release.ErrNoRelease) {
		return nil, badRequest("rollback refused, nothing changed: %v", err)
	}
	if err != nil {
		return nil, fmt.Errorf("roll back %s: %w", in.Endpoint, err)
	}
	return rolled, nil
}
