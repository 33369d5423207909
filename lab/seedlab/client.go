package seedlab

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/goha-lb/goha/lab"
)

// maxBody bounds what a request reads of a response body.
const maxBody = 64 << 10

// Get does one HTTP/1.1 GET of http://addr/ (addr is host:port) from
// inside host h, on a fresh connection, within timeout. It never returns
// an error: failures are recorded in the Sample.
func Get(h *lab.Host, addr string, timeout time.Duration) Sample {
	var s Sample
	err := h.Do(func() error {
		s = get(addr, timeout)
		return nil
	})
	if err != nil {
		s.Err = err.Error()
	}
	return s
}

// get must run on a thread inside the client's namespace: net.Dial creates
// the socket on the calling goroutine's (locked) thread.
func get(addr string, timeout time.Duration) (s Sample) {
	s.Start = time.Now()
	defer func() { s.Dur = time.Since(s.Start) }()
	deadline := s.Start.Add(timeout)
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		s.Err = shortErr(err)
		return s
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(addr)
	if _, err := fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: seedlab\r\nConnection: close\r\n\r\n", host); err != nil {
		s.Err = shortErr(err)
		return s
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		s.Err = shortErr(err)
		return s
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	s.Status = resp.StatusCode
	s.Body = strings.TrimSpace(string(body))
	if err != nil {
		s.Err = shortErr(err)
	}
	return s
}

// shortErr drops the "dial tcp 1.2.3.4:80:" prefixes, keeping the cause.
func shortErr(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// LoopConfig bounds a client loop.
type LoopConfig struct {
	Addr     string        // host:port to GET / from
	Rate     int           // requests per second (at most; requests are sequential)
	Duration time.Duration // how long the loop runs
	Timeout  time.Duration // per request
}

// DefaultLoop is the loop used for failover measurements: 20 requests/s,
// 200 ms timeout, so the gap is resolved to about 50 ms.
func DefaultLoop(addr string, d time.Duration) LoopConfig {
	return LoopConfig{Addr: addr, Rate: 20, Duration: d, Timeout: 200 * time.Millisecond}
}

// LoopResult is what a loop recorded.
type LoopResult struct {
	Begin, End time.Time
	Samples    []Sample
}

// Summary summarizes the loop's samples.
func (r LoopResult) Summary() Summary { return Summarize(r.Samples, r.Begin, r.End) }

// Loop runs cfg from inside host h until cfg.Duration passed or ctx is
// done. Requests are sequential and started on a fixed schedule; a request
// that overruns its slot delays the next one, never piles up.
func Loop(ctx context.Context, h *lab.Host, cfg LoopConfig) (LoopResult, error) {
	if cfg.Rate <= 0 || cfg.Rate > 1000 || cfg.Duration <= 0 || cfg.Duration > 5*time.Minute || cfg.Timeout <= 0 {
		return LoopResult{}, fmt.Errorf("seedlab: loop needs 0 < rate <= 1000, 0 < duration <= 5m and a timeout: %+v", cfg)
	}
	var r LoopResult
	err := h.Do(func() error {
		period := time.Second / time.Duration(cfg.Rate)
		r.Begin = time.Now()
		stop := r.Begin.Add(cfg.Duration)
		next := r.Begin
		// Bounded in count as well as time: each request takes at most two
		// iterations (a wait, then the request).
		for n := 0; n < 2*cfg.Rate*int(cfg.Duration/time.Second+1); n++ {
			now := time.Now()
			if !now.Before(stop) || ctx.Err() != nil {
				break
			}
			if wait := next.Sub(now); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
				}
				continue // re-check stop and ctx before requesting
			}
			r.Samples = append(r.Samples, get(cfg.Addr, cfg.Timeout))
			next = next.Add(period)
			if now := time.Now(); next.Before(now) {
				next = now
			}
		}
		r.End = time.Now()
		return nil
	})
	return r, err
}
