package tlsconf

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"
)

// OCSPText is OpenSSL's OCSP_RESPONSE_print of a successful basic
// response, which HAProxy 2.6's `show ssl ocsp-response <id>` shows. ok
// is false for what goha does not print as OpenSSL does: extensions
// but nonces, certificates in the response, unknown
// algorithms.
func OCSPText(der []byte) (text string, ok bool) {
	var r ocspResponse
	var b ocspBasicResponse
	if _, err := asn1.Unmarshal(der, &r); err != nil || r.Status != 0 || !r.Bytes.Type.Equal(oidOCSPBasic) {
		return "", false
	}
	if _, err := asn1.Unmarshal(r.Bytes.Response, &b); err != nil {
		return "", false
	}
	var certs strings.Builder
	for _, c := range b.Certs {
		t, ok := certText(c.FullBytes)
		if !ok {
			return "", false
		}
		certs.WriteString(t)
	}
	respExts, ok := extensionsText("Response Extensions", b.TBS.Extensions, 4)
	if !ok {
		return "", false
	}
	sigAlg, ok := sigAlgNames[b.Algorithm.Algorithm.String()]
	if !ok {
		return "", false
	}
	var s strings.Builder
	fmt.Fprintf(&s, "OCSP Response Data:\n    OCSP Response Status: successful (0x0)\n    Response Type: Basic OCSP Response\n")
	fmt.Fprintf(&s, "    Version: %d (0x%x)\n    Responder Id: ", b.TBS.Version+1, b.TBS.Version)
	switch rid := b.TBS.ResponderID; rid.Tag {
	case 1: // byName
		name, ok := nameOneLine(rid.Bytes)
		if !ok {
			return "", false
		}
		s.WriteString(name)
	case 2: // byKey: an OCTET STRING
		var key []byte
		if _, err := asn1.Unmarshal(rid.Bytes, &key); err != nil {
			return "", false
		}
		fmt.Fprintf(&s, "%X", key)
	default:
		return "", false
	}
	fmt.Fprintf(&s, "\n    Produced At: %s\n    Responses:\n", opensslTime(b.TBS.ProducedAt))
	for _, sr := range b.TBS.Responses {
		hash, ok := hashNames[sr.CertID.HashAlgorithm.Algorithm.String()]
		exts, extOK := extensionsText("Response Single Extensions", sr.Extensions, 8)
		if !ok || !extOK || sr.CertID.Serial == nil || sr.CertID.Serial.Sign() < 0 {
			return "", false
		}
		serial := fmt.Sprintf("%X", sr.CertID.Serial.Bytes())
		if serial == "" {
			serial = "00"
		}
		fmt.Fprintf(&s, "    Certificate ID:\n      Hash Algorithm: %s\n      Issuer Name Hash: %X\n      Issuer Key Hash: %X\n      Serial Number: %s\n",
			hash, sr.CertID.NameHash, sr.CertID.KeyHash, serial)
		switch {
		case bool(sr.Good):
			s.WriteString("    Cert Status: good")
		case len(sr.Revoked.FullBytes) > 0:
			rev, ok := revokedText(sr.Revoked.Bytes)
			if !ok {
				return "", false
			}
			s.WriteString("    Cert Status: revoked" + rev)
		default:
			s.WriteString("    Cert Status: unknown")
		}
		fmt.Fprintf(&s, "\n    This Update: %s", opensslTime(sr.ThisUpdate))
		if !sr.NextUpdate.IsZero() {
			fmt.Fprintf(&s, "\n    Next Update: %s", opensslTime(sr.NextUpdate))
		}
		s.WriteString("\n" + exts + " \n") // HAProxy 2.6 shows OpenSSL's blank line as " " (measured)
	}
	s.WriteString(respExts)
	fmt.Fprintf(&s, "    Signature Algorithm: %s\n    Signature Value:", sigAlg)
	s.WriteString(hexColumns(b.Signature.RightAlign(), 18, 8) + "\n" + certs.String())
	return s.String(), true
}

// oidOCSPNonce is id-pkix-ocsp-nonce.
var oidOCSPNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}

// extensionsText is X509V3_extensions_print of OCSP nonces, the one
// extension goha prints as OpenSSL does ("" for none): the title, then
// each extension's name and criticality and its value in hex
// (i2r_ocsp_nonce: the whole extension value, as i2a_ASN1_STRING writes
// it on one line up to 35 bytes). ok false for any other extension.
func extensionsText(title string, exts []pkix.Extension, indent int) (string, bool) {
	if len(exts) == 0 {
		return "", true
	}
	var s strings.Builder
	pad := strings.Repeat(" ", indent)
	s.WriteString(pad + title + ":\n")
	for _, e := range exts {
		if !e.Id.Equal(oidOCSPNonce) || len(e.Value) == 0 || len(e.Value) > 35 {
			return "", false
		}
		crit := ""
		if e.Critical {
			crit = "critical"
		}
		fmt.Fprintf(&s, "%s    OCSP Nonce: %s\n%s        %X\n", pad, crit, pad, e.Value)
	}
	return s.String(), true
}

// opensslTime is ASN1_GENERALIZEDTIME_print: "Dec  6 14:10:00 2026 GMT".
func opensslTime(t time.Time) string { return t.UTC().Format("Jan _2 15:04:05 2006 GMT") }

var sigAlgNames = map[string]string{
	"1.2.840.10045.4.3.2": "ecdsa-with-SHA256", "1.2.840.10045.4.3.3": "ecdsa-with-SHA384", "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
	"1.2.840.113549.1.1.11": "sha256WithRSAEncryption", "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
	"1.2.840.113549.1.1.13": "sha512WithRSAEncryption", "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
}

var hashNames = map[string]string{"1.3.14.3.2.26": "sha1", "2.16.840.1.101.3.4.2.1": "sha256"}

var rdnShortNames = map[string]string{"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU"}

// nameOneLine is X509_NAME_print_ex with XN_FLAG_ONELINE for plain
// names: "CN = CA, O = Example" (ok false: an attribute or value it
// would escape or name otherwise).
func nameOneLine(raw []byte) (string, bool) {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return "", false
	}
	var parts []string
	for _, rdn := range seq {
		for _, atv := range rdn {
			sn, ok := rdnShortNames[atv.Type.String()]
			v, str := atv.Value.(string)
			if !ok || !str || strings.ContainsAny(v, ",+\"\\<>;=#") || strings.TrimSpace(v) != v {
				return "", false
			}
			parts = append(parts, sn+" = "+v)
		}
	}
	return strings.Join(parts, ", "), true
}

// crlReasons are OCSP_crl_reason_str's names.
var crlReasons = map[int]string{0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged",
	4: "superseded", 5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL"}

// revokedText prints RevokedInfo's contents: its time and reason.
func revokedText(b []byte) (string, bool) {
	var at time.Time
	rest, err := asn1.UnmarshalWithParams(b, &at, "generalized")
	if err != nil {
		return "", false
	}
	out := "\n    Revocation Time: " + opensslTime(at)
	if len(rest) > 0 {
		var reason asn1.Enumerated
		if r, err := asn1.UnmarshalWithParams(rest, &reason, "explicit,tag:0"); err != nil || len(r) > 0 {
			return "", false
		}
		name, ok := crlReasons[int(reason)]
		if !ok {
			name = "(UNKNOWN)"
		}
		out += fmt.Sprintf("\n    Revocation Reason: %s (0x%x)", name, int(reason))
	}
	return out, true
}
