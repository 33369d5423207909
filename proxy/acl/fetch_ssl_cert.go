package acl

import (
	"crypto/x509"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// More client-certificate fetches (HAProxy 2.6 ssl_sample.c): the DER,
// the validity dates as OpenSSL's ASN1 time text, the version, and the
// OpenSSL short names of the signature and key algorithms; and the
// symmetric key sizes of the negotiated cipher.
func init() {
	str, sint, bin := haproxy.SampleStr, haproxy.SampleSInt, haproxy.SampleBin
	rows := map[string]fetchDef{
		"ssl_c_der": {out: bin, build: noArgs(clientCert(func(c *x509.Certificate) (value, bool) {
			return value{t: bin, s: string(c.Raw)}, true
		}))},
		"ssl_c_notafter": {out: str, build: noArgs(clientCert(func(c *x509.Certificate) (value, bool) {
			return asn1TimeText(c.NotAfter)
		}))},
		"ssl_c_notbefore": {out: str, build: noArgs(clientCert(func(c *x509.Certificate) (value, bool) {
			return asn1TimeText(c.NotBefore)
		}))},
		"ssl_c_version": {out: sint, build: noArgs(clientCert(func(c *x509.Certificate) (value, bool) {
			return value{t: sint, i: int64(c.Version)}, true
		}))},
		"ssl_c_sig_alg": {out: str, build: noArgs(clientCert(func(c *x509.Certificate) (value, bool) {
			return strValue(tlsconf.SigAlgName(c)), true
		}))},
		"ssl_c_key_alg": {out: str, build: noArgs(clientCert(func(c *x509.Certificate) (value, bool) {
			n, ok := tlsconf.KeyAlgName(c)
			return strValue(n), ok
		}))},
		"ssl_fc_use_keysize": {out: sint, build: noArgs(cipherKeySize)},
		"ssl_fc_alg_keysize": {out: sint, build: noArgs(cipherKeySize)},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// asn1TimeText is the date as the certificate's UTCTime text
// (YYMMDDhhmmssZ), which HAProxy returns for the years 1950 to 2049; a
// date outside has no sample here (HAProxy would give its
// GeneralizedTime text, which goha does not keep).
func asn1TimeText(t time.Time) (value, bool) {
	t = t.UTC()
	if t.Year() < 1950 || t.Year() > 2049 {
		return value{}, false
	}
	return strValue(t.Format("060102150405Z")), true
}

// cipherKeySize is the symmetric key size in bits of the connection's
// cipher, read from its OpenSSL name.
func cipherKeySize(r *proxy.RequestInfo, yield func(value) bool) bool {
	if r.TLS == nil {
		return false
	}
	bits := tlsconf.CipherBits(r.TLS.CipherSuite)
	return bits > 0 && yield(value{t: haproxy.SampleSInt, i: int64(bits)})
}
