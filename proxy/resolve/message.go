// Package resolve is the DNS side of HAProxy's `resolvers`: the query a
// server's resolution sends, the reading of the answer into the outcome
// HAProxy counts (valid, nx, refused, other, invalid, truncated), and the
// choice of a server address from the records. No I/O: the runtime sends
// and receives the bytes.
package resolve

import (
	"errors"
	"net/netip"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// Outcome is how one answer counts in `show resolvers`.
type Outcome int

// The outcomes, named after HAProxy's counters.
const (
	Valid     Outcome = iota // an answer with records of the asked type
	NX                       // NXDOMAIN
	Refused                  // REFUSED
	Other                    // any other error code
	Invalid                  // unreadable, or not an answer to the question
	Truncated                // TC set
	Empty                    // NOERROR without records of the type: try the other family
)

// Query builds a recursive question for name and type (A or AAAA). A
// payload size above 512 is announced in an EDNS0 OPT record, as HAProxy
// does with accepted_payload_size.
func Query(id uint16, name string, aaaa bool, payload int) ([]byte, error) {
	t := dnsmessage.TypeA
	if aaaa {
		t = dnsmessage.TypeAAAA
	}
	return query(id, name, t, payload)
}

func query(id uint16, name string, t dnsmessage.Type, payload int) ([]byte, error) {
	n, err := dnsmessage.NewName(fqdn(name))
	if err != nil {
		return nil, err
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 64), dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(dnsmessage.Question{Name: n, Type: t, Class: dnsmessage.ClassINET}); err != nil {
		return nil, err
	}
	if payload > 512 {
		if err := b.StartAdditionals(); err != nil {
			return nil, err
		}
		var h dnsmessage.ResourceHeader
		if err := h.SetEDNS0(payload, dnsmessage.RCodeSuccess, false); err != nil {
			return nil, err
		}
		if err := b.OPTResource(h, dnsmessage.OPTResource{}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

func fqdn(name string) string {
	if !strings.HasSuffix(name, ".") {
		return name + "."
	}
	return name
}

var errNotOurs = errors.New("resolve: not the answer to our question")

// Read reads an answer to Query(id, name, aaaa): its outcome and, when
// Valid, the addresses of the asked family in answer order. err is
// errNotOurs for a message with another id (to be ignored, not counted).
func Read(msg []byte, id uint16, name string, aaaa bool) (Outcome, []netip.Addr, error) {
	var p dnsmessage.Parser
	if out, err := start(&p, msg, id, name, true); out != Valid || err != nil {
		return out, nil, err
	}
	var addrs []netip.Addr
	for {
		rh, err := p.AnswerHeader()
		if err == dnsmessage.ErrSectionDone {
			break
		}
		if err != nil {
			return Invalid, nil, nil
		}
		switch {
		case rh.Type == dnsmessage.TypeA && !aaaa:
			r, err := p.AResource()
			if err != nil {
				return Invalid, nil, nil
			}
			addrs = append(addrs, netip.AddrFrom4(r.A))
		case rh.Type == dnsmessage.TypeAAAA && aaaa:
			r, err := p.AAAAResource()
			if err != nil {
				return Invalid, nil, nil
			}
			addrs = append(addrs, netip.AddrFrom16(r.AAAA))
		default:
			if err := p.SkipAnswer(); err != nil {
				return Invalid, nil, nil
			}
		}
	}
	if len(addrs) == 0 {
		return Empty, nil, nil
	}
	return Valid, addrs, nil
}

// start reads the header and the question of an answer to (id, name):
// Valid when its records can be read next. A truncated answer is
// refused with refuseTrunc, and read otherwise (HAProxy reads a
// truncated SRV answer).
func start(p *dnsmessage.Parser, msg []byte, id uint16, name string, refuseTrunc bool) (Outcome, error) {
	h, err := p.Start(msg)
	if err != nil {
		return Invalid, nil
	}
	if h.ID != id {
		return Invalid, errNotOurs
	}
	if !h.Response {
		return Invalid, nil
	}
	switch h.RCode {
	case dnsmessage.RCodeSuccess:
	case dnsmessage.RCodeNameError:
		return NX, nil
	case dnsmessage.RCodeRefused:
		return Refused, nil
	default:
		return Other, nil
	}
	if h.Truncated && refuseTrunc {
		return Truncated, nil
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 || !strings.EqualFold(qs[0].Name.String(), fqdn(name)) {
		return Invalid, nil
	}
	return Valid, nil
}

// IsForeign says whether Read's error means the message was not ours.
func IsForeign(err error) bool { return err == errNotOurs }
