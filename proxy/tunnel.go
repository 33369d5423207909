package proxy

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// relayTimeouts are the inactivity limits of a bidirectional relay.
type relayTimeouts struct {
	idle      time.Duration // both directions quiet this long ends the relay (0 = never)
	clientFin time.Duration // after the client half-closed (0 = idle)
	serverFin time.Duration // after the server half-closed (0 = idle)
}

// relay copies both ways between bare *net.TCPConn, so io.Copy uses
// splice(2). When one side finishes sending, the other side's write half is
// shut (half-close) and the remaining direction goes on under the *-fin
// timeout. It returns the bytes copied client→server and server→client.
func relay(client, server *net.TCPConn, t relayTimeouts) (up, down int64) {
	var wg sync.WaitGroup
	var upQuiet, downQuiet, upDone, downDone atomic.Bool
	wg.Add(2)
	go func() {
		defer wg.Done()
		up = pump(server, client, &upQuiet, &downQuiet, &downDone, func() time.Duration {
			if downDone.Load() && t.serverFin > 0 {
				return t.serverFin
			}
			return t.idle
		})
		upDone.Store(true)
		server.CloseWrite()
	}()
	go func() {
		defer wg.Done()
		down = pump(client, server, &downQuiet, &upQuiet, &upDone, func() time.Duration {
			if upDone.Load() && t.clientFin > 0 {
				return t.clientFin
			}
			return t.idle
		})
		downDone.Store(true)
		client.CloseWrite()
	}()
	wg.Wait()
	return up, down
}

// pump copies src to dst until EOF or error. Its read deadline is re-armed
// every period; a period without data marks this direction quiet, and the
// relay ends (both connections are closed) only when the other direction
// is quiet or finished too.
func pump(dst, src *net.TCPConn, quiet, otherQuiet, otherDone *atomic.Bool, period func() time.Duration) int64 {
	var total int64
	for {
		d := period()
		if d > 0 {
			src.SetReadDeadline(time.Now().Add(d))
			dst.SetWriteDeadline(time.Now().Add(d))
		} else {
			src.SetReadDeadline(time.Time{})
			dst.SetWriteDeadline(time.Time{})
		}
		n, err := io.Copy(dst, src)
		total += n
		if err == nil {
			return total // EOF
		}
		if !isTimeout(err) {
			src.Close()
			dst.Close()
			return total
		}
		if n > 0 {
			quiet.Store(false)
			continue
		}
		quiet.Store(true)
		if otherQuiet.Load() || otherDone.Load() {
			src.Close()
			dst.Close()
			return total
		}
	}
}

// serveTCP is `mode tcp`: connect to a server of the default backend and
// relay bytes both ways.
func (s *session) serveTCP() {
	be := s.fe.def
	if be == nil {
		return
	}
	s.breq.Src = s.src.Addr()
	s.tl = timeline{start: s.accepted}
	srv, sc, _ := be.connect(&s.breq, be.cfg.Timeouts.Connect, &s.tl, &s.retries)
	if srv == nil {
		s.emitLog(be, nil, 0, term('S', 'C'))
		return // HAProxy closes the client connection when no server answers
	}
	defer sc.Close()
	s.srvConn.Store(sc)
	srv.stats.sessions.Add(1)
	be.stats.sessions.Add(1)
	defer be.release(srv)
	ft, bt := &s.fe.cfg.Timeouts, &be.cfg.Timeouts
	up, down := relay(s.c, sc, relayTimeouts{
		idle:      firstSet(max(ft.Client, bt.Server)),
		clientFin: ft.ClientFin,
		serverFin: bt.ServerFin,
	})
	s.fe.stats.bytesIn.Add(up)
	s.fe.stats.bytesOut.Add(down)
	srv.stats.bytesIn.Add(up)
	srv.stats.bytesOut.Add(down)
	be.stats.bytesIn.Add(up)
	be.stats.bytesOut.Add(down)
	s.sent, s.received = down, up
	s.emitLog(be, srv, 0, term('-', '-'))
}

// tunnel switches an upgraded HTTP connection (101) to a byte relay under
// `timeout tunnel`, after flushing what each side already sent.
func (x *exchange) tunnel() bool {
	s := x.s
	if err := s.clientWrite(append(x.buildResponseHead(), x.sbuf[x.sstart+s.resp.HeadLen:x.send]...)); err != nil {
		return false
	}
	if err := x.serverWrite(s.buf[s.start:s.end]); err != nil {
		return false
	}
	s.start = s.end
	x.status = 101
	s.fe.stats.countStatus(101)
	x.be.stats.countStatus(101)
	x.srv.stats.countStatus(101)
	ft, bt := &s.fe.cfg.Timeouts, &x.be.cfg.Timeouts
	idle := firstSet(bt.Tunnel, ft.Tunnel, max(ft.Client, bt.Server))
	up, down := relay(s.c, x.sc, relayTimeouts{idle: idle, clientFin: ft.ClientFin, serverFin: bt.ServerFin})
	s.fe.stats.bytesIn.Add(up)
	s.fe.stats.bytesOut.Add(down)
	s.sent += down
	s.received += up
	return false
}
