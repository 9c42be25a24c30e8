package hub

import (
	"context"
	"sync"
	"time"
)

// grouper applies the batches of requests that come in together in shared
// transactions (IngestAll), as a database groups commits: a request joins
// the queue and, while fewer than lanes groups are being applied, takes
// everything queued (up to max batches) and applies it; a request that
// finds every lane busy waits until one is free. Alone, a request is a
// group of one and waits for nothing.
type grouper struct {
	h     *Hub
	lanes int
	max   int

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*pending
	busy   int
	groups int // groups applied, for the tests
}

type pending struct {
	doc  []byte
	out  Outcome
	done bool
}

func newGrouper(h *Hub, lanes, max int) *grouper {
	g := &grouper{h: h, lanes: lanes, max: max}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// groupTimeout bounds a shared transaction: a client that leaves does not
// cancel the others' batches.
const groupTimeout = time.Minute

// ingest applies doc, alone or with the batches queued beside it.
func (g *grouper) ingest(ctx context.Context, doc []byte) Outcome {
	p := &pending{doc: doc}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.queue = append(g.queue, p)
	for !p.done {
		if g.busy >= g.lanes || len(g.queue) == 0 {
			g.cond.Wait()
			continue
		}
		n := min(len(g.queue), g.max)
		group := g.queue[:n:n]
		g.queue = append([]*pending(nil), g.queue[n:]...)
		g.busy++
		g.groups++
		g.mu.Unlock()
		docs := make([][]byte, len(group))
		for i, q := range group {
			docs[i] = q.doc
		}
		gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupTimeout)
		out := g.h.IngestAll(gctx, docs)
		cancel()
		g.mu.Lock()
		for i, q := range group {
			q.out, q.done = out[i], true
		}
		g.busy--
		g.cond.Broadcast()
	}
	return p.out
}
