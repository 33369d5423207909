package mailalert

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Queue sends one proxy's alerts, one at a time per mailer and in order,
// as HAProxy's per-mailer alert queue; Close waits for what is queued
// (bounded by each exchange's timeout).
type Queue struct {
	cfg    *Config
	now    func() time.Time
	chans  []chan []byte
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
	// Failed is called with each exchange that did not complete (nil:
	// ignored).
	Failed func(mailer string, err error)
}

// queueLen bounds what waits for a slow mailer; more is dropped.
const queueLen = 64

// NewQueue starts the senders of cfg's mailers.
func NewQueue(cfg *Config, now func() time.Time) *Queue {
	q := &Queue{cfg: cfg, now: now}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	for _, addr := range cfg.Mailers {
		ch := make(chan []byte, queueLen)
		q.chans = append(q.chans, ch)
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			for {
				select {
				case <-q.ctx.Done():
					return
				case data := <-ch:
					if err := Send(q.ctx, cfg, addr, data); err != nil && q.Failed != nil {
						q.Failed(addr, err)
					}
				}
			}
		}()
	}
	return q
}

// Alert mails msg (a log line) when level is within the configured one.
func (q *Queue) Alert(level int, msg string) {
	if level > q.cfg.Level {
		return
	}
	data := Message(q.cfg, strings.TrimSuffix(msg, "."), q.now())
	for _, ch := range q.chans {
		select {
		case ch <- data:
		default: // the mailer is too far behind
		}
	}
}

// Close stops taking alerts and ends the exchanges under way (a stopping
// worker must not wait for a mailer); what is still queued is dropped.
// The channels stay open, so an alert a late check raises after Close is
// dropped in the buffer rather than sent on a closed channel, and Close
// may be called more than once (a worker's close after its soft stop).
func (q *Queue) Close() {
	q.cancel()
	q.wg.Wait()
}
