// Package push is the desk's side of the hub: it sends the events of a
// desk's outbox to the hub in signed batches (hub/wire) until the hub has
// them all, and keeps going with backoff while the hub cannot be reached.
//
// The outbox itself (events written in the same transaction as the books
// change, numbered 1, 2, … and never renumbered) belongs to the desk; push
// only reads it and records how far the hub has applied it. An outbox keeps
// events the hub has acknowledged for a while: a hub whose database was
// restored from a backup asks for them again.
package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"paydesk/hub/wire"
	"paydesk/internal/clock"
	"paydesk/protocol/ipriv"
)

// Outbox is where a desk keeps its events.
type Outbox interface {
	// After returns the events numbered after seq, in order, at most n
	// (none when the hub has everything). Each event's Seq is set.
	After(ctx context.Context, seq int64, n int) ([]wire.Event, error)
	// Applied records that the hub has applied every event up to seq.
	Applied(ctx context.Context, seq int64) error
}

// Rewound is an outbox that may have been put back from a backup: while
// pending, a hub may hold events after at that the outbox does not (they
// were written before the backup was put back), so the outbox holds back
// the events after at (After) until the hub has answered a batch that
// ends at at, and then numbers them after what the hub holds (Applied
// learns it). Sync starts its batches at at so that the hub answers.
type Rewound interface {
	Rewound(ctx context.Context) (at int64, pending bool, err error)
}

// Sender sends one point's outbox to one hub.
type Sender struct {
	Hub    string // the hub's base URL, such as https://hub.example.ru
	Point  string // the point's id on the hub
	Key    *ipriv.SecretKey
	Outbox Outbox
	Client *http.Client // http.DefaultClient when nil
	Clock  clock.Clock  // clock.Real{} when nil
	Log    *slog.Logger // slog.Default() when nil
	Lang   string       // the language of the hub's messages
	Batch  int          // events per batch; 500 when 0
}

// Refused is a batch the hub will never take as it is (its signature, an
// unregistered point, its format): sending again does not help, a person
// must look.
type Refused struct {
	Answer *wire.Answer
}

func (r *Refused) Error() string {
	return fmt.Sprintf("push: the hub refused the batch (%s): %s", r.Answer.Refused, r.Answer.Message)
}

// Sync sends every event after acked (the last the hub is known to have)
// and returns the last event the hub has applied. It stops at the first
// failure: an error from the network or the hub's own trouble (try again
// later), or a *Refused.
func (s *Sender) Sync(ctx context.Context, acked int64) (int64, error) {
	n := s.Batch
	if n <= 0 {
		n = 500
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	now := s.now
	last := acked
	if r, ok := s.Outbox.(Rewound); ok {
		at, pending, err := r.Rewound(ctx)
		if err != nil {
			return last, err
		}
		if pending && last >= at {
			last = at - 1 // the backup's last event again: the hub's answer says what it holds after it
		}
	}
	for {
		events, err := s.Outbox.After(ctx, last, n)
		if err != nil || len(events) == 0 {
			return last, err
		}
		b := &wire.Batch{Version: wire.Version, Point: s.Point, From: last + 1, To: last + int64(len(events)),
			Sent: now(), Events: events}
		doc, err := wire.Sign(b, s.Key, now())
		if err != nil {
			return last, err
		}
		a, err := wire.Post(ctx, client, s.Hub, doc, s.Lang)
		if err != nil {
			return last, err
		}
		switch a.Refused {
		case "":
			if a.Last < b.To {
				return last, fmt.Errorf("push: the hub answered that it has events up to %d after batch %d..%d", a.Last, b.From, b.To)
			}
		case wire.KindGap:
			if a.Last >= last {
				return last, fmt.Errorf("push: the hub refused batch %d..%d as a gap after event %d", b.From, b.To, a.Last)
			}
			// The hub has less than the desk believed (its database was
			// restored): send again from what it has.
			s.log().Warn("the hub has fewer events than acknowledged", "point", s.Point, "acked", last, "hub", a.Last)
		default:
			return last, &Refused{Answer: a}
		}
		// The hub may be ahead of the desk's record (the desk stopped
		// between the hub's answer and Applied): go on from the hub's.
		last = a.Last
		if err := s.Outbox.Applied(ctx, last); err != nil {
			return last, err
		}
	}
}

// Run syncs now and whenever wake fires or every interval, backing off
// from a second (or max if less) up to max, doubling, while the hub cannot
// be reached, until ctx ends or the hub refuses a batch (returned as
// *Refused).
func (s *Sender) Run(ctx context.Context, acked int64, every, max time.Duration, wake <-chan struct{}) error {
	c := s.Clock
	if c == nil {
		c = clock.Real{}
	}
	first := min(time.Second, max)
	backoff := first
	for {
		last, err := s.Sync(ctx, acked)
		acked = last
		var refused *Refused
		switch {
		case errors.As(err, &refused):
			s.log().Error("hub refused a batch", "point", s.Point, "err", err)
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			s.log().Warn("hub not reached", "point", s.Point, "retry_in", backoff, "err", err)
			if err := clock.Sleep(ctx, c, backoff); err != nil {
				return err
			}
			backoff = min(2*backoff, max)
			continue
		}
		backoff = first
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		case <-c.After(every):
		}
	}
}

func (s *Sender) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}
