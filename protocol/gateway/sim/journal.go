package sim

// The state file is a journal of JSON lines, one record per change: the
// header values (balance, next TRANSID) after the change and the sessions it
// created or changed, with the ones it committed (in commit order). Loading
// replays the lines: the last record of a session wins, the header comes
// from the last line, and the committed lists rebuild the payments in
// commit order. A change appends one line and syncs it, so its cost does not
// depend on how many sessions the file holds; when the lines outnumber the
// sessions by far, the journal is rewritten compactly (one line per
// session) with atomicfile.Write.
//
// Every writer appends under the file lock (STATEFILE.lock), so a line that
// ends without a line end, or does not decode, at the end of the file is a
// line whose writer was killed mid-write: it was never acknowledged, and it
// is dropped and cut away. A damaged line before the last is an error.
//
// A state file in the format before the journal (one JSON object, with a
// "sessions" map and a "payments" list) still loads; the next change
// rewrites it as a journal.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"

	"paydesk/internal/atomicfile"
	"paydesk/money"
)

// compactSlack is how many more lines than twice the sessions the journal
// may hold before it is compacted.
const compactSlack = 1000

// record is one line of the journal.
type record struct {
	Balance   money.Amount `json:"balance_kopecks"`
	NextTrans int64        `json:"next_transid"`
	// Sessions are the sessions the change created or changed, as they are
	// after it.
	Sessions []*session `json:"changed,omitempty"`
	// Committed are the sessions the change committed as payments, in
	// commit order; each of them is also in Sessions.
	Committed []string `json:"committed,omitempty"`
}

// legacyState is the state file before the journal: one JSON object.
type legacyState struct {
	Balance   money.Amount        `json:"balance_kopecks"`
	NextTrans int64               `json:"next_transid"`
	Sessions  map[string]*session `json:"sessions"`
	Payments  []string            `json:"payments"`
}

// decodeRecord decodes one line (with or without its line end) and checks
// that it is a record this package writes.
func decodeRecord(line []byte) (*record, error) {
	var r record
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, err
	}
	in := make(map[string]bool, len(r.Sessions))
	for _, x := range r.Sessions {
		if x == nil || x.ID == "" {
			return nil, errors.New("a session without an id")
		}
		in[x.ID] = true
	}
	for _, id := range r.Committed {
		if !in[id] {
			return nil, fmt.Errorf("payment %s has no session", id)
		}
	}
	return &r, nil
}

// decodeJournal decodes the lines of b. It returns the records of the
// complete lines and the length of the prefix they fill; a damaged last
// line (no line end, or not a record) is left out of both, a damaged line
// before the last is an error. first is the number of the first line, for
// the error.
func decodeJournal(b []byte, first int) (recs []*record, good int, err error) {
	for good < len(b) {
		rest := b[good:]
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			return recs, good, nil // torn: the writer died before the line end
		}
		r, err := decodeRecord(rest[:end])
		if err != nil {
			if good+end+1 == len(b) {
				return recs, good, nil // the last line: torn as well
			}
			return nil, 0, fmt.Errorf("line %d: %w", first+len(recs), err)
		}
		recs = append(recs, r)
		good += end + 1
	}
	return recs, good, nil
}

// isLegacy reports whether b is a state file in the format before the
// journal: a JSON object with "sessions" or "payments". A journal's first
// line has neither.
func isLegacy(b []byte) bool {
	var probe map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&probe); err != nil {
		return false
	}
	_, s := probe["sessions"]
	_, p := probe["payments"]
	return s || p
}

// newState returns an empty state with the balance.
func newState(path string, balance money.Amount) *state {
	return &state{path: path, Balance: balance, NextTrans: firstTransID, Sessions: map[string]*session{},
		latest: map[string]string{}, compactSlack: compactSlack}
}

// apply replays records on the state: sessions replaced, payments appended
// in commit order, the header taken from the last record.
func (st *state) apply(recs []*record) {
	for _, r := range recs {
		st.Balance, st.NextTrans = r.Balance, max(r.NextTrans, firstTransID)
		for _, x := range r.Sessions {
			st.Sessions[x.ID] = x
		}
		for _, id := range r.Committed {
			st.committed(st.Sessions[id])
		}
	}
	keep := st.failing[:0]
	for _, id := range st.failing {
		if !st.Sessions[id].Refunded {
			keep = append(keep, id)
		}
	}
	st.failing = keep
}

// loadState reads the state file, or starts afresh with the balance when
// path is empty or the file does not exist yet.
func loadState(path string, balance money.Amount) (*state, error) {
	st := newState(path, balance)
	if path == "" {
		return st, nil
	}
	lf, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, &Error{Op: "load state", Kind: KindState, Err: err}
	}
	st.lockFile = lf
	st.lock()
	defer st.unlock()
	_, err = os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		err = st.save()
	} else {
		err = st.reload()
	}
	if err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

// reload replaces the state with the file's content and keeps the file
// open for appending.
func (st *state) reload() error {
	fail := func(err error) error { return &Error{Op: "load state", Kind: KindState, Err: err} }
	rewrite := false
	f, err := os.OpenFile(st.path, os.O_RDWR|os.O_APPEND, 0)
	if errors.Is(err, fs.ErrPermission) {
		// Readable but not writable: the next change replaces it.
		f, err = os.Open(st.path)
		rewrite = true
	}
	if err != nil {
		return fail(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fail(err)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return fail(err)
	}
	n := newState(st.path, 0)
	n.compactSlack, n.noCompactBefore = st.compactSlack, st.noCompactBefore
	n.lockFile, n.file, n.seen, n.offset, n.rewrite = st.lockFile, f, fi, int64(len(b)), rewrite
	if isLegacy(b) {
		if err := n.loadLegacy(b); err != nil {
			f.Close()
			return fail(err)
		}
	} else {
		recs, good, err := decodeJournal(b, 1)
		if err == nil && len(recs) == 0 {
			err = errors.New("not a state journal: no complete first line")
		}
		if err != nil {
			f.Close()
			return fail(fmt.Errorf("%s: %w", st.path, err))
		}
		n.apply(recs)
		n.lines, n.journaled = len(recs), len(n.Payments)
		if good < len(b) {
			n.offset = int64(good)
			n.cutTorn()
		}
	}
	if st.file != nil {
		st.file.Close()
	}
	*st = *n
	return nil
}

// loadLegacy fills the (new) state from a state file in the format before
// the journal and marks it for rewriting as a journal at the next change.
func (st *state) loadLegacy(b []byte) error {
	var old legacyState
	if err := json.Unmarshal(b, &old); err != nil {
		return fmt.Errorf("%s: %w", st.path, err)
	}
	if old.Sessions != nil {
		st.Sessions = old.Sessions
	}
	st.Balance, st.NextTrans = old.Balance, max(old.NextTrans, firstTransID)
	for id, x := range st.Sessions {
		if x == nil {
			return fmt.Errorf("%s: session %s is null", st.path, id)
		}
		x.ID = id
	}
	for _, id := range old.Payments {
		x := st.Sessions[id]
		if x == nil {
			return fmt.Errorf("%s: payment %s has no session", st.path, id)
		}
		st.committed(x)
	}
	st.apply(nil) // drops the refunded ones from failing
	st.legacy, st.rewrite, st.journaled = true, true, len(st.Payments)
	return nil
}

// cutTorn cuts the file back to st.offset, dropping a torn last line, which
// is safe under the file lock: no writer is in the middle of a line then.
// When that fails the next change rewrites the file.
func (st *state) cutTorn() {
	if st.rewrite {
		return // replaced at the next change anyway
	}
	if err := st.file.Truncate(st.offset); err != nil {
		st.rewrite = true
	}
}

// refresh brings the state up to date with the file: the lines another
// process (a second simulator on the same file) appended since it was last
// read or written, or the whole file when it was replaced (compacted or
// migrated by another process).
func (st *state) refresh() error {
	if st.path == "" {
		return nil
	}
	fi, err := os.Stat(st.path)
	if err != nil {
		// Gone: the next change writes the state in memory afresh.
		st.closeFile()
		st.rewrite = true
		return nil
	}
	switch {
	case st.file == nil || !os.SameFile(fi, st.seen) || fi.Size() < st.offset || (st.legacy && fi.Size() != st.offset):
		if err := st.reload(); err != nil {
			// Kept in memory, and written afresh at the next change.
			st.rewrite = true
			return err
		}
		return nil
	case fi.Size() == st.offset || st.legacy:
		return nil
	}
	return st.readTail(fi.Size())
}

// readTail applies the lines appended since st.offset, up to size.
func (st *state) readTail(size int64) error {
	buf := make([]byte, size-st.offset)
	if _, err := st.file.ReadAt(buf, st.offset); err != nil && !errors.Is(err, io.EOF) {
		st.rewrite = true
		return &Error{Op: "load state", Kind: KindState, Err: err}
	}
	recs, good, err := decodeJournal(buf, st.lines+1)
	if err != nil {
		st.rewrite = true
		return &Error{Op: "load state", Kind: KindState, Err: fmt.Errorf("%s: %w", st.path, err)}
	}
	st.apply(recs)
	st.offset += int64(good)
	st.lines += len(recs)
	st.journaled = len(st.Payments)
	if good < len(buf) {
		st.cutTorn()
	}
	return nil
}

// save records a change: one line with the header values, the changed
// sessions and the payments committed since the last save, appended and
// synced; without a file it does nothing. When the file is new, gone, in
// the old format or after a failed write, the whole state is written
// afresh instead. The sessions committed since the last save are recorded
// whether or not they are among changed.
func (st *state) save(changed ...*session) error {
	if st.path == "" {
		return nil
	}
	if st.rewrite || st.file == nil {
		return st.compact()
	}
	rec := record{Balance: st.Balance, NextTrans: st.NextTrans, Sessions: changed, Committed: st.Payments[st.journaled:]}
	for _, id := range rec.Committed {
		x := st.Sessions[id]
		found := false
		for _, c := range changed {
			found = found || c == x
		}
		if !found {
			rec.Sessions = append(rec.Sessions, x)
		}
	}
	line, err := json.Marshal(&rec)
	if err != nil {
		return &Error{Op: "save state", Kind: KindState, Err: err}
	}
	line = append(line, '\n')
	if _, err = st.file.Write(line); err == nil {
		err = st.file.Sync()
	}
	if err != nil {
		// Not recorded: cut what was written and, to be sure the file and
		// the state in memory agree again, write it all at the next change.
		_ = st.file.Truncate(st.offset)
		st.rewrite = true
		return &Error{Op: "save state", Kind: KindState, Err: err}
	}
	st.offset += int64(len(line))
	st.lines++
	st.journaled = len(st.Payments)
	if st.lines > 2*len(st.Sessions)+st.compactSlack && st.lines >= st.noCompactBefore {
		if err := st.compact(); err != nil {
			// The change is recorded; try again after some more.
			st.noCompactBefore = st.lines + st.compactSlack
		}
	}
	return nil
}

// journal encodes the whole state as a compact journal: one line per
// committed session in commit order (with its commit), then one per other
// session, or a single header line when there is no session.
func (st *state) journal() ([]byte, int, error) {
	var buf bytes.Buffer
	lines := 0
	add := func(r *record) error {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
		lines++
		return nil
	}
	paid := make(map[string]bool, len(st.Payments))
	for _, id := range st.Payments {
		paid[id] = true
		if err := add(&record{Balance: st.Balance, NextTrans: st.NextTrans, Sessions: []*session{st.Sessions[id]}, Committed: []string{id}}); err != nil {
			return nil, 0, err
		}
	}
	rest := make([]string, 0, len(st.Sessions)-len(paid))
	for id := range st.Sessions {
		if !paid[id] {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range rest {
		if err := add(&record{Balance: st.Balance, NextTrans: st.NextTrans, Sessions: []*session{st.Sessions[id]}}); err != nil {
			return nil, 0, err
		}
	}
	if lines == 0 {
		if err := add(&record{Balance: st.Balance, NextTrans: st.NextTrans}); err != nil {
			return nil, 0, err
		}
	}
	return buf.Bytes(), lines, nil
}

// compact replaces the file with a compact journal of the state, written
// atomically, and opens it for the next appends.
func (st *state) compact() error {
	fail := func(err error) error { return &Error{Op: "save state", Kind: KindState, Err: err} }
	data, lines, err := st.journal()
	if err != nil {
		return fail(err)
	}
	// Closed first: where files are locked while open (Windows) it could
	// not be replaced. When the write fails, the next refresh reopens it.
	st.closeFile()
	if err := atomicfile.Write(st.path, data, 0o600); err != nil {
		return fail(err)
	}
	st.legacy, st.journaled = false, len(st.Payments)
	f, err := os.OpenFile(st.path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		st.rewrite = true // written, but the next change cannot append
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		st.rewrite = true
		return nil
	}
	st.file, st.seen, st.offset, st.lines, st.rewrite = f, fi, int64(len(data)), lines, false
	return nil
}

// closeFile closes the journal, if open.
func (st *state) closeFile() {
	if st.file != nil {
		_ = st.file.Close()
	}
	st.file, st.seen = nil, nil
}

// close closes the journal and the lock file.
func (st *state) close() error {
	st.closeFile()
	if st.lockFile == nil {
		return nil
	}
	err := st.lockFile.Close()
	st.lockFile = nil
	return err
}
