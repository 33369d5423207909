package proxy

import (
	"fmt"
	"testing"
	"time"
)

// TestQueueKeyOrder: waiters are woken by class, then arrival plus
// offset, then arrival, as HAProxy 2.6 orders its pendconns; each
// leaves with its position (%bq): one more than the dequeues since it
// came, all of them queued first here.
func TestQueueKeyOrder(t *testing.T) {
	t0 := time.UnixMilli(1_000_000)
	waiters := []struct {
		name string
		prio queuePrio
		at   time.Duration // arrival after t0
	}{
		{"a", queuePrio{}, 0},
		{"b", queuePrio{class: 1}, 1 * time.Millisecond},
		{"c", queuePrio{class: -1}, 2 * time.Millisecond},
		{"d", queuePrio{offset: -10}, 3 * time.Millisecond},          // before a
		{"e", queuePrio{offset: 5}, 4 * time.Millisecond},            // after f
		{"f", queuePrio{}, 5 * time.Millisecond},                     // after a
		{"g", queuePrio{class: 1, offset: -1}, 6 * time.Millisecond}, // still after b
		{"h", queuePrio{}, 5 * time.Millisecond},                     // ties f: after it
	}
	var q waitQueue
	woke := make(chan string, len(waiters))
	for _, w := range waiters {
		done := make(chan struct{})
		go func() {
			go func() { // registered before the next one is
				for q.len() == 0 || !queued(&q, w.prio.key(t0.Add(w.at))) {
					time.Sleep(time.Millisecond)
				}
				close(done)
			}()
			if ok, pos := q.wait(5*time.Second, w.prio.key(t0.Add(w.at)), nil, &q.idx); ok {
				woke <- fmt.Sprint(w.name, pos)
			}
		}()
		<-done
	}
	var order []string
	for range waiters {
		q.signal()
		order = append(order, <-woke)
	}
	if got, want := fmt.Sprint(order), "[c1 d2 a3 f4 h5 e6 b7 g8]"; got != want {
		t.Errorf("woken %s, want %s", got, want)
	}
}

// queued reports whether a waiter with key k is in q.
func queued(q *waitQueue, k queueKey) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, w := range q.waiters {
		if w.key == k {
			return true
		}
	}
	return false
}
