package app

import (
	"context"
	"fmt"

	"paydesk/app/config"
	"paydesk/store"
)

// EditSettings changes the configuration file as edit says: an
// administrator's, audited with the file it changed. The UI and the CLI
// change settings only through here.
func (t *Till) EditSettings(ctx context.Context, u *User, file string, edit func(c *config.Config)) error {
	const op = "settings"
	if err := need(u, store.RoleAdmin, op); err != nil {
		return err
	}
	if err := config.Edit(file, edit); err != nil {
		return err
	}
	return t.d.Store.Note(ctx, u.Login, "settings.save", file)
}

// Open lists, for a signed-in cashier, the payments whose outcome is not
// known yet and those whose receipt waits: payers' numbers and sums are
// the books' to show, not anyone's.
func (t *Till) Open(ctx context.Context, u *User) (pending, queue []*Payment, err error) {
	if err := need(u, store.RoleCashier, "open payments"); err != nil {
		return nil, nil, err
	}
	if pending, err = t.Pending(ctx); err != nil {
		return nil, nil, err
	}
	if queue, err = t.ReceiptQueue(ctx); err != nil {
		return nil, nil, fmt.Errorf("app: receipt queue: %w", err)
	}
	return pending, queue, nil
}
