package proxy

import (
	"io"
	"time"
)

// SpliceOptions are `option splice-auto`, `option splice-request` and
// `option splice-response`. A frontend's and its backend's are ORed, as in
// HAProxy. Without any, a tcp relay copies through user-space buffers
// (HAProxy's default); Request/Response splice that direction from the
// first byte; Auto splices a direction once it streams (several
// consecutive reads fill the buffer).
type SpliceOptions struct {
	Auto, Request, Response bool
}

// spliceN copies n response bytes (n < 0: until EOF) from the server to the
// client directly between the two *net.TCPConn, so the kernel can splice.
// Deadlines are re-armed while data flows.
func (x *exchange) spliceN(n int64) error {
	s := x.s
	for {
		now := time.Now()
		x.sc.setRead(deadlineFrom(now, x.serverTimeout()))
		s.c.setWrite(deadlineFrom(now, s.fe.cfg.Timeouts.Client))
		var w int64
		var err error
		if n < 0 {
			w, err = io.Copy(s.c.TCPConn, x.sc.TCPConn)
		} else {
			w, err = io.CopyN(s.c.TCPConn, x.sc.TCPConn, n)
			n -= w
		}
		s.sent += w
		s.fe.stats.bytesOut.Add(w)
		x.addSrvOut(w)
		if err == nil || (n < 0 && err == io.EOF) {
			return nil
		}
		if isTimeout(err) && w > 0 {
			continue
		}
		return err
	}
}
