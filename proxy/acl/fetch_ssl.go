package acl

import (
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// The TLS fetches of the client connection a bind terminated
// (ssl_fc_cipher, ssl_fc_has_crt) and of its client certificate
// (ssl_c_*), in HAProxy 2.6's types and formats. A certificate that fails
// verification reaches a request only through ca-ignore-err or
// crt-ignore-err; ssl_c_verify, ssl_c_err, ssl_c_ca_err and
// ssl_c_ca_err_depth then report its OpenSSL error codes
// (tlsconf.ClientVerify), and are 0 otherwise.
func init() {
	str, sint, bin, boolean := haproxy.SampleStr, haproxy.SampleSInt, haproxy.SampleBin, haproxy.SampleBool
	rows := map[string]fetchDef{
		"ssl_fc_cipher": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && yield(strValue(tlsconf.OpenSSLName(r.TLS.CipherSuite)))
		})},
		"ssl_fc_alpn": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && r.TLS.NegotiatedProtocol != "" && yield(strValue(r.TLS.NegotiatedProtocol))
		})},
		"ssl_fc_has_sni": {out: boolean, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && yield(boolValue(r.TLS.ServerName != ""))
		})},
		"ssl_fc_is_resumed": {out: boolean, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			// false in clear text, as HAProxy 2.6 answers (measured)
			return yield(boolValue(r.TLS != nil && r.TLS.DidResume))
		})},
		// The hellos' randoms, picked out of the handshake's bytes
		// (tlsconf.HelloRandom).
		"ssl_fc_client_random": {out: bin, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && r.FrontRandoms[0] != nil && yield(value{t: bin, s: string(r.FrontRandoms[0])})
		})},
		"ssl_fc_server_random": {out: bin, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && r.FrontRandoms[1] != nil && yield(value{t: bin, s: string(r.FrontRandoms[1])})
		})},
		// ssl_fc_err and ssl_fc_err_str: fetch_connerr.go.
		// A certificate was presented: on this connection (has_crt) or in
		// its session (used: a resumed session keeps it).
		"ssl_fc_has_crt": {out: boolean, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && yield(boolValue(!r.TLS.DidResume && len(r.TLS.PeerCertificates) > 0))
		})},
		"ssl_c_used": {out: boolean, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && yield(boolValue(len(r.TLS.PeerCertificates) > 0))
		})},
		"ssl_c_verify": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && yield(value{t: haproxy.SampleSInt, i: int64(r.TLSErrors.Verify)})
		})},
		"ssl_c_err": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && yield(value{t: haproxy.SampleSInt, i: int64(r.TLSErrors.Err)})
		})},
		"ssl_c_ca_err": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && yield(value{t: haproxy.SampleSInt, i: int64(r.TLSErrors.CAErr)})
		})},
		"ssl_c_ca_err_depth": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return r.TLS != nil && yield(value{t: haproxy.SampleSInt, i: int64(r.TLSErrors.CAErrDepth)})
		})},
		"ssl_c_sha1": {out: bin, build: noArgs(clientCert(func(c *x509.Certificate) (value, bool) {
			sum := sha1.Sum(c.Raw)
			return value{t: haproxy.SampleBin, s: string(sum[:])}, true
		}))},
		// The serial's magnitude, big-endian, as OpenSSL stores an
		// ASN1_INTEGER.
		"ssl_c_serial": {out: bin, build: noArgs(clientCert(func(c *x509.Certificate) (value, bool) {
			return value{t: haproxy.SampleBin, s: string(c.SerialNumber.Bytes())}, true
		}))},
		"ssl_c_s_dn": {out: str, build: dnFetch(func(c *x509.Certificate) pkix.RDNSequence { return rdns(c.RawSubject) })},
		"ssl_c_i_dn": {out: str, build: dnFetch(func(c *x509.Certificate) pkix.RDNSequence { return rdns(c.RawIssuer) })},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

func boolValue(b bool) value {
	v := value{t: haproxy.SampleBool}
	if b {
		v.i = 1
	}
	return v
}

// clientCert is a fetch of the client certificate (none: no sample).
func clientCert(f func(*x509.Certificate) (value, bool)) fetchFunc {
	return certFetch(peerCert, f)
}

// certOf finds a certificate of the request's connections (nil: none).
type certOf func(*proxy.RequestInfo) *x509.Certificate

// peerCert is the client's certificate.
func peerCert(r *proxy.RequestInfo) *x509.Certificate {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil
	}
	return r.TLS.PeerCertificates[0]
}

// certFetch is a fetch of the certificate of (none: no sample).
func certFetch(of certOf, f func(*x509.Certificate) (value, bool)) fetchFunc {
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		c := of(r)
		if c == nil {
			return false
		}
		v, ok := f(c)
		return ok && yield(v)
	}
}

func rdns(raw []byte) pkix.RDNSequence {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return nil
	}
	return seq
}

// dnFetch builds ssl_c_s_dn/ssl_c_i_dn([<entry>[,<occ>[,<format>]]]):
// the whole name in OpenSSL's one-line form ("/C=FR/O=x/CN=y"), or with
// format rfc2253 ("CN=y,O=x,C=FR"); with an entry, that entry's value,
// occurrence occ (1 the first, -1 the last; default 1).
func dnFetch(name func(*x509.Certificate) pkix.RDNSequence) func([]haproxy.Arg) (fetchFunc, error) {
	return dnFetchOf(peerCert, name)
}

// dnFetchOf is dnFetch on the certificate of.
func dnFetchOf(of certOf, name func(*x509.Certificate) pkix.RDNSequence) func([]haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) {
		entry, occ, format := "", 1, ""
		if len(args) > 0 {
			entry = strings.TrimSpace(args[0].Str)
		}
		if len(args) > 1 && strings.TrimSpace(args[1].Str) != "" {
			if args[1].Kind != haproxy.ArgSInt {
				return nil, fmt.Errorf("occurrence %q is not an integer", args[1].Str)
			}
			occ = int(args[1].Int)
		}
		if len(args) > 2 {
			format = strings.TrimSpace(args[2].Str)
			if format != "" && format != "rfc2253" {
				return nil, fmt.Errorf("format %q: only rfc2253 is supported", format)
			}
		}
		if len(args) > 3 {
			return nil, fmt.Errorf("too many arguments")
		}
		return certFetch(of, func(c *x509.Certificate) (value, bool) {
			seq := name(c)
			if seq == nil {
				return value{}, false
			}
			if entry != "" {
				v, ok := DNEntry(seq, entry, occ)
				return strValue(v), ok
			}
			if format == "rfc2253" {
				return strValue(DNRFC2253(seq)), true
			}
			return strValue(DNOneLine(seq)), true
		}), nil
	}
}

// oidShort are OpenSSL's short names of the usual name attributes; an
// attribute without one is written as its dotted OID.
var oidShort = map[string]string{
	"2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C", "2.5.4.7": "L",
	"2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "title",
	"2.5.4.17": "postalCode", "2.5.4.42": "GN", "2.5.4.43": "initials", "2.5.4.46": "dnQualifier",
	"2.5.4.65": "pseudonym", "1.2.840.113549.1.9.1": "emailAddress",
	"0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
}

func attrName(t asn1.ObjectIdentifier) string {
	if n, ok := oidShort[t.String()]; ok {
		return n
	}
	return t.String()
}

func attrValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// DNOneLine is HAProxy's one-line form of a name: each attribute in
// order as "/<short name>=<value>".
func DNOneLine(seq pkix.RDNSequence) string {
	var b strings.Builder
	for _, rdn := range seq {
		for _, a := range rdn {
			b.WriteString("/")
			b.WriteString(attrName(a.Type))
			b.WriteString("=")
			b.WriteString(attrValue(a.Value))
		}
	}
	return b.String()
}

// DNEntry is the value of the occ-th attribute named entry (a short name
// or a dotted OID, compared without case as HAProxy compares them: "cn"
// is CN): 1 the first, -1 the last.
func DNEntry(seq pkix.RDNSequence, entry string, occ int) (string, bool) {
	var vals []string
	for _, rdn := range seq {
		for _, a := range rdn {
			if strings.EqualFold(attrName(a.Type), entry) || a.Type.String() == entry {
				vals = append(vals, attrValue(a.Value))
			}
		}
	}
	switch {
	case occ > 0 && occ <= len(vals):
		return vals[occ-1], true
	case occ < 0 && -occ <= len(vals):
		return vals[len(vals)+occ], true
	}
	return "", false
}

// DNRFC2253 is OpenSSL's RFC 2253 form: the attributes last first (the
// ones of a multi-valued RDN too), joined by "," or, within one RDN, by
// "+", special characters escaped.
func DNRFC2253(seq pkix.RDNSequence) string {
	var b strings.Builder
	for i := len(seq) - 1; i >= 0; i-- {
		for j := len(seq[i]) - 1; j >= 0; j-- {
			switch {
			case j < len(seq[i])-1:
				b.WriteByte('+')
			case b.Len() > 0:
				b.WriteByte(',')
			}
			a := seq[i][j]
			b.WriteString(attrName(a.Type) + "=" + escape2253(attrValue(a.Value)))
		}
	}
	return b.String()
}

func escape2253(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte(",+\"\\<>;", c) >= 0,
			(c == '#' || c == ' ') && i == 0,
			c == ' ' && i == len(s)-1:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
