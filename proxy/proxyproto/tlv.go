package proxyproto

import (
	"encoding/binary"
	"hash/crc32"
	"net/netip"
)

// The TLV types and SSL sub-types HAProxy 2.6 sends (PP2_TYPE_*,
// PP2_SUBTYPE_SSL_*), and the SSL TLV's client flags.
const (
	tlvALPN        = 0x01
	tlvSSL         = 0x20
	subSSLVersion  = 0x21
	subSSLCN       = 0x22
	subSSLCipher   = 0x23
	subSSLSigAlg   = 0x24
	subSSLKeyAlg   = 0x25
	clientSSL      = 0x01
	clientCertConn = 0x02
	clientCertSess = 0x04
)

// V2Options are the TLVs a server's `proxy-v2-options` (and
// send-proxy-v2-ssl, send-proxy-v2-ssl-cn) ask for.
type V2Options struct {
	CRC32C, Authority, UniqueID bool
	SSL, SSLCN, SSLCipher       bool
	// SSLSigAlg, SSLKeyAlg: cert-sig and cert-key, which describe the
	// certificate the bind served (not the client's).
	SSLSigAlg, SSLKeyAlg bool
}

// V2Client is what the TLVs tell of the client's connection.
type V2Client struct {
	// UniqueID is the transaction's unique-id ("" without a format:
	// HAProxy then sends the TLV empty).
	UniqueID string
	// TLS is the client's TLS session; nil: clear text.
	TLS *V2TLS
}

// V2TLS is the client side's TLS as the TLVs carry it.
type V2TLS struct {
	Version, Cipher, ALPN, SNI string // OpenSSL's names; "" = none
	// CertSess: the session had a client certificate (CertConn: sent on
	// this connection); Verify is its OpenSSL verify result.
	CertSess, CertConn bool
	Verify             uint32
	CN                 string // the client certificate's subject CN
	// SigAlg and KeyAlg are the served certificate's signature algorithm
	// (OpenSSL's short name) and key ("RSA2048", "EC256"); "" = none.
	SigAlg, KeyAlg string
}

// AppendV2TLV appends the v2 header HAProxy 2.6 builds
// (make_proxy_line_v2): the addresses as AppendV2, then CRC32C, ALPN (a
// TLS client's, whatever the options), AUTHORITY (the client's SNI),
// UNIQUE_ID and SSL in this order, the CRC computed over the whole
// header last.
func AppendV2TLV(out []byte, src, dst netip.AddrPort, o V2Options, c V2Client) []byte {
	start := len(out)
	out = AppendV2(out, src, dst)
	crcAt := -1
	if o.CRC32C {
		out = appendTLV(out, tlvCRC32C, []byte{0, 0, 0, 0})
		crcAt = len(out) - 4
	}
	t := c.TLS
	if t != nil && t.ALPN != "" {
		out = appendTLV(out, tlvALPN, []byte(t.ALPN))
	}
	if o.Authority && t != nil && t.SNI != "" {
		out = appendTLV(out, tlvAuthority, []byte(t.SNI))
	}
	if o.UniqueID {
		out = appendTLV(out, tlvUniqueID, []byte(c.UniqueID))
	}
	if o.SSL {
		out = appendSSL(out, o, t)
	}
	binary.BigEndian.PutUint16(out[start+14:], uint16(len(out)-start-16))
	if crcAt >= 0 {
		binary.BigEndian.PutUint32(out[crcAt:], crc32.Checksum(out[start:], castagnoli))
	}
	return out
}

// appendSSL appends the SSL TLV: client flags and verify result, then
// the version, CN, key, signature and cipher sub-TLVs of a TLS client.
func appendSSL(out []byte, o V2Options, t *V2TLS) []byte {
	at := len(out)
	out = append(out, tlvSSL, 0, 0, 0, 0, 0, 0, 0)
	if t != nil {
		flags := byte(clientSSL)
		if t.Version != "" {
			out = appendTLV(out, subSSLVersion, []byte(t.Version))
		}
		if t.CertSess {
			flags |= clientCertSess
			binary.BigEndian.PutUint32(out[at+4:], t.Verify)
			if t.CertConn {
				flags |= clientCertConn
			}
		}
		if o.SSLCN && t.CN != "" {
			out = appendTLV(out, subSSLCN, []byte(t.CN))
		}
		if o.SSLKeyAlg && t.KeyAlg != "" {
			out = appendTLV(out, subSSLKeyAlg, []byte(t.KeyAlg))
		}
		if o.SSLSigAlg && t.SigAlg != "" {
			out = appendTLV(out, subSSLSigAlg, []byte(t.SigAlg))
		}
		if o.SSLCipher && t.Cipher != "" {
			out = appendTLV(out, subSSLCipher, []byte(t.Cipher))
		}
		out[at+3] = flags
	}
	binary.BigEndian.PutUint16(out[at+1:], uint16(len(out)-at-3))
	return out
}

func appendTLV(out []byte, typ byte, v []byte) []byte {
	out = append(out, typ)
	out = binary.BigEndian.AppendUint16(out, uint16(len(v)))
	return append(out, v...)
}
