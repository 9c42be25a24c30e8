package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/money"
)

// simSnap is everything a simulator remembers, in comparable form.
type simSnap struct {
	Balance   money.Amount
	NextTrans int64
	Sessions  map[string]string // id -> the session's JSON
	Payments  []string
	Failing   []string
	Latest    map[string]string
}

// snap takes the simulator's state, brought up to date with its file.
func snap(t testing.TB, s *Sim) simSnap {
	t.Helper()
	s.lockState()
	defer s.unlockState()
	out := simSnap{Balance: s.st.Balance, NextTrans: s.st.NextTrans, Sessions: map[string]string{},
		Payments: append([]string{}, s.st.Payments...), Failing: append([]string{}, s.st.failing...),
		Latest: map[string]string{}}
	for id, x := range s.st.Sessions {
		b, err := json.Marshal(x)
		require.NoError(t, err)
		out.Sessions[id] = string(b)
	}
	for k, v := range s.st.latest {
		out.Latest[k] = v
	}
	return out
}

// setCompactSlack lets the journal compact after fewer lines.
func (s *Sim) setCompactSlack(n int) {
	s.mu.Lock()
	s.st.compactSlack = n
	s.mu.Unlock()
}

// reopen starts another simulator on e's configuration and state file, as
// after a restart.
func (e *env) reopen(t testing.TB) *Sim {
	t.Helper()
	s, err := New(e.sim.cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// journalLines returns the lines of the state file, each with its line end.
func journalLines(t testing.TB, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
}

func fileSize(t testing.TB, file string) int64 {
	t.Helper()
	fi, err := os.Stat(file)
	require.NoError(t, err)
	return fi.Size()
}

// payOK checks and pays AMOUNT for the payer id with provider code.
func (e *env) payOK(t testing.TB, code, session, id, amount string) {
	t.Helper()
	requireResult(t, e.check(code, session, id, amount), 0, "0")
	requireResult(t, e.pay(code, session, id, amount), 0, "0")
}

func TestJournalRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		do    func(t *testing.T, e *env)
		lines int // lines the changes append
	}{
		{"nothing", func(*testing.T, *env) {}, 0},
		{"check", func(t *testing.T, e *env) {
			requireResult(t, e.check("mts", newSession(), "9161234567", "100.00"), 0, "0")
		}, 1},
		{"number-only check", func(t *testing.T, e *env) {
			p := e.provider("mts")
			f := e.payFields(p, newSession(), "9161234567", "100.00")
			f.Set("REQ_TYPE", "1")
			requireResult(t, e.do(p.CheckURL, f), 0, "0")
		}, 1},
		{"check and pay", func(t *testing.T, e *env) {
			e.payOK(t, "mts", newSession(), "9161234567", "100.00")
		}, 2},
		{"refused pay", func(t *testing.T, e *env) {
			s := newSession()
			requireResult(t, e.check("mts", s, "9161234567", "100.00"), 0, "0")
			requireResult(t, e.pay("mts", s, "9161234567", "101.00"), 18, "1")
		}, 1},
		{"payments in order", func(t *testing.T, e *env) {
			ss, amounts := []string{newSession(), newSession(), newSession()}, []string{"100.00", "101.00", "102.00"}
			for i, s := range ss {
				requireResult(t, e.check("beeline", s, "9031234567", amounts[i]), 0, "0")
			}
			for _, i := range []int{2, 0, 1} { // paid in another order than checked
				requireResult(t, e.pay("beeline", ss[i], "9031234567", amounts[i]), 0, "0")
			}
		}, 6},
		{"failed payment refunded", func(t *testing.T, e *env) {
			e.payOK(t, "mts", newSession(), "9000000507", "300.00")
			e.clk.Advance(time.Minute)
			e.sim.Balance() // settles: the refund is a change of its own
		}, 3},
		{"failed payment not refunded yet", func(t *testing.T, e *env) {
			e.payOK(t, "mts", newSession(), "9000000507", "300.00")
		}, 2},
		{"stuck payment", func(t *testing.T, e *env) {
			e.payOK(t, "mts", newSession(), "9000000506", "300.00")
		}, 2},
		{"top-up", func(t *testing.T, e *env) {
			require.NoError(t, e.sim.SetBalance(7_000_00))
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "state.json")
			e := newEnv(t, func(c *Config) { c.StateFile = file })
			t.Cleanup(func() { _ = e.sim.Close() })
			// Some history first, so that appending is told from rewriting.
			e.payOK(t, "megafon", newSession(), "9261234567", "50.00")
			before, err := os.ReadFile(file)
			require.NoError(t, err)
			n := len(journalLines(t, file))

			tc.do(t, e)
			after, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.True(t, bytes.HasPrefix(after, before), "appended, not rewritten")
			assert.Len(t, journalLines(t, file), n+tc.lines)

			want := snap(t, e.sim)
			assert.Equal(t, want, snap(t, e.reopen(t)))
		})
	}
}

func TestJournalRebuildsDuplicateDetection(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	e := newEnv(t, func(c *Config) { c.StateFile = file })
	e.payOK(t, "mts", newSession(), "9161234567", "100.00")
	e.use(e.reopen(t))
	s := newSession()
	requireResult(t, e.check("mts", s, "9161234567", "100.00"), 0, "0")
	requireResult(t, e.pay("mts", s, "9161234567", "100.00"), 32, "1")
	e.clk.Advance(time.Hour)
	requireResult(t, e.pay("mts", s, "9161234567", "100.00"), 0, "0")
}

func TestJournalTornLastLine(t *testing.T) {
	valid := `{"balance_kopecks":1,"next_transid":1000010000099,"changed":[{"id":"TORN"}]}`
	for _, tc := range []struct {
		name string
		tail string
	}{
		{"half a line", valid[:len(valid)/2]},
		{"a whole line without its line end", valid},
		{"zeros", "\x00\x00\x00\x00"},
		{"a last line that is not a record", "{\"balance_kopecks\":\n"},
		{"a record naming a payment it does not carry", `{"balance_kopecks":1,"committed":["X"]}` + "\n"},
	} {
		for _, by := range []string{"loaded", "refreshed"} {
			t.Run(tc.name+"/"+by, func(t *testing.T) {
				file := filepath.Join(t.TempDir(), "state.json")
				e := newEnv(t, func(c *Config) { c.StateFile = file })
				t.Cleanup(func() { _ = e.sim.Close() })
				e.payOK(t, "mts", newSession(), "9161234567", "100.00")
				want, size := snap(t, e.sim), fileSize(t, file)

				other := e.sim // refreshed: a simulator that read the file before the tail came
				f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND, 0)
				require.NoError(t, err)
				_, err = f.WriteString(tc.tail)
				require.NoError(t, err)
				require.NoError(t, f.Close())
				if by == "loaded" {
					other = e.reopen(t)
				}
				assert.Equal(t, want, snap(t, other))
				assert.Equal(t, size, fileSize(t, file), "the torn line is cut away")
				assert.NotContains(t, other.Sessions(), "TORN")

				// Changes after it are appended where it was, and kept.
				e.use(other)
				e.payOK(t, "mts", newSession(), "9161234568", "100.00")
				assert.Equal(t, snap(t, other), snap(t, e.reopen(t)))
			})
		}
	}
}

func TestJournalDamagedLineBeforeTheLastIsAnError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
	}{
		{"garbage in the middle", `{"balance_kopecks":1,"next_transid":1000010000001}` + "\nxx\n" +
			`{"balance_kopecks":2,"next_transid":1000010000001}` + "\n"},
		{"no complete line", `{"balance_kopecks":1`},
		{"empty", ""},
		{"not json", "{not json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "state.json")
			require.NoError(t, os.WriteFile(file, []byte(tc.content), 0o600))
			e := newEnv(t, nil)
			cfg := e.sim.cfg
			cfg.StateFile = file
			_, err := New(cfg)
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, KindState, se.Kind)
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, tc.content, string(b), "left as it was")
		})
	}
}

// TestJournalEveryCutLoadsTheLastCompleteChange cuts the journal at every
// byte, as a kill in the middle of any append would: each cut loads as the
// state after the last change whose line is complete, so nothing that was
// acknowledged (its line synced) is lost.
func TestJournalEveryCutLoadsTheLastCompleteChange(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	e := newEnv(t, func(c *Config) { c.StateFile = file })
	t.Cleanup(func() { _ = e.sim.Close() })
	type point struct {
		size int64
		snap simSnap
	}
	points := []point{{fileSize(t, file), snap(t, e.sim)}}
	mark := func() { points = append(points, point{fileSize(t, file), snap(t, e.sim)}) }
	for i, id := range []string{"9161234567", "9000000507", "9161234568"} {
		s := newSession()
		requireResult(t, e.check("mts", s, id, fmt.Sprintf("%d.00", 100+i)), 0, "0")
		mark()
		requireResult(t, e.pay("mts", s, id, fmt.Sprintf("%d.00", 100+i)), 0, "0")
		mark()
	}
	e.clk.Advance(time.Minute)
	e.sim.Balance() // the refund of the failed one
	mark()
	require.NoError(t, e.sim.SetBalance(e.sim.Balance()+1))
	mark()
	full, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, points[len(points)-1].size, int64(len(full)))

	cfg := e.sim.cfg
	dir := t.TempDir()
	for cut := points[0].size; cut <= int64(len(full)); cut++ {
		want := points[0]
		for _, p := range points {
			if p.size <= cut {
				want = p
			}
		}
		cfg.StateFile = filepath.Join(dir, fmt.Sprintf("cut%d.json", cut))
		require.NoError(t, os.WriteFile(cfg.StateFile, full[:cut], 0o600))
		s, err := New(cfg)
		require.NoError(t, err, "cut at %d", cut)
		assert.Equal(t, want.snap, snap(t, s), "cut at %d", cut)
		assert.Equal(t, want.size, fileSize(t, cfg.StateFile), "cut at %d", cut)
		require.NoError(t, s.Close())
	}
}

func TestJournalSharedByTwoSimulators(t *testing.T) {
	for _, tc := range []struct {
		name           string
		slackA, slackB int
		compacted      bool
	}{
		{"appends only", compactSlack, compactSlack, false},
		// Each payment adds two lines and one session: a negative slack
		// makes the journal compact within a dozen payments.
		{"one compacts", -4, compactSlack, true},
		{"both compact", -4, -3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "shared.json")
			a := newEnv(t, func(c *Config) { c.StateFile = file })
			b := newEnv(t, func(c *Config) { c.StateFile = file })
			t.Cleanup(func() { _ = a.sim.Close(); _ = b.sim.Close() })
			a.sim.setCompactSlack(tc.slackA)
			b.sim.setCompactSlack(tc.slackB)
			first, err := os.Stat(file)
			require.NoError(t, err)

			// Checked by one, paid by the other, each seeing the other's lines.
			envs := []*env{a, b}
			for i := range 12 {
				by, other := envs[i%2], envs[(i+1)%2]
				s, id := newSession(), "916"+padDigits(i, 7)
				requireResult(t, by.check("mts", s, id, "100.00"), 0, "0")
				requireResult(t, other.pay("mts", s, id, "100.00"), 0, "0")
				requireResult(t, by.pay("mts", s, id, "100.00"), 1, "1")
				assert.Equal(t, 1, by.sim.Committed(s))
				assert.Equal(t, snap(t, a.sim), snap(t, b.sim))
			}
			// A failed payment is refunded once, by whichever settles first.
			s := newSession()
			a.payOK(t, "mts", s, "9000000507", "300.00")
			a.clk.Advance(time.Minute)
			b.clk.Advance(time.Minute)
			want := startBalance - 12*103_00
			assert.Equal(t, want, b.sim.Balance())
			assert.Equal(t, want, a.sim.Balance())
			a.payOK(t, "mts", newSession(), "9161111111", "100.00")
			assert.Equal(t, want-103_00, b.sim.Balance())

			// Appended only: created, 12 checks and pays, the failed one and
			// its refund, the last one.
			appended := 1 + 2*12 + 3 + 2
			lines := len(journalLines(t, file))
			if tc.compacted {
				assert.LessOrEqual(t, lines, 2*len(a.sim.Sessions()))
				assert.Less(t, lines, appended)
			} else {
				assert.Equal(t, appended, lines)
				now, err := os.Stat(file)
				require.NoError(t, err)
				assert.True(t, os.SameFile(first, now), "never replaced")
			}
			assert.Equal(t, snap(t, a.sim), snap(t, b.sim))
			assert.Equal(t, snap(t, a.sim), snap(t, a.reopen(t)))
		})
	}
}

// breakJournal makes the simulator's next append fail: its journal handle
// becomes a read-only one on the same file.
func (s *Sim) breakJournal(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.Open(s.st.path)
	require.NoError(t, err)
	require.NoError(t, s.st.file.Close())
	s.st.file = f
}

func TestJournalFailedAppend(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(t *testing.T, e *env)
	}{
		{"pay refused, nothing taken", func(t *testing.T, e *env) {
			s := newSession()
			requireResult(t, e.check("mts", s, "9161234567", "100.00"), 0, "0")
			before := e.sim.Balance()
			e.sim.breakJournal(t)
			requireResult(t, e.pay("mts", s, "9161234567", "100.00"), 41, "1")
			assert.Equal(t, 0, e.sim.Committed(s))
			assert.Equal(t, before, e.sim.Balance())
			// The next change writes the whole state afresh.
			requireResult(t, e.pay("mts", s, "9161234567", "100.00"), 0, "0")
		}},
		{"check refused", func(t *testing.T, e *env) {
			s := newSession()
			e.sim.breakJournal(t)
			requireResult(t, e.check("mts", s, "9161234567", "100.00"), 48, "1")
			assert.NotContains(t, e.sim.Sessions(), s)
			requireResult(t, e.check("mts", s, "9161234567", "100.00"), 0, "0")
		}},
		{"refund kept in memory, written with the next change", func(t *testing.T, e *env) {
			e.payOK(t, "mts", newSession(), "9000000507", "300.00")
			before := e.sim.Balance()
			e.sim.breakJournal(t)
			e.clk.Advance(time.Minute)
			assert.Equal(t, before+309_00, e.sim.Balance(), "refunded, the save failed")
			requireResult(t, e.check("mts", newSession(), "9161234567", "100.00"), 0, "0")
			assert.Equal(t, before+309_00, e.sim.Balance())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "state.json")
			e := newEnv(t, func(c *Config) { c.StateFile = file })
			t.Cleanup(func() { _ = e.sim.Close() })
			e.payOK(t, "megafon", newSession(), "9261234567", "50.00")
			tc.do(t, e)
			again := e.reopen(t)
			assert.Equal(t, snap(t, e.sim), snap(t, again))
			assert.Equal(t, e.sim.Balance(), again.Balance())
		})
	}
}

// legacyFile writes a state in the format before the journal: the state as
// one JSON object.
func legacyFile(t *testing.T, file string, st *state, indent bool) []byte {
	t.Helper()
	old := legacyState{Balance: st.Balance, NextTrans: st.NextTrans, Sessions: st.Sessions, Payments: st.Payments}
	var b []byte
	var err error
	if indent {
		b, err = json.MarshalIndent(old, "", " ")
	} else {
		b, err = json.Marshal(old)
	}
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, b, 0o600))
	return b
}

func TestJournalMigratesTheOldFormat(t *testing.T) {
	for _, tc := range []struct {
		name    string
		history bool
		indent  bool
	}{
		{"indented", true, true},
		{"one line", true, false},
		{"no sessions", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The history, in memory, then saved in the old format.
			old := newEnv(t, nil)
			paid := newSession()
			if tc.history {
				old.payOK(t, "mts", paid, "9161234567", "100.00")
				requireResult(t, old.check("megafon", newSession(), "9261234567", "200.00"), 0, "0")
				old.payOK(t, "mts", newSession(), "9000000507", "300.00") // refunded
				old.clk.Advance(time.Minute)
				old.sim.Balance()
				old.payOK(t, "mts", newSession(), "9000000507", "301.00") // failing, not refunded yet
			}
			file := filepath.Join(t.TempDir(), "state.json")
			content := legacyFile(t, file, old.sim.st, tc.indent)

			e := newEnv(t, func(c *Config) { c.StateFile = file; c.Balance = 1 })
			t.Cleanup(func() { _ = e.sim.Close() })
			e.clk.Set(old.clk.Now())
			want := snap(t, old.sim)
			assert.Equal(t, want, snap(t, e.sim))
			got, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, content, got, "not rewritten before a change")

			// The next change rewrites it as a journal.
			requireResult(t, e.check("beeline", newSession(), "9031234567", "100.00"), 0, "0")
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.False(t, isLegacy(b))
			recs, good, err := decodeJournal(b, 1)
			require.NoError(t, err)
			assert.Equal(t, len(b), good)
			assert.Len(t, recs, max(len(e.sim.Sessions()), 1))
			assert.Equal(t, snap(t, e.sim), snap(t, e.reopen(t)))

			if tc.history {
				// Duplicate detection and refunds carry over.
				s := newSession()
				requireResult(t, e.check("mts", s, "9161234567", "100.00"), 0, "0")
				requireResult(t, e.pay("mts", s, "9161234567", "100.00"), 32, "1")
				before := e.sim.Balance()
				e.clk.Advance(time.Minute)
				assert.Equal(t, before+310_03, e.sim.Balance(), "the failing one is refunded once")
				e.use(e.reopen(t))
				assert.Equal(t, before+310_03, e.sim.Balance())
				assert.Equal(t, 1, e.sim.Committed(paid))
			}
		})
	}
}

// TestJournalKillChild is the simulator TestJournalKillLosesNothingCommitted
// kills: it pays for ever, printing each payment once it is answered.
func TestJournalKillChild(t *testing.T) {
	file, round := os.Getenv("PAYDESK_SIM_KILL_STATE"), os.Getenv("PAYDESK_SIM_KILL_ROUND")
	if file == "" {
		t.Skip("run by TestJournalKillLosesNothingCommitted")
	}
	e := newEnv(t, func(c *Config) { c.StateFile = file })
	for i := 0; ; i++ {
		s, id := fmt.Sprintf("K%s%09d", round, i), "91"+round+padDigits(i, 7)
		e.payOK(t, "mts", s, id, "100.00")
		fmt.Printf("paid %s\n", s)
	}
}

func TestJournalKillLosesNothingCommitted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators in other processes")
	}
	file := filepath.Join(t.TempDir(), "state.json")
	var paid []string
	for round, killAfter := range []int{3, 10, 25, 1} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestJournalKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "PAYDESK_SIM_KILL_STATE="+file, fmt.Sprintf("PAYDESK_SIM_KILL_ROUND=%d", round))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		timer := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() {
			s, ok := strings.CutPrefix(sc.Text(), "paid ")
			if !ok {
				continue
			}
			paid = append(paid, s)
			if n++; n == killAfter {
				require.NoError(t, cmd.Process.Kill()) // SIGKILL: no deferred cleanup, maybe mid-append
			}
		}
		timer.Stop()
		_ = cmd.Wait()
		require.GreaterOrEqual(t, n, killAfter, "the child stopped early: %s", stderr.String())
	}

	e := newEnv(t, func(c *Config) { c.StateFile = file })
	pays := e.sim.Payments()
	got := map[string]bool{}
	trans := map[string]bool{}
	books := startBalance
	for _, p := range pays {
		got[p.Session] = true
		trans[p.TransID] = true
		books -= p.AmountAll
	}
	for _, s := range paid {
		assert.True(t, got[s], "acknowledged payment %s is lost", s)
		assert.Equal(t, 1, e.sim.Committed(s))
	}
	assert.LessOrEqual(t, len(pays), len(paid)+4, "at most one unacknowledged payment per kill")
	assert.Len(t, trans, len(pays), "TRANSIDs are unique")
	assert.Equal(t, books, e.sim.Balance(), "the balance is the books")
}

// BenchmarkJournalSave measures what the state file costs a payment with
// few and many sessions in the file: its check and its pay, each appended
// and synced, and with refund, a third change that refunds it (lines then
// outgrow the sessions and the journal is compacted now and then: that is
// included, amortised).
func BenchmarkJournalSave(b *testing.B) {
	for _, refund := range []bool{false, true} {
		for _, n := range []int{100, 1000, 10000} {
			name := fmt.Sprintf("sessions=%d", n)
			if refund {
				name = "refund/" + name
			}
			b.Run(name, func(b *testing.B) {
				st, err := loadState(filepath.Join(b.TempDir(), "state.json"), 1_000_000_000_00)
				require.NoError(b, err)
				b.Cleanup(func() { _ = st.close() })
				add := func(i int) *session {
					x := &session{ID: fmt.Sprintf("B%019d", i), Provider: "mts", Gateway: "mts", Number: "9161234567",
						Payer: "9161234567", Amount: 100_00, AmountAll: 103_00, CheckedAt: epoch}
					st.Sessions[x.ID] = x
					return x
				}
				commit := func(x *session) {
					x.Commits, x.PaidAt, x.TransID, x.AuthCode = 1, epoch, fmt.Sprint(st.NextTrans), "123456"
					st.NextTrans++
					st.Balance -= x.AmountAll
					st.committed(x)
				}
				for i := range n {
					commit(add(i))
				}
				require.NoError(b, st.compact())
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					x := add(n + i)
					if err := st.save(x); err != nil {
						b.Fatal(err)
					}
					commit(x)
					if err := st.save(x); err != nil {
						b.Fatal(err)
					}
					if refund {
						x.Fate, x.Refunded = fateFail, true
						st.Balance += x.AmountAll
						if err := st.save(x); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
