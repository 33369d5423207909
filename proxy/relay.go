package proxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// The byte relay of a tcp session and of an upgraded HTTP connection
// (101), with HAProxy 2.6's timeouts and termination states (measured on
// 2.6.12 with a silent client and server, half-closes, resets and
// option independent-streams; TestTCPTermStateDifferential):
//
//   - Each side has its own read clock: the client's runs for `timeout
//     client`, the server's for `timeout server` (both `timeout tunnel`
//     when set). A byte read from a side restarts its clock, and so does
//     a byte written to it unless option independent-streams is on that
//     side's proxy (the frontend for the client, the backend for the
//     server): by default a byte moving either way keeps both sides
//     alive.
//   - A side whose clock runs out stops being read and the other side
//     gets a FIN, as a FIN from it would; the other direction goes on
//     under its own clock. The session's termination state is then cD
//     (the client's clock) or sD (the server's); when both clocks run out
//     together HAProxy checks the client first: cD.
//   - Once a side was sent a FIN its clock runs for `timeout client-fin`
//     (`timeout server-fin` for the server), from that FIN, when set.
//   - A reset or error reading the client is CD (the server is reset), one
//     reading the server SD (the client gets a FIN); a failed or timed-out
//     write is the written side's (CD/cD, SD/sD).
//   - In an HTTP tunnel (HAProxy's H1 multiplexer) the server's clock
//     running out ends both sides at once: the client gets a FIN, the
//     server a reset; so do both clocks running out together under a tcp
//     backend's timeout tunnel.
//
// A C/c state counts an aborted session in the backend's and server's
// cli_abrt, an S/s state in srv_abrt.

// relayTimeouts are a relay's inactivity limits.
type relayTimeouts struct {
	client, server time.Duration // each side's read clock (0 = none); also its write timeout
	// clientFin and serverFin replace a side's limit once it was sent a
	// FIN (0 = unchanged).
	clientFin, serverFin time.Duration
	// indepClient and indepServer are option independent-streams on the
	// frontend and on the backend: bytes written to that side do not
	// restart its read clock.
	indepClient, indepServer bool
	// resetServer is a tcp backend's option nolinger: the client's end
	// resets the server connection at once (nolinger.go).
	resetServer bool
	// http: an upgraded HTTP connection (the server's timeout ends both);
	// tunnel: a tcp session under timeout tunnel (see closesAll).
	http, tunnel bool
}

const (
	// relaySmall is each direction's own read buffer. A relay reads into
	// it first and takes a pooled bufSize buffer only after a read filled
	// it, giving it back after a read that does not fill that one (the
	// socket is drained, the next read will likely wait): an idle tcp
	// session holds no pooled buffer and no pipe.
	relaySmall = 4096
	// streamerReads is how many consecutive reads must fill the pooled
	// buffer before splice-auto hands the direction to the kernel: like
	// HAProxy's streamer detection, only a sustained stream is spliced,
	// since for small messages the pipe round trip costs more than the
	// copy it saves.
	streamerReads = 3
	// spliceChunk bounds one splice run, so the inactivity clock advances
	// while a long transfer is spliced.
	spliceChunk = 1 << 20
)

// relayCounts are the bytes a relay moved client→server (up) and
// server→client (down), how many of them went through splice(2), and how
// the relay ended (term: zero when both sides ended with a FIN).
type relayCounts struct {
	up, down, splicedUp, splicedDown int64
	term                             [2]byte
}

// relayEnd is how one direction of a relay ended.
type relayEnd uint8

const (
	endEOF          relayEnd = iota // its source sent a FIN
	endReadTimeout                  // its source's clock ran out
	endReadError                    // reading the source failed (a reset)
	endWriteTimeout                 // the destination took nothing for its timeout
	endWriteError                   // writing the destination failed
	endClosed                       // a connection was closed here (the other direction's end, a hard stop)
)

// relaySide is one side of a relay: its connection and its read clock.
type relaySide struct {
	conn    *tconn
	last    atomic.Int64 // when its clock last restarted, since the relay's base
	finSent atomic.Bool  // it was sent a FIN
	reading atomic.Bool  // its direction is still read
	timeout time.Duration
	fin     time.Duration
	indep   bool
	letter  byte // 'c' or 's': its timeout's termination letter
	small   [relaySmall]byte
}

// relayState is what the two directions of a relay share.
type relayState struct {
	t        relayTimeouts
	base     time.Time
	cli, srv relaySide
	term     atomic.Uint32 // the first termination state: a<<8 | b
	spliced  [2]atomic.Int64
}

// relay copies both ways between two connections until both directions
// ended (see the top of this file).
func relay(client, server *tconn, t relayTimeouts, upMode, downMode spliceMode) relayCounts {
	r := &relayState{t: t, base: time.Now()}
	r.cli.conn, r.cli.timeout, r.cli.fin, r.cli.indep, r.cli.letter = client, t.client, t.clientFin, t.indepClient, 'c'
	r.srv.conn, r.srv.timeout, r.srv.fin, r.srv.indep, r.srv.letter = server, t.server, t.serverFin, t.indepServer, 's'
	r.cli.reading.Store(true)
	r.srv.reading.Store(true)
	var up, down int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		var end relayEnd
		up, end = r.pump(&r.cli, &r.srv, upMode, &r.spliced[0])
		r.ended(&r.cli, &r.srv, end)
	}()
	go func() {
		defer wg.Done()
		var end relayEnd
		down, end = r.pump(&r.srv, &r.cli, downMode, &r.spliced[1])
		r.ended(&r.srv, &r.cli, end)
	}()
	wg.Wait()
	rc := relayCounts{up: up, down: down, splicedUp: r.spliced[0].Load(), splicedDown: r.spliced[1].Load()}
	if v := r.term.Load(); v != 0 {
		rc.term = [2]byte{byte(v >> 8), byte(v)}
	}
	return rc
}

// until is when side sd's clock runs out (zero: never).
func (r *relayState) until(sd *relaySide) time.Time {
	d := sd.timeout
	if sd.fin > 0 && sd.finSent.Load() {
		d = sd.fin
	}
	if d <= 0 {
		return time.Time{}
	}
	return r.base.Add(time.Duration(sd.last.Load()) + d)
}

func (r *relayState) touch(sd *relaySide, now time.Time) { sd.last.Store(int64(now.Sub(r.base))) }

// setTerm records the session's termination state unless one is set.
func (r *relayState) setTerm(a byte) { r.term.CompareAndSwap(0, uint32(a)<<8|'D') }

// timedOut records side sd's clock running out: its letter, but cD when
// the server's runs out while the client's did too (HAProxy looks at the
// request channel first; its clock ticks in milliseconds).
func (r *relayState) timedOut(sd *relaySide) {
	a := sd.letter
	if sd == &r.srv && r.cli.reading.Load() && expiring(r.until(&r.cli)) {
		a = 'c'
	}
	r.setTerm(a)
}

// upper is the reset/error letter of a side: 'C' or 'S'.
func upper(sd *relaySide) byte { return sd.letter - 'a' + 'A' }

// ended acts on the end of the direction from src to dst.
func (r *relayState) ended(src, dst *relaySide, end relayEnd) {
	switch end {
	case endEOF:
		src.conn.io.eof.Store(true) // also after a splice (nolinger.go)
		src.reading.Store(false)
		r.shut(dst)
		return
	case endReadTimeout:
		all := r.closesAll(src)
		r.timedOut(src)
		src.reading.Store(false)
		if all {
			r.srv.conn.reset()
			r.cli.conn.CloseWrite()
			r.cli.conn.Close()
			return
		}
		r.shut(dst)
		return
	case endReadError:
		r.setTerm(upper(src))
		if src == &r.cli {
			src.reading.Store(false)
			r.srv.conn.reset() // HAProxy resets the server after a client's reset
			r.cli.conn.Close()
			return
		}
	case endWriteTimeout:
		r.setTerm(dst.letter)
	case endWriteError:
		r.setTerm(upper(dst))
	}
	src.reading.Store(false)
	src.conn.Close()
	dst.conn.Close()
}

// closesAll says whether src's clock running out ends both sides at once
// (the server reset, the client sent a FIN), as measured on HAProxy 2.6:
// in an HTTP tunnel when the server's clock runs out (the client's and
// the server's together included); in TCP under timeout tunnel when both
// run out together. Otherwise the relay half-closes.
func (r *relayState) closesAll(src *relaySide) bool {
	other := &r.srv
	if src == &r.srv {
		other = &r.cli
	}
	both := other.reading.Load() && expiring(r.until(other))
	switch {
	case r.t.http:
		return src == &r.srv || both
	case r.t.tunnel:
		return both
	}
	return false
}

// expiring: u is set and passed, or less than HAProxy's millisecond tick
// away.
func expiring(u time.Time) bool { return !u.IsZero() && time.Until(u) <= time.Millisecond }

// shut sends side sd a FIN (a tcp backend's nolinger: a reset, unless
// the server's FIN was read; a tcp frontend's nolinger, once the client's
// FIN was read: the close, a reset); its clock then runs for its *-fin
// timeout from now, when set.
func (r *relayState) shut(sd *relaySide) {
	switch {
	case sd == &r.srv && r.t.resetServer && !sd.conn.io.eof.Load():
		sd.conn.reset() // nolinger.go
	case sd == &r.cli && sd.conn.noLinger && !r.t.http && sd.conn.io.eof.Load():
		sd.conn.closeNotify() // over TLS, HAProxy's SSL_shutdown first (TestNoLingerTLSFrontendDifferential)
		sd.conn.Close()       // nolinger.go
	default:
		sd.conn.CloseWrite()
	}
	if sd.fin > 0 {
		r.touch(sd, time.Now())
	}
	sd.finSent.Store(true)
}

// classify names a failed read's or copy's end.
func classify(err error) relayEnd {
	switch {
	case err == io.EOF:
		return endEOF
	case errors.Is(err, net.ErrClosed):
		return endClosed
	case isTimeout(err):
		return endReadTimeout
	}
	return endReadError
}

// pump copies src to dst until src ends or a side fails. Its reads time
// out when src's clock runs out; a read that timed out while the clock
// was restarted meanwhile (by a write to src) goes on.
func (r *relayState) pump(src, dst *relaySide, mode spliceMode, spliced *atomic.Int64) (int64, relayEnd) {
	var total int64
	var big *[]byte
	// Towards an HTTP/2 stream the pooled buffer is a streamBufSize one:
	// a read then feeds several DATA frames written at once (proxy/h2
	// data_burst.go).
	get, put := getBuf, putBuf
	if dst.conn.h2 != nil {
		get, put = getStreamBuf, putStreamBuf
	}
	defer func() {
		if big != nil {
			put(big)
		}
	}()
	fullReads := 0
	now := time.Now() // one clock reading per read serves the next one too
	for {
		if mode == spliceAlways || (mode == spliceAuto && fullReads >= streamerReads) {
			if big != nil {
				put(big)
				big = nil
			}
			n, end := r.splice(src, dst)
			spliced.Store(n)
			return total + n, end
		}
		p := src.small[:]
		if big != nil {
			p = *big
		}
		n, err := src.conn.readUntil(p, now, r.wakeAt(src, now))
		now = time.Now()
		if n > 0 {
			r.touch(src, now)
			if r.dropsLast(src) {
				return total + int64(n), endEOF // nolinger.go
			}
			if _, werr := dst.conn.writeAt(p[:n], now, dst.timeout); werr != nil {
				if isTimeout(werr) {
					return total, endWriteTimeout
				}
				if errors.Is(werr, net.ErrClosed) {
					return total, endClosed
				}
				return total, endWriteError
			}
			if !dst.indep {
				// A write that took a while restarts the clock at its end;
				// one at once shares the read's instant, so that two clocks
				// the same traffic restarted run out together.
				if t := time.Now(); t.Sub(now) >= time.Millisecond {
					now = t
				}
				r.touch(dst, now)
			}
			total += int64(n)
			switch {
			case n == len(p) && big == nil:
				big = get()
			case n == len(p):
				fullReads++
			case big != nil:
				put(big)
				big, fullReads = nil, 0
			}
		}
		if err == nil {
			continue
		}
		end := classify(err)
		if end == endReadTimeout {
			if u := r.until(src); u.IsZero() || now.Before(u) {
				continue // the clock was restarted meanwhile, or shortens
			}
		}
		return total, end
	}
}

// wakeAt is when a read of side sd starting at now must give up: when its
// clock runs out, or sooner, its *-fin timeout from now, while it may
// still be sent a FIN (the FIN shortens its clock: the read wakes by the
// new end, finds the clock not run out yet and reads on).
func (r *relayState) wakeAt(sd *relaySide, now time.Time) time.Time {
	want := r.until(sd)
	if sd.fin > 0 && !sd.finSent.Load() {
		if w := now.Add(sd.fin); want.IsZero() || w.Before(want) {
			want = w
		}
	}
	return want
}

// splice moves src to dst with splice(2) (io.Copy between two
// *net.TCPConn) until src ends or a side fails. It runs in chunks so the
// clocks follow a long transfer; a timeout after some bytes moved counts
// as activity, so in this mode a clock runs out at most one period late.
// A copy cannot tell a read's timeout from a write's: both end as src's.
func (r *relayState) splice(src, dst *relaySide) (int64, relayEnd) {
	var total int64
	for {
		now := time.Now()
		src.conn.setRead(r.wakeAt(src, now))
		dst.conn.setWrite(deadlineFrom(now, dst.timeout))
		n, err := io.CopyN(dst.conn.TCPConn, src.conn.TCPConn, spliceChunk)
		total += n
		if n > 0 {
			t := time.Now()
			r.touch(src, t)
			if !dst.indep {
				r.touch(dst, t)
			}
		}
		if err == nil {
			continue // a whole chunk: go on with fresh deadlines
		}
		end := classify(err)
		if end == endReadTimeout {
			if u := r.until(src); n > 0 || u.IsZero() || time.Now().Before(u) {
				continue
			}
		}
		return total, end
	}
}
