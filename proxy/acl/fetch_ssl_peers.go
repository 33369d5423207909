package acl

import (
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// The certificate fetches of the other ends of HAProxy 2.6's
// ssl_sample.c: ssl_f_* read the certificate the bind presented to the
// client, ssl_s_* the one the server presented on the connection its
// response came from, and ssl_bc_* that connection's TLS state. Before a
// server connection exists (a frontend's http-request rules) ssl_s_*
// have no value, as HAProxy's; ssl_bc_* are refused there, as HAProxy
// refuses them (place.go).
func init() {
	str, sint, bin, boolean := haproxy.SampleStr, haproxy.SampleSInt, haproxy.SampleBin, haproxy.SampleBool
	rows := map[string]fetchDef{}
	for prefix, of := range map[string]certOf{"ssl_f_": frontCert, "ssl_s_": serverCert} {
		rows[prefix+"der"] = fetchDef{out: bin, build: noArgs(certFetch(of, func(c *x509.Certificate) (value, bool) {
			return value{t: bin, s: string(c.Raw)}, true
		}))}
		rows[prefix+"sha1"] = fetchDef{out: bin, build: noArgs(certFetch(of, func(c *x509.Certificate) (value, bool) {
			sum := sha1.Sum(c.Raw)
			return value{t: bin, s: string(sum[:])}, true
		}))}
		rows[prefix+"serial"] = fetchDef{out: bin, build: noArgs(certFetch(of, func(c *x509.Certificate) (value, bool) {
			return value{t: bin, s: string(c.SerialNumber.Bytes())}, true
		}))}
		rows[prefix+"notafter"] = fetchDef{out: str, build: noArgs(certFetch(of, func(c *x509.Certificate) (value, bool) {
			return asn1TimeText(c.NotAfter)
		}))}
		rows[prefix+"notbefore"] = fetchDef{out: str, build: noArgs(certFetch(of, func(c *x509.Certificate) (value, bool) {
			return asn1TimeText(c.NotBefore)
		}))}
		rows[prefix+"version"] = fetchDef{out: sint, build: noArgs(certFetch(of, func(c *x509.Certificate) (value, bool) {
			return value{t: sint, i: int64(c.Version)}, true
		}))}
		rows[prefix+"sig_alg"] = fetchDef{out: str, build: noArgs(certFetch(of, func(c *x509.Certificate) (value, bool) {
			return strValue(tlsconf.SigAlgName(c)), true
		}))}
		rows[prefix+"key_alg"] = fetchDef{out: str, build: noArgs(certFetch(of, func(c *x509.Certificate) (value, bool) {
			n, ok := tlsconf.KeyAlgName(c)
			return strValue(n), ok
		}))}
		rows[prefix+"s_dn"] = fetchDef{out: str, build: dnFetchOf(of, func(c *x509.Certificate) pkix.RDNSequence { return rdns(c.RawSubject) })}
		rows[prefix+"i_dn"] = fetchDef{out: str, build: dnFetchOf(of, func(c *x509.Certificate) pkix.RDNSequence { return rdns(c.RawIssuer) })}
	}
	// The server's chain as it sent it, its certificate first, each in
	// DER one after the other.
	rows["ssl_s_chain_der"] = fetchDef{out: bin, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		st := r.ServerTLS()
		if st == nil || len(st.PeerCertificates) == 0 {
			return false
		}
		var b []byte
		for _, c := range st.PeerCertificates {
			b = append(b, c.Raw...)
		}
		return yield(value{t: bin, s: string(b)})
	})}
	bc := func(out haproxy.SampleType, f func(st *tls.ConnectionState, yield func(value) bool) bool) fetchDef {
		return fetchDef{out: out, use: useServerConn, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			st := r.ServerTLS()
			return st != nil && f(st, yield)
		})}
	}
	// ssl_bc is a sample wherever a server connection may be: false
	// without one or in clear text.
	rows["ssl_bc"] = fetchDef{out: boolean, use: useServerConn, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return yield(boolValue(r.ServerTLS() != nil))
	})}
	rows["ssl_bc_alpn"] = bc(str, func(st *tls.ConnectionState, yield func(value) bool) bool {
		return st.NegotiatedProtocol != "" && yield(strValue(st.NegotiatedProtocol))
	})
	rows["ssl_bc_cipher"] = bc(str, func(st *tls.ConnectionState, yield func(value) bool) bool {
		return yield(strValue(tlsconf.OpenSSLName(st.CipherSuite)))
	})
	rows["ssl_bc_protocol"] = bc(str, func(st *tls.ConnectionState, yield func(value) bool) bool {
		return yield(strValue(tlsconf.VersionName(st.Version)))
	})
	// false too without TLS, as HAProxy's
	rows["ssl_bc_is_resumed"] = fetchDef{out: boolean, use: useServerConn, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		st := r.ServerTLS()
		return yield(boolValue(st != nil && st.DidResume))
	})}
	keySize := bc(sint, func(st *tls.ConnectionState, yield func(value) bool) bool {
		bits := tlsconf.CipherBits(st.CipherSuite)
		return bits > 0 && yield(value{t: sint, i: int64(bits)})
	})
	rows["ssl_bc_use_keysize"], rows["ssl_bc_alg_keysize"] = keySize, keySize
	for i, name := range []string{"ssl_bc_client_random", "ssl_bc_server_random"} {
		rows[name] = fetchDef{out: bin, use: useServerConn, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			rnd := r.ServerRandoms()[i]
			return rnd != nil && yield(value{t: bin, s: string(rnd)})
		})}
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// frontCert is the certificate the bind presented on the client's
// connection.
func frontCert(r *proxy.RequestInfo) *x509.Certificate {
	if r.TLS == nil {
		return nil
	}
	return tlsconf.Leaf(r.FrontCert)
}

// serverCert is the certificate the server presented on the connection
// the response came from.
func serverCert(r *proxy.RequestInfo) *x509.Certificate {
	st := r.ServerTLS()
	if st == nil || len(st.PeerCertificates) == 0 {
		return nil
	}
	return st.PeerCertificates[0]
}
