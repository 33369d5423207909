package proxy

import (
	"crypto/tls"
	"sync"
	"time"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// TLS towards servers (server ... ssl): the connection is a TLS client
// over the dialled socket, made within the connect timeout, as HAProxy
// counts the handshake in the connection's establishment. A handshake that
// fails (certificate not trusted, name mismatch, protocol) is a failed
// connect: retries, redispatch and the 503 follow as for a refused one.

// sni is the server name a new connection to srv for this request sends
// ("" = none).
func (c clientAddrs) sni(srv *server) string {
	if srv.cfg.SNI == nil || c.info == nil {
		return ""
	}
	v, _ := srv.cfg.SNI(c.info)
	return v
}

// sniConfigs caches one client configuration per server name a server
// is sent, so that a handshake does not copy the configuration; they
// share the server's session cache. Bounded: past maxSNIConfigs names
// each connection gets its own copy.
type sniConfigs struct {
	mu sync.Mutex
	m  map[string]*tls.Config
}

const maxSNIConfigs = 1024

func (s *server) tlsConfig(sni string) *tls.Config {
	if sni == "" {
		return s.cfg.TLS
	}
	sc := &s.sniConfs
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if c := sc.m[sni]; c != nil {
		return c
	}
	c := s.cfg.TLS.Clone()
	c.ServerName = sni
	if sc.m == nil {
		sc.m = map[string]*tls.Config{}
	}
	if len(sc.m) < maxSNIConfigs {
		sc.m[sni] = c
	}
	return c
}

// startTLS runs the client handshake on t, bounded by what is left of the
// connect timeout (started at start).
func (s *server) startTLS(t *tconn, sni string, start time.Time, timeout time.Duration) error {
	sock := &tlsSock{TCPConn: t.TCPConn, in: tlsconf.HelloRandom{Server: true}}
	sock.io.initRW(sock.TCPConn)
	sock.out.KeepHello = s.cfg.TLSKeys != nil // the ticket a resumption offers
	if k := s.cfg.TLSKeys; k != nil && k.UniqueID {
		sock.inTap.On, sock.outTap.On = true, true // the Finished messages
	}
	tc := tls.Client(sock, s.tlsConfig(sni))
	t.tls, t.sni = tc, sni
	t.io.raw = nil
	if timeout > 0 {
		t.setRead(start.Add(timeout))
		t.setWrite(start.Add(timeout))
	}
	if err := tc.Handshake(); err != nil {
		return err
	}
	t.randoms = sock.randoms(false)
	if s.cfg.TLSKeys != nil {
		st := tc.ConnectionState()
		t.sessionKey, t.finished = s.cfg.TLSKeys.Read(&st, t.randoms, sock.out.Hello, sock.inTap.Take(), sock.outTap.Take())
	}
	if s.tlsc != nil && !tc.ConnectionState().DidResume {
		s.tlsc.beKeys.add(time.Now())
	}
	if timeout > 0 {
		t.setRead(time.Time{})
		t.setWrite(time.Time{})
	}
	return nil
}
