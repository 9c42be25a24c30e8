package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
	"paydesk/fiscal/shtrih"
)

var journalT0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// testDoc is receipt fd, about the size of a real one (~1.4 KB of JSON).
func testDoc(fd int) Doc {
	d := Doc{FD: uint32(fd), Type: fiscal.DocReceipt, Time: journalT0.Add(time.Duration(fd) * time.Minute),
		FP: uint32(fd) * 7919, Kind: fiscal.Sale, Sum: int64(fd) * 100, Shift: 1 + fd/100, Number: fd % 100,
		Tags: []fiscal.Tag{{Num: 1008, Value: []byte("client@example.com")}, {Num: 1055, Value: []byte{1}}}}
	for i := range 5 {
		d.Lines = append(d.Lines, Line{Op: 1, Qty: 1_000_000, Price: int64(fd), Sum: int64(fd), TaxBits: 8, Dept: 1,
			Method: 4, Subject: 1, Name: fmt.Sprintf("Оплата услуг связи, лицевой счёт %d/%d", fd, i),
			Tags: []fiscal.Tag{{Num: 1212, Value: []byte{4}}}})
	}
	return d
}

// testDocs is the documents of FDs from..to.
func testDocs(from, to int) []Doc {
	var ds []Doc
	for fd := from; fd <= to; fd++ {
		ds = append(ds, testDoc(fd))
	}
	return ds
}

// lastDocs is what State.Docs holds of the documents ds.
func lastDocs(ds []Doc) []Doc { return ds[max(0, len(ds)-maxDocs):] }

// commit makes docs as newDoc does and saves the state.
func commit(t testing.TB, path string, st *State, jr *journal, docs ...Doc) {
	t.Helper()
	st.Docs = append(st.Docs, docs...)
	jr.pending = append(jr.pending, docs...)
	require.NoError(t, saveState(path, st, jr))
	require.Empty(t, jr.pending)
}

// journalLines counts the complete lines of the journal of path and tells
// its size.
func journalLines(t *testing.T, path string) (int, int64) {
	t.Helper()
	b, err := os.ReadFile(journalPath(path))
	require.NoError(t, err)
	return bytes.Count(b, []byte("\n")), int64(len(b))
}

// stateKeys is the top-level keys of the state file.
func stateKeys(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestJournalRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		batches []int // documents made between saves
	}{
		{"no documents", []int{0}},
		{"one document", []int{1}},
		{"one save a document", []int{1, 1, 1, 1}},
		{"batches and empty saves", []int{3, 0, 2, 0, 0, 4}},
		{"more than kept in memory", []int{maxDocs, 1, 499}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			st, jr := NewState(journalT0), journal{}
			st.Docs = nil
			var all []Doc
			for _, n := range tt.batches {
				docs := testDocs(len(all)+1, len(all)+n)
				all = append(all, docs...)
				commit(t, path, &st, &jr, docs...)
			}

			got, gjr, ok, err := loadState(path)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, lastDocs(all), got.Docs, "the last %d documents are in memory", maxDocs)
			assert.Equal(t, len(all), gjr.count)
			assert.Empty(t, gjr.pending)
			keys := stateKeys(t, path)
			assert.NotContains(t, keys, "docs", "documents are not in the state file")
			assert.JSONEq(t, fmt.Sprint(len(all)), string(keys["docs_count"]))
			if len(all) > 0 {
				lines, size := journalLines(t, path)
				assert.Equal(t, len(all), lines)
				assert.Equal(t, size, gjr.size)
			}
			got.Docs, st.Docs = nil, nil
			assert.Equal(t, st, got, "the rest of the state")

			// Reopened, the device goes on where it stopped.
			all = append(all, testDoc(len(all)+1))
			got.Docs = lastDocs(all[:len(all)-1])
			commit(t, path, &got, &gjr, all[len(all)-1])
			again, _, _, err := loadState(path)
			require.NoError(t, err)
			assert.Equal(t, lastDocs(all), again.Docs)
			lines, _ := journalLines(t, path)
			assert.Equal(t, len(all), lines)
		})
	}
}

// TestLoadAfterKill covers a kill (a power loss of the device) between the
// journal append and the state file write: the lines after the committed
// ones, whole or torn, are not documents and are cut off.
func TestLoadAfterKill(t *testing.T) {
	line := func(fd int) []byte { b, _ := json.Marshal(testDoc(fd)); return append(b, '\n') }
	tests := []struct {
		name string
		tail []byte // written after the committed lines
	}{
		{"nothing uncommitted", nil},
		{"one uncommitted line", line(4)},
		{"two uncommitted lines", append(line(4), line(5)...)},
		{"torn line", line(4)[:700]},
		{"one byte of a line", line(4)[:1]},
		{"line and torn line", append(line(4), line(5)[:10]...)},
		{"line without its newline", bytes.TrimSuffix(line(4), []byte("\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			st, jr := NewState(journalT0), journal{}
			st.Docs = nil
			commit(t, path, &st, &jr, testDocs(1, 2)...)
			commit(t, path, &st, &jr, testDoc(3))
			f, err := os.OpenFile(journalPath(path), os.O_WRONLY|os.O_APPEND, 0)
			require.NoError(t, err)
			_, err = f.Write(tt.tail)
			require.NoError(t, err)
			require.NoError(t, f.Close())

			got, gjr, ok, err := loadState(path)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, testDocs(1, 3), got.Docs)
			assert.Equal(t, journal{count: 3, size: jr.size}, gjr)
			lines, size := journalLines(t, path)
			assert.Equal(t, 3, lines)
			assert.Equal(t, jr.size, size, "the journal is truncated to the committed documents")

			// The next document goes where the uncommitted ones were.
			next := testDoc(4)
			next.Sum = 42
			commit(t, path, &got, &gjr, next)
			again, _, _, err := loadState(path)
			require.NoError(t, err)
			assert.Equal(t, append(testDocs(1, 3), next), again.Docs)
		})
	}
}

// TestSaveAfterFailedSave: a save whose state file write failed left its
// documents in the journal, uncommitted; the next save writes them again
// over those lines, not after them.
func TestSaveAfterFailedSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st, jr := NewState(journalT0), journal{}
	st.Docs = nil
	commit(t, path, &st, &jr, testDoc(1))
	pending := testDocs(2, 3)
	st.Docs, jr.pending = append(st.Docs, pending...), pending
	_, err := appendJournal(journalPath(path), jr.size, pending) // then the state write fails
	require.NoError(t, err)
	lines, _ := journalLines(t, path)
	require.Equal(t, 3, lines)

	st.Docs, jr.pending = append(st.Docs, testDoc(4)), append(jr.pending, testDoc(4))
	require.NoError(t, saveState(path, &st, &jr))
	lines, _ = journalLines(t, path)
	assert.Equal(t, 4, lines)
	got, _, _, err := loadState(path)
	require.NoError(t, err)
	assert.Equal(t, st.Docs, got.Docs)
}

func TestLoadCorruptState(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, path string, jr journal)
		want  string
	}{
		{"journal one document short", func(t *testing.T, path string, jr journal) {
			b, err := os.ReadFile(journalPath(path))
			require.NoError(t, err)
			i := bytes.LastIndexByte(b[:len(b)-1], '\n')
			require.NoError(t, os.WriteFile(journalPath(path), b[:i+1], 0o600))
		}, "holds 2 documents but its state file commits 3"},
		{"last committed line torn", func(t *testing.T, path string, jr journal) {
			require.NoError(t, os.Truncate(journalPath(path), jr.size-1))
		}, "holds 2 documents but its state file commits 3"},
		{"journal empty", func(t *testing.T, path string, jr journal) {
			require.NoError(t, os.Truncate(journalPath(path), 0))
		}, "holds 0 documents but its state file commits 3"},
		{"journal missing", func(t *testing.T, path string, jr journal) {
			require.NoError(t, os.Remove(journalPath(path)))
		}, "document journal"},
		{"committed line garbled", func(t *testing.T, path string, jr journal) {
			f, err := os.OpenFile(journalPath(path), os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.WriteAt([]byte("x"), jr.size-2)
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}, "document 3"},
		{"docs_count negative", func(t *testing.T, path string, jr journal) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			b = bytes.Replace(b, []byte(`"docs_count": 3`), []byte(`"docs_count": -1`), 1)
			require.NoError(t, os.WriteFile(path, b, 0o600))
		}, "docs_count -1"},
		{"state file not JSON", func(t *testing.T, path string, jr journal) {
			require.NoError(t, os.WriteFile(path, []byte(`{"serial":`), 0o600))
		}, "state file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			st, jr := NewState(journalT0), journal{}
			st.Docs = nil
			commit(t, path, &st, &jr, testDocs(1, 3)...)
			tt.spoil(t, path, jr)
			_, _, _, err := loadState(path)
			assert.ErrorContains(t, err, tt.want)
			_, err = New(Config{StatePath: path})
			assert.ErrorContains(t, err, tt.want, "the emulator does not start")
		})
	}
}

// TestMigrationFromInlineDocs loads state files written before the journal,
// with the documents in them.
func TestMigrationFromInlineDocs(t *testing.T) {
	tests := []struct {
		name    string
		docs    []Doc
		journal []byte // left by a first save killed before its commit
	}{
		{"new device", NewState(journalT0).Docs, nil},
		{"many documents", testDocs(1, 300), nil},
		{"no documents", nil, nil},
		{"first save killed", testDocs(1, 5), []byte(`{"fd":1}` + "\n" + `{"fd":2,"ty`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			old := NewState(journalT0)
			old.Docs, old.ShiftOpen, old.Cash = tt.docs, true, 12345
			b, err := json.MarshalIndent(old, "", " ") // the format before the journal
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, b, 0o600))
			require.Contains(t, stateKeys(t, path), "docs")
			if tt.journal != nil {
				require.NoError(t, os.WriteFile(journalPath(path), tt.journal, 0o600))
			}

			e, err := New(Config{StatePath: path, Now: func() time.Time { return journalT0 }})
			require.NoError(t, err)
			assert.Equal(t, tt.docs, e.State().Docs, "loads as it is")
			assert.Equal(t, int64(12345), e.State().Cash)
			e.PowerCycle()
			assert.Equal(t, tt.docs, e.State().Docs, "and again after a power cycle before any save")
			e.SetCover(true) // the first save moves the documents to the journal
			require.NoError(t, e.Close())

			keys := stateKeys(t, path)
			assert.NotContains(t, keys, "docs")
			assert.JSONEq(t, fmt.Sprint(len(tt.docs)), string(keys["docs_count"]))
			if len(tt.docs) > 0 || tt.journal != nil {
				lines, _ := journalLines(t, path)
				assert.Equal(t, len(tt.docs), lines)
			}
			e, err = New(Config{StatePath: path, Now: func() time.Time { return journalT0 }})
			require.NoError(t, err)
			defer e.Close()
			st := e.State()
			assert.Equal(t, tt.docs, st.Docs)
			assert.True(t, st.Cover)
			assert.True(t, st.ShiftOpen)
		})
	}
}

// emuExec runs a command and fails the test unless it succeeds.
func emuExec(t *testing.T, e *Emulator, c shtrih.Cmd, args ...byte) {
	t.Helper()
	code, _, err := shtrih.ParseAnswer(c, e.Exec(shtrih.Payload(c, args)))
	require.NoError(t, err)
	require.Zero(t, code, "%s", c)
}

// TestEmulatorJournal runs the device through receipts, power cycles and
// restarts: its documents are in the journal, and only there.
func TestEmulatorJournal(t *testing.T) {
	dir := t.TempDir()
	now := journalT0
	cfg := Config{StatePath: filepath.Join(dir, "kkm-state.json"), Now: func() time.Time { return now }}
	// What a kill during a save leaves, of atomicfile and of the emulator
	// before it (kept: files that are not such leftovers).
	leftovers := []string{".kkm-state.json.tmp2973601", "kkm-state.json.tmp88120"}
	kept := []string{"kkm-state.json.tmpfile", "notes.txt"}
	for _, n := range append(leftovers, kept...) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("{"), 0o600))
	}
	e, err := New(cfg)
	require.NoError(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	assert.ElementsMatch(t, append([]string{"kkm-state.json", "kkm-state.json.docs"}, kept...), names,
		"temporary files of interrupted saves are removed at start")

	line := fiscal.Line{Name: "Товар", Price: 10000, Quantity: 1_000_000, Tax: fiscal.VAT20, Method: 4, Subject: 1}
	receipt := func() {
		emuExec(t, e, shtrih.CmdOperation, shtrih.OperationArgs(1, fiscal.Sale, line)...)
		emuExec(t, e, shtrih.CmdOperationTag, append(shtrih.Password(1), fiscal.Byte(2108, 0).Encode()...)...)
		emuExec(t, e, shtrih.CmdCloseReceipt, shtrih.CloseArgs(1, fiscal.Receipt{Payments: fiscal.Payments{Cash: 10000}, TaxSystem: fiscal.OSN})...)
	}
	emuExec(t, e, shtrih.CmdOpenShift, shtrih.Password(1)...)
	receipt()
	e.PowerCycle()
	receipt()
	before := e.State()
	require.Len(t, before.Docs, 4, "registration, shift open, two receipts")
	require.NoError(t, e.Close())

	e, err = New(cfg)
	require.NoError(t, err)
	defer e.Close()
	assert.Equal(t, before, e.State())
	receipt()
	emuExec(t, e, shtrih.CmdZReport, shtrih.Password(30)...)
	st := e.State()
	require.Len(t, st.Docs, 6)
	assert.Equal(t, fiscal.DocShiftClose, st.Docs[5].Type)
	lines, _ := journalLines(t, cfg.StatePath)
	assert.Equal(t, 6, lines)
	assert.NotContains(t, stateKeys(t, cfg.StatePath), "docs")
	e.PowerCycle()
	assert.Equal(t, st, e.State())
	all, err := e.Documents()
	require.NoError(t, err)
	assert.Equal(t, st.Docs, all, "every document, from the journal")
	emuExec(t, e, shtrih.CmdOpenShift, shtrih.Password(1)...)
	all, err = e.Documents()
	require.NoError(t, err)
	assert.Equal(t, e.State().Docs, all)
}

// TestDocumentsBeyondMemory: Documents reads the whole journal, State().Docs
// keeps the latest maxDocs.
func TestDocumentsBeyondMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kkm-state.json")
	st := NewState(journalT0)
	jr := journal{pending: slices.Clone(st.Docs)}
	commit(t, path, &st, &jr)
	docs := testDocs(2, maxDocs+50)
	commit(t, path, &st, &jr, docs...)
	e, err := New(Config{StatePath: path, Now: func() time.Time { return journalT0 }})
	require.NoError(t, err)
	defer e.Close()
	assert.Len(t, e.State().Docs, maxDocs)
	all, err := e.Documents()
	require.NoError(t, err)
	require.Equal(t, maxDocs+50, len(all))
	assert.True(t, reflect.DeepEqual(docs, all[1:]), "the journal's documents, in order")
}

// TestNewWithoutStateFile: a device whose state file was removed (to reset
// it) starts anew; the old journal is not its history.
func TestNewWithoutStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st, jr := NewState(journalT0), journal{}
	commit(t, path, &st, &jr, testDocs(2, 30)...)
	require.NoError(t, os.Remove(path))

	e, err := New(Config{StatePath: path, Now: func() time.Time { return journalT0 }})
	require.NoError(t, err)
	require.NoError(t, e.Close())
	lines, _ := journalLines(t, path)
	assert.Equal(t, 1, lines, "the registration report only")
	e, err = New(Config{StatePath: path})
	require.NoError(t, err)
	defer e.Close()
	assert.Equal(t, NewState(journalT0).Docs, e.State().Docs)
}

// BenchmarkSaveState is the save after a command that made a document, with
// docs documents made before: its cost does not depend on docs.
func BenchmarkSaveState(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "state.json")
			st, jr := NewState(journalT0), journal{}
			st.Docs = nil
			commit(b, path, &st, &jr, testDocs(1, n)...)
			st.Docs = lastDocs(st.Docs)
			fd := n
			for b.Loop() {
				fd++
				d := testDoc(fd)
				st.Docs = append(st.Docs[1:], d)
				jr.pending = append(jr.pending, d)
				if err := saveState(path, &st, &jr); err != nil {
					b.Fatal(err)
				}
			}
			fi, err := os.Stat(path)
			require.NoError(b, err)
			b.ReportMetric(float64(fi.Size()), "state-file-bytes")
		})
	}
}

// BenchmarkLoadState is a start of the device with docs documents: it scans
// the journal for its committed end and decodes the last maxDocs documents.
func BenchmarkLoadState(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "state.json")
			st, jr := NewState(journalT0), journal{}
			st.Docs = nil
			commit(b, path, &st, &jr, testDocs(1, n)...)
			for b.Loop() {
				if _, _, _, err := loadState(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
