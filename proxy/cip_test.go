package proxy

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestAcceptCIPRefused: on an accept-netscaler-cip bind, a connection
// without a valid header is closed without a byte and reported to
// ConnError with HAProxy's reason (connErrMessages' CIP entries).
// TestNetScalerCIPDifferential compares the answers with HAProxy.
func TestAcceptCIPRefused(t *testing.T) {
	cfg := seedConfig(loopback.DeadAddr(t))
	fe := cfg.Frontends[0]
	fe.BindSockets = map[string]BindSocket{"127.0.0.1:0": {AcceptCIP: true, CIPMagic: 77}}
	_, addr, errs := startConnErrors(t, cfg)
	head := func(magic uint32, form byte) string {
		b := make([]byte, 12, 52)
		binary.BigEndian.PutUint32(b, magic)
		b[8] = form
		binary.BigEndian.PutUint16(b[10:], 40)
		ip := make([]byte, 40)
		ip[0], ip[9] = 0x45, 6
		return string(append(b, ip...))
	}
	for _, tc := range []struct {
		name, send, msg string
		shut, null      bool
	}{
		{"bad magic", head(78, 0), "Received an invalid NetScaler Client IP magic number", false, false},
		{"unknown form", head(77, 0x10), "Received an unhandled protocol in the NetScaler Client IP header", false, false},
		{"truncated", head(77, 0)[:16], "Truncated NetScaler Client IP header received", false, false},
		{"closed", "", "Connection closed while waiting for NetScaler Client IP header", true, true},
		{"silent", "", "Timeout while waiting for a NetScaler Client IP header", false, true},
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte(tc.send))
		if tc.shut {
			c.(*net.TCPConn).CloseWrite()
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if n, _ := c.Read(make([]byte, 64)); n != 0 {
			t.Errorf("%s: got %d bytes, want none", tc.name, n)
		}
		c.Close()
		select {
		case e := <-errs:
			if e.Msg != tc.msg || e.Bind != "1" || e.Null != tc.null {
				t.Errorf("%s: ConnError %+v, want %q", tc.name, e, tc.msg)
			}
		case <-time.After(2 * time.Second):
			t.Errorf("%s: no ConnError", tc.name)
		}
	}
}
