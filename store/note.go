package store

import (
	"context"
	"database/sql"
)

// Note writes an audit row of its own: what an administrator did outside
// the till's flows (a raw gateway request, a register command by hand),
// chained like every other.
func (s *Store) Note(ctx context.Context, actor, action, detail string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.audit(ctx, tx, actor, action, detail) })
}
