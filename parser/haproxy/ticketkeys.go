package haproxy

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// TicketKeysKept is HAProxy's TLS_TICKETS_NO (3 in Debian's build): a
// tls-ticket-keys file needs at least that many keys, the last ones are
// kept, the penultimate encrypts and all of them decrypt.
const TicketKeysKept = 3

// ParseTicketKeys reads a tls-ticket-keys file as HAProxy 2.6's
// bind_parse_tls_ticket_keys does: one base64 key per line (a final "\n"
// then "\r" stripped), each of 48 bytes (AES-128) or 80 (AES-256), all
// of the first key's size, at least TicketKeysKept of them. It returns the
// kept keys, the one that encrypts first, then the others; or HAProxy's
// message (without the file name) when the file is refused.
func ParseTicketKeys(data []byte) (keys [][]byte, msg string) {
	var all [][]byte
	size := 0
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		k, ok := ticketKeyDecode(line)
		switch {
		case !ok:
			return nil, fmt.Sprintf("unable to decode base64 key on line %d", n)
		case size == 0 && (len(k) == 48 || len(k) == 80):
			size = len(k)
		case size == 0 || len(k) != size:
			return nil, fmt.Sprintf("wrong sized key on line %d", n)
		}
		all = append(all, k)
	}
	if len(all) < TicketKeysKept {
		return nil, fmt.Sprintf("please supply at least %d keys in the tls-tickets-file", TicketKeysKept)
	}
	kept := all[len(all)-TicketKeysKept:]
	// The penultimate key encrypts, as HAProxy's tls_ticket_enc_index.
	enc := len(kept) - 2
	keys = append(keys, kept[enc])
	for i, k := range kept {
		if i != enc {
			keys = append(keys, k)
		}
	}
	return keys, ""
}

// ticketKeyDecode is HAProxy's base64dec into an 80-byte key slot: the
// length must be a multiple of 4 and the result must fit.
func ticketKeyDecode(line []byte) ([]byte, bool) {
	if len(line)%4 != 0 {
		return nil, false
	}
	k := make([]byte, base64.StdEncoding.DecodedLen(len(line)))
	n, err := base64.StdEncoding.Decode(k, line)
	if err != nil || n > 80 {
		return nil, false
	}
	return k[:n], true
}
