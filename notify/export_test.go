package notify

import (
	"context"
	"time"
)

// ClaimForTest claims due mail the way a run does before it sends, and
// returns how many it claimed, so a test can stand for a run that crashed
// between claiming and sending.
func (o *Outbox) ClaimForTest(now time.Time) (int, error) {
	ms, err := o.claim(context.Background(), now, claimBatch)
	return len(ms), err
}
