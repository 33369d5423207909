package proxy

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestStaleDeadline(t *testing.T) {
	now := time.Unix(1000, 0)
	want := now.Add(10 * time.Second)
	for _, tc := range []struct {
		name  string
		armed time.Time
		stale bool
	}{
		{"none armed", time.Time{}, true},
		{"exact", want, false},
		{"later than wanted", want.Add(time.Millisecond), true},
		{"earlier, more than half left", now.Add(6 * time.Second), false},
		{"earlier, exactly half left", now.Add(5 * time.Second), false},
		{"earlier, less than half left", now.Add(4 * time.Second), true},
		{"already past", now.Add(-time.Second), true},
	} {
		if got := stale(tc.armed, now, want); got != tc.stale {
			t.Errorf("%s: stale = %v, want %v", tc.name, got, tc.stale)
		}
	}
}

// Request/response traffic under a long timeout moves the socket deadlines
// a handful of times, not once per read and write.
func TestTconnArmsRarely(t *testing.T) {
	a, b := tcpPair(t)
	c := newTconn(a, nil)
	buf := make([]byte, 64)
	for i := 0; i < 1000; i++ {
		if _, err := b.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		if n, err := c.read(buf, 30*time.Second); err != nil || string(buf[:n]) != "ping" {
			t.Fatalf("read %q %v", buf[:n], err)
		}
		if _, err := c.write([]byte("pong"), 30*time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	if c.rarms > 2 || c.warms > 2 {
		t.Fatalf("armed read deadlines %d times, write deadlines %d times for 1000 exchanges", c.rarms, c.warms)
	}
}

// A deadline armed for an earlier read fires before this read's own
// timeout: the read must go on until its own deadline, never time out early.
func TestTconnEarlyDeadlineDoesNotCutRead(t *testing.T) {
	a, b := tcpPair(t)
	c := newTconn(a, nil)
	const d = 200 * time.Millisecond
	b.Write([]byte("x"))
	buf := make([]byte, 8)
	if _, err := c.read(buf, d); err != nil { // arms now+d
		t.Fatal(err)
	}
	time.Sleep(d / 3) // the armed deadline stays usable (> half left) and fires early
	start := time.Now()
	n, err := c.read(buf, d)
	if !isTimeout(err) || n != 0 {
		t.Fatalf("read %d %v, want a timeout", n, err)
	}
	if el := time.Since(start); el < d {
		t.Fatalf("timed out after %v, before its %v", el, d)
	}
}

// A longer deadline left from an earlier read is pulled in.
func TestTconnLaterDeadlineIsPulledIn(t *testing.T) {
	a, b := tcpPair(t)
	c := newTconn(a, nil)
	b.Write([]byte("x"))
	buf := make([]byte, 8)
	if _, err := c.read(buf, time.Hour); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.read(buf, 50*time.Millisecond); done <- err }()
	select {
	case err := <-done:
		if !isTimeout(err) {
			t.Fatalf("got %v, want a timeout", err)
		}
	case <-time.After(5 * time.Second):
		b.Close()
		t.Fatal("read kept the hour-long deadline")
	}
}

// With the stop flag set, a deadline forced into the past (Shutdown
// waking an idle session) ends the read instead of being re-armed.
func TestTconnStopMakesWakeFinal(t *testing.T) {
	a, _ := tcpPair(t)
	var stop atomic.Bool
	c := newTconn(a, &stop)
	done := make(chan error, 1)
	go func() { _, err := c.read(make([]byte, 8), time.Hour); done <- err }()
	time.Sleep(20 * time.Millisecond)
	stop.Store(true)
	a.SetReadDeadline(time.Unix(1, 0)) // what session.wakeIfIdle does
	select {
	case err := <-done:
		if !isTimeout(err) {
			t.Fatalf("got %v, want the wake-up's timeout", err)
		}
	case <-time.After(5 * time.Second):
		a.Close()
		t.Fatal("the wake-up was re-armed away")
	}
}

// Without stop, the same foreign deadline is taken for an early one: the
// read goes on.
func TestTconnForeignDeadlineReArmed(t *testing.T) {
	a, b := tcpPair(t)
	c := newTconn(a, nil)
	done := make(chan string, 1)
	go func() {
		buf := make([]byte, 8)
		n, err := c.read(buf, time.Hour)
		if err != nil {
			done <- err.Error()
			return
		}
		done <- string(buf[:n])
	}()
	time.Sleep(20 * time.Millisecond)
	a.SetReadDeadline(time.Unix(1, 0))
	time.Sleep(20 * time.Millisecond)
	b.Write([]byte("late"))
	select {
	case got := <-done:
		if got != "late" {
			t.Fatalf("got %q, want the data", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no data")
	}
}

// A peer that accepts nothing fails the write after the inactivity
// timeout, with what was written so far counted.
func TestTconnWriteInactivity(t *testing.T) {
	a, _ := tcpPair(t) // the peer never reads
	c := newTconn(a, nil)
	const d = 150 * time.Millisecond
	p := make([]byte, 64<<20)
	start := time.Now()
	n, err := c.write(p, d)
	if !isTimeout(err) || n <= 0 || n >= len(p) {
		t.Fatalf("wrote %d %v, want a timeout after a partial write", n, err)
	}
	if el := time.Since(start); el < d {
		t.Fatalf("gave up after %v, before %v of inactivity", el, d)
	}
}
