package clock

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFake(t *testing.T) {
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	f := NewFake(start)
	a := f.After(time.Hour)
	b := f.After(24 * time.Hour)
	assert.Equal(t, 2, f.Pending())
	f.Advance(time.Hour)
	select {
	case got := <-a:
		assert.Equal(t, start.Add(time.Hour), got)
	default:
		t.Fatal("the one-hour waiter did not fire")
	}
	select {
	case <-b:
		t.Fatal("the 24-hour waiter fired early")
	default:
	}
	f.Advance(23 * time.Hour)
	<-b
	assert.Equal(t, start.Add(24*time.Hour), f.Now())
	assert.Equal(t, 0, f.Pending())
}

func TestSleep(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	done := make(chan error)
	go func() { done <- Sleep(context.Background(), f, time.Minute) }()
	<-f.Waiting()
	f.Advance(time.Minute)
	require.NoError(t, <-done)

	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- Sleep(ctx, f, time.Minute) }()
	<-f.Waiting()
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.NoError(t, Sleep(context.Background(), Real{}, 0))
}
