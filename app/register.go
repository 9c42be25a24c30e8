package app

import (
	"context"
	"errors"
	"sync"

	"paydesk/fiscal"
)

// lazyRegister connects to the fiscal register on first use and again after
// a link failure, so that a register switched off in the morning does not
// keep the till from starting: the status bar says so, receipts queue, and
// the next command reconnects.
type lazyRegister struct {
	mu   sync.Mutex
	dial func() (fiscal.Register, error)
	reg  fiscal.Register
}

var _ fiscal.Register = (*lazyRegister)(nil)

func (l *lazyRegister) get() (fiscal.Register, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reg != nil {
		return l.reg, nil
	}
	r, err := l.dial()
	if err != nil {
		var fe *fiscal.Error
		if !errors.As(err, &fe) {
			err = &fiscal.Error{Op: "connect", Kind: fiscal.KindLink, Err: err}
		}
		return nil, err
	}
	l.reg = r
	return r, nil
}

// after drops the connection when the link failed, so the next call dials.
func (l *lazyRegister) after(r fiscal.Register, err error) {
	var fe *fiscal.Error
	if err == nil || !errors.As(err, &fe) || fe.Kind != fiscal.KindLink || fe.Code != 0 {
		return
	}
	l.mu.Lock()
	if l.reg == r {
		l.reg = nil
		_ = r.Close()
	}
	l.mu.Unlock()
}

func do[T any](l *lazyRegister, f func(fiscal.Register) (T, error)) (T, error) {
	r, err := l.get()
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := f(r)
	l.after(r, err)
	return v, err
}

func (l *lazyRegister) do0(f func(fiscal.Register) error) error {
	_, err := do(l, func(r fiscal.Register) (struct{}, error) { return struct{}{}, f(r) })
	return err
}

func (l *lazyRegister) Status(ctx context.Context) (fiscal.Status, error) {
	return do(l, func(r fiscal.Register) (fiscal.Status, error) { return r.Status(ctx) })
}

func (l *lazyRegister) OpenShift(ctx context.Context, c fiscal.Cashier) error {
	return l.do0(func(r fiscal.Register) error { return r.OpenShift(ctx, c) })
}

func (l *lazyRegister) XReport(ctx context.Context) error {
	return l.do0(func(r fiscal.Register) error { return r.XReport(ctx) })
}

func (l *lazyRegister) ZReport(ctx context.Context, c fiscal.Cashier) error {
	return l.do0(func(r fiscal.Register) error { return r.ZReport(ctx, c) })
}

func (l *lazyRegister) CashIn(ctx context.Context, c fiscal.Cashier, amount int64) (int, error) {
	return do(l, func(r fiscal.Register) (int, error) { return r.CashIn(ctx, c, amount) })
}

func (l *lazyRegister) CashOut(ctx context.Context, c fiscal.Cashier, amount int64) (int, error) {
	return do(l, func(r fiscal.Register) (int, error) { return r.CashOut(ctx, c, amount) })
}

func (l *lazyRegister) Fiscalize(ctx context.Context, rc fiscal.Receipt) (fiscal.Result, error) {
	return do(l, func(r fiscal.Register) (fiscal.Result, error) { return r.Fiscalize(ctx, rc) })
}

func (l *lazyRegister) PrintText(ctx context.Context, lines []string) error {
	return l.do0(func(r fiscal.Register) error { return r.PrintText(ctx, lines) })
}

func (l *lazyRegister) Cut(ctx context.Context, partial bool) error {
	return l.do0(func(r fiscal.Register) error { return r.Cut(ctx, partial) })
}

func (l *lazyRegister) Continue(ctx context.Context) error {
	return l.do0(func(r fiscal.Register) error { return r.Continue(ctx) })
}

func (l *lazyRegister) CancelReceipt(ctx context.Context) error {
	return l.do0(func(r fiscal.Register) error { return r.CancelReceipt(ctx) })
}

func (l *lazyRegister) LastDocument(ctx context.Context) (fiscal.Document, error) {
	return do(l, func(r fiscal.Register) (fiscal.Document, error) { return r.LastDocument(ctx) })
}

func (l *lazyRegister) DocumentTags(ctx context.Context, fd uint32) ([]fiscal.Tag, error) {
	return do(l, func(r fiscal.Register) ([]fiscal.Tag, error) { return r.DocumentTags(ctx, fd) })
}

var _ fiscal.QRPrinter = (*lazyRegister)(nil)

// PrintQR forwards to the register when it prints QR codes; to one that
// does not it sends nothing and answers so that fiscal.Unsupported holds.
func (l *lazyRegister) PrintQR(ctx context.Context, data []byte) error {
	return l.do0(func(r fiscal.Register) error {
		q, ok := r.(fiscal.QRPrinter)
		if !ok {
			return &fiscal.Error{Op: "print qr", Kind: fiscal.KindProgram, Err: fiscal.ErrNotSupported}
		}
		return q.PrintQR(ctx, data)
	})
}

// canPrintQR reports whether the register behind is a fiscal.QRPrinter
// (false when it cannot be reached).
func (l *lazyRegister) canPrintQR() bool {
	r, err := l.get()
	if err != nil {
		return false
	}
	_, ok := r.(fiscal.QRPrinter)
	return ok
}

// qrPrinter returns the register as a QR printer when it is one: through
// the reconnecting wrapper, when the register behind it is.
func qrPrinter(r fiscal.Register) (fiscal.QRPrinter, bool) {
	q, ok := r.(fiscal.QRPrinter)
	if l, wraps := r.(*lazyRegister); wraps && !l.canPrintQR() {
		return nil, false
	}
	return q, ok
}

// Close closes the current connection, if any.
func (l *lazyRegister) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reg == nil {
		return nil
	}
	err := l.reg.Close()
	l.reg = nil
	return err
}

func (l *lazyRegister) Info(ctx context.Context) (fiscal.Info, error) {
	return do(l, func(r fiscal.Register) (fiscal.Info, error) { return r.Info(ctx) })
}
