package gateway

import (
	"context"
	"time"

	"paydesk/internal/clock"
)

// InteractiveSchedule is how long Settle waits between status requests while
// the cashier waits: about a minute in all.
var InteractiveSchedule = []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 30 * time.Second}

// Settle asks status for the session at once and then after each wait of
// the schedule, until the outcome is final or the schedule is spent. It
// returns the last outcome and the last verified answer (nil when none came).
// An outcome that is not final means: keep the payment pending and let the
// background resolver go on; never pay again.
func (c *Client) Settle(ctx context.Context, prov *Provider, session, transID string, schedule []time.Duration) (Outcome, *Answer, error) {
	var last *Answer
	var lastErr error
	out := Unknown
	for i := 0; ; i++ {
		a, err := c.Status(ctx, prov, session, transID)
		if err == nil {
			last, lastErr = a, nil
			out = StatusOutcome(a)
			if out.Final() {
				return out, a, nil
			}
		} else {
			lastErr = err
			if KindOf(err) == KindInput {
				return Unknown, last, err
			}
		}
		if i >= len(schedule) {
			return out, last, lastErr
		}
		if err := clock.Sleep(ctx, c.cfg.Clock, schedule[i]); err != nil {
			return out, last, err
		}
	}
}

// Backoff is the background resolver's wait before status attempt n (from
// 0): 5 minutes × 1.3ⁿ, at most 2 hours, as CyberPlat's own kiosk does.
func Backoff(n int) time.Duration {
	const maxWait = 2 * time.Hour
	d := 5 * time.Minute
	for i := 0; i < n && d < maxWait; i++ {
		d = d * 13 / 10
	}
	return min(d, maxWait)
}
