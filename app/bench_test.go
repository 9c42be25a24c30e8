package app

import (
	"fmt"
	"testing"

	"paydesk/internal/clock"
	"paydesk/money"
	"paydesk/store"
)

// BenchmarkTrainingPayment is one full payment in training mode, from
// "Payment confirmation" to the fiscal receipt and the slip: the durable
// steps, pay and one status request to the simulator over loopback HTTP,
// and the receipt through the Shtrih-M driver and the emulator on a
// pseudo-terminal. The check before it is done outside the timer.
func BenchmarkTrainingPayment(b *testing.B) {
	r := bootTraining(b, clock.Real{}, true)
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		p, err := r.Till.Start(ctx, r.kassir, "mts", fmt.Sprintf("9%09d", 200000000+i))
		if err != nil {
			b.Fatal(err)
		}
		if p, err = r.Till.Check(ctx, r.kassir, p, money.Amount(100_00+i), Cash); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if p, err = r.Till.Confirm(ctx, r.kassir, p); err != nil {
			b.Fatal(err)
		}
		if p.State != store.StatePaid || p.FiscalState != store.FiscalDone {
			b.Fatalf("payment %s ended %s/%s", p.Session, p.State, p.FiscalState)
		}
	}
}
