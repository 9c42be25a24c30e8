package shtrih

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"paydesk/fiscal"
)

// step is one exchange of a scripted device: read expect, then write reply.
type step struct {
	expect []byte
	reply  []byte
}

func mustFrame(p ...byte) []byte {
	f, err := Encode(p)
	if err != nil {
		panic(err)
	}
	return f
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// scripted runs a device that follows steps over a loopback TCP connection.
func scripted(t *testing.T, steps ...step) *link {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	host, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	dev, err := ln.Accept()
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer dev.Close()
		for i, s := range steps {
			got := make([]byte, len(s.expect))
			dev.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(dev, got); err != nil {
				t.Errorf("step %d: reading % X: %v", i, s.expect, err)
				return
			}
			if !bytes.Equal(got, s.expect) {
				t.Errorf("step %d: host sent % X, want % X", i, got, s.expect)
				return
			}
			if len(s.reply) > 0 {
				if _, err := dev.Write(s.reply); err != nil {
					t.Errorf("step %d: write: %v", i, err)
					return
				}
			}
		}
		dev.SetReadDeadline(time.Time{})
		io.Copy(io.Discard, dev) // stay silent until the host hangs up
	}()
	t.Cleanup(func() { host.Close(); <-done })
	return &link{conn: host, byteTimeout: 150 * time.Millisecond, enqTries: 3, sendTries: 3, readTries: 3,
		log: slog.New(slog.DiscardHandler)}
}

var cancel88 = []byte{0x88, 0x1E, 0, 0, 0}

func TestLinkBadLRCAnswer(t *testing.T) {
	// sh1-neg-rsp-bad-lrc: the host answers a bad LRC with NAK, then ENQ.
	l := scripted(t,
		step{[]byte{ENQ}, []byte{NAK}},
		step{mustFrame(cancel88...), cat([]byte{ACK}, []byte{0x02, 0x03, 0x88, 0x00, 0x1E, 0x94})},
		step{[]byte{NAK, ENQ}, cat([]byte{ACK}, mustFrame(0x88, 0x00, 0x1E))},
		step{[]byte{ACK}, nil},
	)
	p, err := l.do(context.Background(), cancel88, time.Second)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x88, 0x00, 0x1E}, p)
}

func TestLinkFillerAndStaleAnswer(t *testing.T) {
	l := scripted(t,
		// a stale answer is read, acknowledged and discarded
		step{[]byte{ENQ}, cat([]byte{Filler, ACK}, mustFrame(0x10, 0x00, 0x1E))},
		step{[]byte{ACK}, []byte{Filler}},
		step{[]byte{ENQ}, []byte{Filler, NAK}},
		// after a stale answer the host drains the line and asks once more
		step{[]byte{ENQ}, []byte{NAK}},
		step{mustFrame(cancel88...), []byte{Filler, ACK, Filler}},
		step{nil, mustFrame(0x88, 0x00, 0x1E)},
		step{[]byte{ACK}, []byte{Filler}},
	)
	p, err := l.do(context.Background(), cancel88, time.Second)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x88, 0x00, 0x1E}, p)
}

// TestLinkLateNAK: a reply to an earlier ENQ that arrives after a stale
// answer must not be taken for a refusal of the command frame.
func TestLinkLateNAK(t *testing.T) {
	l := scripted(t,
		// the stale answer, then the replies to both ENQs arrive together
		step{[]byte{ENQ}, cat([]byte{ACK}, mustFrame(0x10, 0x00, 0x1E))},
		step{[]byte{ACK}, nil},
		step{[]byte{ENQ}, []byte{NAK, NAK}},
		step{[]byte{ENQ}, []byte{NAK}},
		step{mustFrame(cancel88...), cat([]byte{ACK}, mustFrame(0x88, 0x00, 0x1E))},
		step{[]byte{ACK}, nil},
	)
	p, err := l.do(context.Background(), cancel88, time.Second)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x88, 0x00, 0x1E}, p)
}

// TestLinkStaleNAKBeforeACK: a late NAK read where the frame's ACK belongs is
// checked with ENQ; the device holds the answer, so the frame is not resent.
func TestLinkStaleNAKBeforeACK(t *testing.T) {
	l := scripted(t,
		step{[]byte{ENQ}, []byte{NAK}},
		step{mustFrame(cancel88...), []byte{NAK, ACK}}, // stale NAK, then the real ACK
		step{nil, mustFrame(0x88, 0x00, 0x1E)},
		step{[]byte{ENQ}, cat([]byte{ACK}, mustFrame(0x88, 0x00, 0x1E))},
		step{[]byte{ACK}, nil},
	)
	p, err := l.do(context.Background(), cancel88, time.Second)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x88, 0x00, 0x1E}, p)
}

func TestLinkNeverResendsAcceptedCommand(t *testing.T) {
	// No ACK to the frame; ENQ is answered with ACK: the command was taken,
	// the host reads the answer instead of sending the frame again.
	l := scripted(t,
		step{[]byte{ENQ}, []byte{NAK}},
		step{mustFrame(cancel88...), nil},
		step{[]byte{ENQ}, cat([]byte{ACK}, mustFrame(0x88, 0x00, 0x1E))},
		step{[]byte{ACK}, nil},
	)
	p, err := l.do(context.Background(), cancel88, time.Second)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x88, 0x00, 0x1E}, p)
}

func TestLinkOutcomeUnknown(t *testing.T) {
	// Accepted, then the device restarts and holds no answer.
	l := scripted(t,
		step{[]byte{ENQ}, []byte{NAK}},
		step{mustFrame(cancel88...), []byte{ACK}},
		step{[]byte{ENQ}, []byte{NAK}},
	)
	_, err := l.do(context.Background(), cancel88, 100*time.Millisecond)
	assert.ErrorIs(t, err, fiscal.ErrOutcomeUnknown)
}

func TestLinkNoLink(t *testing.T) {
	l := scripted(t, step{[]byte{ENQ, ENQ, ENQ}, nil})
	l.byteTimeout = 20 * time.Millisecond
	_, err := l.do(context.Background(), cancel88, time.Second)
	assert.ErrorIs(t, err, fiscal.ErrNoLink)
}

func TestLinkRejectedBytes(t *testing.T) {
	// NAK to the frame, confirmed by ENQ -> NAK: nothing executed, resending is safe.
	l := scripted(t,
		step{[]byte{ENQ}, []byte{NAK}},
		step{mustFrame(cancel88...), []byte{NAK}},
		step{[]byte{ENQ}, []byte{NAK}},
		step{mustFrame(cancel88...), cat([]byte{ACK}, mustFrame(0x88, 0x00, 0x1E))},
		step{[]byte{ACK}, nil},
	)
	_, err := l.do(context.Background(), cancel88, time.Second)
	require.NoError(t, err)
}
