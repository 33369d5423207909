package check

import (
	"crypto/tls"
	"net"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// The check connection's fetches: HAProxy 2.6 evaluates a check's sample
// expressions (send-lf, set-var, on-success, ...) with the check as the
// session's origin, so the fetches of the server-side connection read the
// check's own connection: ssl_bc and ssl_bc_* its TLS state (check-ssl),
// bc_src/bc_dst and their ports its addresses (measured on 2.6.12:
// TestCheckConnFetchesMatchHAProxy). Before the first connect, or after a
// connect that failed, there is no connection: ssl_bc and
// ssl_bc_is_resumed are false, the others have no value. ssl_bc_* fetches
// goha does not give in a check are refused with the reason (connRefused).

// checkConn is what a check run's expressions know of its connection.
type checkConn struct {
	tls           *tls.ConnectionState
	randoms       [2][]byte // the ClientHello's and the ServerHello's
	local, remote net.Addr
	keys          *tlsFacts // with TLSKeys (tlskeys.go)
}

// newCheckConn reads c's addresses and, over TLS, its handshake's state
// and the randoms TLSDial's tap read off it.
func newCheckConn(c net.Conn) *checkConn {
	cc := &checkConn{local: c.LocalAddr(), remote: c.RemoteAddr()}
	if tc, ok := c.(*tls.Conn); ok {
		st := tc.ConnectionState()
		cc.tls = &st
		if t, ok := tc.NetConn().(*helloTap); ok {
			cc.randoms = [2][]byte{t.client.Random, t.server.Random}
			cc.local, cc.remote = t.Conn.LocalAddr(), t.Conn.RemoteAddr()
			cc.keys = t.keys
		}
	}
	return cc
}

// connFetch compiles a fetch of the check's connection (ok false: name
// is not one).
func connFetch(name string) (checkExpr, bool, error) {
	boolVal := func(b bool) checkVal {
		if b {
			return checkVal{n: 1, isInt: true}
		}
		return checkVal{isInt: true}
	}
	str := func(s string) checkVal { return checkVal{b: []byte(s)} }
	withTLS := func(f func(st *tls.ConnectionState) (checkVal, bool)) checkExpr {
		return func(env *checkEnv) (checkVal, bool) {
			if env.conn == nil || env.conn.tls == nil {
				return checkVal{}, false
			}
			return f(env.conn.tls)
		}
	}
	addr := func(local, port bool) checkExpr {
		return func(env *checkEnv) (checkVal, bool) {
			if env.conn == nil {
				return checkVal{}, false
			}
			a := env.conn.remote
			if local {
				a = env.conn.local
			}
			ta, ok := a.(*net.TCPAddr)
			if !ok {
				return checkVal{}, false
			}
			if port {
				return checkVal{n: int64(ta.Port), isInt: true}, true
			}
			ip := ta.IP
			if v4 := ip.To4(); v4 != nil {
				ip = v4
			}
			return str(ip.String()), true
		}
	}
	switch name {
	case "ssl_bc":
		return func(env *checkEnv) (checkVal, bool) {
			return boolVal(env.conn != nil && env.conn.tls != nil), true
		}, true, nil
	case "ssl_bc_is_resumed":
		return func(env *checkEnv) (checkVal, bool) {
			return boolVal(env.conn != nil && env.conn.tls != nil && env.conn.tls.DidResume), true
		}, true, nil
	case "ssl_bc_protocol":
		return withTLS(func(st *tls.ConnectionState) (checkVal, bool) {
			return str(tlsconf.VersionName(st.Version)), true
		}), true, nil
	case "ssl_bc_cipher":
		return withTLS(func(st *tls.ConnectionState) (checkVal, bool) {
			return str(tlsconf.OpenSSLName(st.CipherSuite)), true
		}), true, nil
	case "ssl_bc_alpn":
		return withTLS(func(st *tls.ConnectionState) (checkVal, bool) {
			return str(st.NegotiatedProtocol), st.NegotiatedProtocol != ""
		}), true, nil
	case "ssl_bc_use_keysize", "ssl_bc_alg_keysize":
		return withTLS(func(st *tls.ConnectionState) (checkVal, bool) {
			bits := tlsconf.CipherBits(st.CipherSuite)
			return checkVal{n: int64(bits), isInt: true}, bits > 0
		}), true, nil
	case "ssl_bc_client_random", "ssl_bc_server_random":
		i := 0
		if name == "ssl_bc_server_random" {
			i = 1
		}
		return func(env *checkEnv) (checkVal, bool) {
			if env.conn == nil || env.conn.randoms[i] == nil {
				return checkVal{}, false
			}
			return checkVal{b: env.conn.randoms[i]}, true
		}, true, nil
	case "ssl_bc_err":
		return withTLS(func(*tls.ConnectionState) (checkVal, bool) {
			return checkVal{isInt: true}, true
		}), true, nil
	case "ssl_bc_err_str", "ssl_bc_npn":
		return func(*checkEnv) (checkVal, bool) { return checkVal{}, false }, true, nil
	case "ssl_bc_session_id", "ssl_bc_session_key", "ssl_bc_unique_id":
		return func(env *checkEnv) (checkVal, bool) {
			if env.conn == nil || env.conn.keys == nil {
				return checkVal{}, false
			}
			var b []byte
			switch name {
			case "ssl_bc_session_id":
				b = env.conn.keys.sessionID()
			case "ssl_bc_session_key":
				b = env.conn.keys.sessionKey()
			default:
				b = env.conn.keys.finished
			}
			return checkVal{b: b}, len(b) > 0
		}, true, nil
	case "bc_src":
		return addr(true, false), true, nil
	case "bc_src_port":
		return addr(true, true), true, nil
	case "bc_dst":
		return addr(false, false), true, nil
	case "bc_dst_port":
		return addr(false, true), true, nil
	}
	return nil, false, nil
}
