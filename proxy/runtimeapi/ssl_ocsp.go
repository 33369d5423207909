package runtimeapi

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// `show ssl ocsp-response [<id>]` and `set ssl ocsp-response <base64>`
// over the stapled responses of the certificate registry
// (tlsconf/ocsp_runtime.go). HAProxy 2.6 gives both to every level.

func init() {
	commands = append(commands[:len(commands)-3:len(commands)-3], append([]*command{
		{words: []string{"set", "ssl", "ocsp-response"}, usage: "set ssl ocsp-response <resp|payload>", desc: "update a certificate's OCSP Response from a base64-encode DER", run: cmdSetOCSPResponse},
		{words: []string{"show", "ssl", "ocsp-response"}, usage: "show ssl ocsp-response [id]", desc: "display the IDs of the OCSP responses used in memory, or the details of a single OCSP response", run: cmdShowOCSPResponse},
	}, commands[len(commands)-3:]...)...)
	listed := commands[:len(commands)-3]
	sort.SliceStable(listed, func(i, j int) bool { return listed[i].usage < listed[j].usage })
}

func cmdSetOCSPResponse(s *Session, args []string) string {
	payload := arg(args, 3)
	if s.payload != nil {
		payload = *s.payload
	}
	payload = strings.NewReplacer("\r", "", "\n", "").Replace(payload)
	if payload == "" {
		return "'set ssl ocsp-response' expects response in base64 encoding.\n"
	}
	der, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return "'set ssl ocsp-response' received invalid base64 encoded response.\n"
	}
	if err := registry(s).SetOCSPResponse(der, time.Now()); err != nil {
		return err.Error() + ".\n" // HAProxy appends the dot even after one
	}
	return "OCSP Response updated!\n"
}

func cmdShowOCSPResponse(s *Session, args []string) string {
	entries := registry(s).OCSPResponses()
	if id := arg(args, 3); id != "" {
		for _, e := range entries {
			if strings.EqualFold(hex.EncodeToString(e.Key), id) {
				if text, ok := tlsconf.OCSPText(e.Response); ok {
					return text
				}
				// A response goha cannot print as OpenSSL does: its
				// size, never other data.
				return fmt.Sprintf("OCSP Response Data: %d bytes (goha prints only responses with plain certificates and no extensions but nonces)\n", len(e.Response))
			}
		}
		return "Certificate ID does not match any certificate.\n"
	}
	if len(entries) == 0 {
		return "" // HAProxy 2.6 prints no title then
	}
	var b strings.Builder
	b.WriteString("# Certificate IDs\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "Certificate ID key : %x\n Certificate ID:\n   Issuer Name Hash: %X\n   Issuer Key Hash: %X\n   Serial Number: %s\n",
			e.Key, e.NameHash, e.KeyHash, asn1IntegerHex(e.Serial.Bytes()))
	}
	return b.String()
}

// asn1IntegerHex is OpenSSL's i2a_ASN1_INTEGER of a non-negative
// integer: upper-case hex, two digits a byte, "00" for zero.
func asn1IntegerHex(b []byte) string {
	if len(b) == 0 {
		return "00"
	}
	return fmt.Sprintf("%X", b)
}
