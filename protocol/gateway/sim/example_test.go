package sim_test

import (
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"time"

	"paydesk/internal/clock"
	"paydesk/protocol/gateway"
	"paydesk/protocol/gateway/sim"
)

// A simulator for a client test: training keys, the built-in catalogue
// resolved against the test server's URL, a fake clock, and a fault.
func Example() {
	keys, err := sim.TrainingKeys(os.TempDir()+"/paydesk-example-keys", time.Now())
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil) // started once the simulator is its handler
	cat, err := gateway.DefaultCatalogue("http://" + srv.Listener.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	cfg := keys.Config()
	cfg.Catalogue = cat
	cfg.Clock = clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	cfg.Balance = 100_000_00
	cfg.StatusDelay = 10 * time.Second
	s, err := sim.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	srv.Config.Handler = s
	srv.Start()
	defer srv.Close()
	s.SetFaults(sim.Faults{Drop: sim.OpPay}) // every pay is committed, then its connection dropped

	// ... the client under test signs with keys.Dealer and verifies with
	// keys.Bank.Public() (or keys.PubKeysFile, serial keys.BankSerial) ...

	fmt.Println(len(s.Payments()), s.Balance())
}
