package acl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// mqtt_is_valid and mqtt_field_value(<packet type>,<field>) read the
// first MQTT packet of a stream as HAProxy 2.6's mqtt.c does: only
// CONNECT and CONNACK (MQTT 3.1.1 and 5.0, properties included) are
// parsed, any other packet is invalid; a packet not all there yet has no
// value (and during tcp content inspection the rule waits). Values are
// text: numbers in decimal, strings as sent; an empty string field has
// no value.
func init() {
	bin := haproxy.SampleBin
	register(map[string]convDef{
		"mqtt_is_valid":    {in: bin, out: haproxy.SampleBool, rbuild: buildMQTTIsValid},
		"mqtt_field_value": {in: bin, out: bin, args: []argKind{argStr, argStr}, min: 2, rbuild: buildMQTTFieldValue},
	})
}

const (
	mqttConnect = 1
	mqttConnack = 2
	mqttV31     = 3
	mqttV311    = 4
	mqttV5      = 5

	mqttFlWill       = 0x04
	mqttFlWillQoS    = 0x18
	mqttFlWillRetain = 0x20
	mqttFlPassword   = 0x40
	mqttFlUsername   = 0x80
)

var mqttTypes = []string{"", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE",
	"SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"}

// mqttFixedFlags are the flags each packet type's first byte must carry.
var mqttFixedFlags = [16]byte{3: 0x0f, 6: 0x02, 8: 0x02, 10: 0x02}

// The fields mqtt_field_value knows per packet type; the MQTT 5.0
// properties go by their identifier in decimal.
var mqttFields = map[int][]string{
	mqttConnect: {"protocol_name", "protocol_version", "flags", "keepalive", "17", "33", "39", "34", "25", "23", "38",
		"21", "22", "client_identifier", "24", "1", "2", "3", "8", "9", "will_topic", "will_payload", "username", "password"},
	mqttConnack: {"flags", "protocol_version", "reason_code", "17", "33", "36", "37", "39", "18", "34", "31", "40", "41",
		"42", "19", "26", "28", "38", "21", "22"},
	3:  {"1", "2", "3", "8", "9", "11", "35", "38"},
	4:  {"reason_code", "31", "38"},
	5:  {"reason_code", "31", "38"},
	6:  {"reason_code", "31", "38"},
	7:  {"reason_code", "31", "38"},
	8:  {"11", "38"},
	9:  {"31", "38"},
	10: {"38"},
	11: {"31", "38"},
	14: {"reason_code", "17", "28", "31", "38"},
	15: {"21", "22", "31", "38"},
}

// mqttAllFields are every field name HAProxy knows, in its order: a name
// is looked up here first, then checked against the packet type.
var mqttAllFields = []string{"flags", "reason_code", "protocol_name", "protocol_version", "client_identifier",
	"will_topic", "will_payload", "username", "password", "keepalive", "1", "2", "3", "8", "9", "11", "17", "18", "19",
	"21", "22", "23", "24", "25", "26", "28", "31", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42"}

type mqttStatus int

const (
	mqttInvalid mqttStatus = iota
	mqttNeedMore
	mqttValid
)

// mqttPkt is what the parse keeps: the packet type and every field
// mqtt_field_value can return, as text ("" = none).
type mqttPkt struct {
	typ    int
	v5     bool
	fields map[string]string
}

// mqttReader walks a packet; ok turns false at the first read past its end.
type mqttReader struct {
	b  string
	ok bool
}

func (r *mqttReader) n(k int) string {
	if !r.ok || len(r.b) < k {
		r.ok = false
		return ""
	}
	s := r.b[:k]
	r.b = r.b[k:]
	return s
}

func (r *mqttReader) u8() uint32 {
	s := r.n(1)
	if s == "" {
		return 0
	}
	return uint32(s[0])
}

func (r *mqttReader) u16() uint32 {
	s := r.n(2)
	if s == "" {
		return 0
	}
	return uint32(s[0])<<8 | uint32(s[1])
}

func (r *mqttReader) u32() uint32 {
	s := r.n(4)
	if s == "" {
		return 0
	}
	return uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3])
}

func (r *mqttReader) str() string {
	l := r.u16()
	return r.n(int(l))
}

// varint is the remaining-length encoding: at most 4 bytes, a value
// read short of bytes is kept as read.
func (r *mqttReader) varint() uint32 {
	var v uint32
	m := uint(0)
	off := 0
	for ; off < 4 && r.ok && len(r.b) > 0; off++ {
		c := r.b[0]
		r.b = r.b[1:]
		v += uint32(c&127) << m
		m += 7
		if c <= 127 {
			break
		}
	}
	if off == 4 {
		r.ok = false
	}
	return v
}

// mqttProp reads the properties block of a packet into fields; kinds
// gives each allowed property's encoding ('1', '2', '4' bytes, 's'
// string, 'u' user property), bools the ones that must be 0 or 1,
// nonzero the ones that cannot be 0. False when the block is invalid;
// unknown is set when that is because of a property id it does not take.
func mqttProps(r *mqttReader, fields map[string]string, kinds map[byte]byte, bools, nonzero map[byte]bool, emptyBad map[byte]bool) (ok, unknown bool) {
	plen := r.varint()
	if !r.ok || uint32(len(r.b)) < plen {
		return false, false
	}
	p := &mqttReader{b: r.b[:plen], ok: true}
	r.b = r.b[plen:]
	seen := map[byte]bool{}
	for p.ok && len(p.b) > 0 {
		id := p.b[0]
		p.b = p.b[1:]
		kind, known := kinds[id]
		if !known {
			return false, true
		}
		if kind != 'u' && seen[id] {
			return false, false
		}
		seen[id] = true
		name := strconv.Itoa(int(id))
		var val string
		var num uint32
		switch kind {
		case '1':
			num = p.u8()
		case '2':
			num = p.u16()
		case '4':
			num = p.u32()
		case 's':
			val = p.str()
			if emptyBad[id] && val == "" {
				return false, false
			}
		case 'u':
			p.str()
			if !p.ok {
				return false, false
			}
			p.str()
			continue
		}
		if kind != 's' {
			if (bools[id] && num > 1) || (nonzero[id] && num == 0) {
				return false, false
			}
			val = strconv.FormatUint(uint64(num), 10)
		}
		if !p.ok {
			return false, false
		}
		fields[name] = val
	}
	return p.ok, false
}

var (
	mqttConnectProps = map[byte]byte{0x11: '4', 0x21: '2', 0x27: '4', 0x22: '2', 0x19: '1', 0x17: '1', 0x26: 'u', 0x15: 's', 0x16: 's'}
	mqttWillProps    = map[byte]byte{0x18: '4', 0x01: '1', 0x02: '4', 0x03: 's', 0x08: 's', 0x09: 's', 0x26: 'u'}
	mqttConnackProps = map[byte]byte{0x11: '4', 0x21: '2', 0x24: '1', 0x25: '1', 0x27: '4', 0x12: 's', 0x22: '2', 0x1f: 's',
		0x28: '1', 0x29: '1', 0x2a: '1', 0x13: '2', 0x1a: 's', 0x1c: 's', 0x26: 'u', 0x15: 's', 0x16: 's'}
)

func mqttParse(msg string) (mqttPkt, mqttStatus) {
	if len(msg) < 2 {
		return mqttPkt{}, mqttNeedMore
	}
	typ, flags := int(msg[0]>>4), msg[0]&0x0f
	if typ == 0 || flags != mqttFixedFlags[typ] {
		return mqttPkt{}, mqttInvalid
	}
	r := &mqttReader{b: msg[1:], ok: true}
	remaining := r.varint()
	if !r.ok {
		return mqttPkt{}, mqttInvalid
	}
	if uint32(len(r.b)) < remaining {
		return mqttPkt{}, mqttNeedMore
	}
	pkt := mqttPkt{typ: typ, fields: map[string]string{}}
	orig := len(r.b)
	done := func() (mqttPkt, mqttStatus) {
		if r.ok && uint32(orig-len(r.b)) == remaining {
			return pkt, mqttValid
		}
		return pkt, mqttInvalid
	}
	f := pkt.fields
	switch typ {
	case mqttConnect:
		name := r.str()
		if !r.ok || !strings.EqualFold(name, "MQTT") {
			return pkt, mqttInvalid
		}
		f["protocol_name"] = name
		ver := r.u8()
		// 2.6.12 takes MQTT 3.1 (version 3) as well, read as 3.1.1.
		if !r.ok || ver < mqttV31 || ver > mqttV5 {
			return pkt, mqttInvalid
		}
		pkt.v5 = ver == mqttV5
		fl := r.u8()
		if !r.ok || fl&0x01 != 0 || fl&(mqttFlWill|mqttFlWillQoS|mqttFlWillRetain) == mqttFlWillQoS {
			return pkt, mqttInvalid
		}
		ka := r.u16()
		if !r.ok {
			return pkt, mqttInvalid
		}
		f["protocol_version"], f["flags"], f["keepalive"] = fmt.Sprint(ver), fmt.Sprint(fl), fmt.Sprint(ka)
		if pkt.v5 {
			for _, k := range []string{"17", "33", "39", "34", "25", "23"} {
				f[k] = "0"
			}
			if ok, _ := mqttProps(r, f, mqttConnectProps, map[byte]bool{0x19: true, 0x17: true}, map[byte]bool{0x21: true, 0x27: true}, nil); !ok {
				return pkt, mqttInvalid
			}
		}
		if f["21"] == "" && f["22"] != "" {
			return pkt, mqttInvalid // authentication data without a method
		}
		f["client_identifier"] = r.str()
		if !r.ok {
			return pkt, mqttInvalid
		}
		if pkt.v5 && fl&mqttFlWill != 0 {
			for _, k := range []string{"24", "1", "2"} {
				f[k] = "0"
			}
			if ok, _ := mqttProps(r, f, mqttWillProps, map[byte]bool{0x01: true}, nil, nil); !ok {
				return pkt, mqttInvalid
			}
		}
		if fl&mqttFlWill != 0 {
			f["will_topic"], f["will_payload"] = r.str(), r.str()
		}
		if fl&mqttFlUsername != 0 {
			f["username"] = r.str()
		}
		if fl&mqttFlPassword != 0 {
			f["password"] = r.str()
		}
		return done()
	case mqttConnack:
		if len(r.b) < 2 {
			return pkt, mqttInvalid
		}
		// HAProxy takes a 2-byte rest (whatever follows the packet) for
		// MQTT 3.1.1, anything longer for 5.0.
		ver := mqttV311
		if len(r.b) > 2 {
			ver = mqttV5
		}
		pkt.v5 = ver == mqttV5
		fl := r.u8()
		if fl&0xfe != 0 {
			return pkt, mqttInvalid
		}
		rc := r.u8()
		f["protocol_version"], f["flags"], f["reason_code"] = fmt.Sprint(ver), fmt.Sprint(fl), fmt.Sprint(rc)
		if pkt.v5 {
			for _, k := range []string{"17", "33", "36", "37", "39", "34", "40", "41", "42", "19"} {
				f[k] = "0"
			}
			ok, unknown := mqttProps(r, f, mqttConnackProps, map[byte]bool{0x24: true, 0x25: true, 0x28: true, 0x29: true, 0x2a: true},
				map[byte]bool{0x21: true, 0x27: true}, map[byte]bool{0x12: true})
			if unknown {
				return pkt, mqttNeedMore // HAProxy's CONNACK parser returns 0 there, its "need more data"
			}
			if !ok {
				return pkt, mqttInvalid
			}
		}
		return done()
	}
	return pkt, mqttInvalid
}

// mqttV5Only are the fields only an MQTT 5.0 packet has, and mqttWillOnly
// the CONNECT ones that need the Will flag too.
var (
	mqttV5Only   = map[string]bool{}
	mqttWillOnly = map[string]bool{"1": true, "2": true, "3": true, "8": true, "9": true, "24": true}
)

func init() {
	for _, k := range mqttAllFields {
		if k[0] >= '0' && k[0] <= '9' {
			mqttV5Only[k] = true
		}
	}
}

// mqttHandled are the fields mqtt_field_value returns per packet type
// (the others, user properties included, have no value).
var mqttHandled = map[int]map[string]bool{
	mqttConnect: setOfStrings("flags", "protocol_name", "protocol_version", "client_identifier", "will_topic", "will_payload",
		"username", "password", "keepalive", "1", "2", "3", "8", "9", "17", "21", "22", "23", "24", "25", "33", "34", "39"),
	mqttConnack: setOfStrings("flags", "reason_code", "protocol_version", "17", "18", "19", "21", "22", "26", "28", "31", "33",
		"34", "36", "37", "39", "40", "41", "42"),
}

func setOfStrings(s ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return m
}

func mqttShort(r *proxy.RequestInfo) {
	if r.Payload != nil {
		r.PayloadShort()
	}
}

func buildMQTTIsValid(convArgs) (convFunc, reqConvFunc, error) {
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		_, st := mqttParse(v.s)
		switch st {
		case mqttNeedMore:
			mqttShort(r)
			return false
		case mqttValid:
			*v = boolValue(true)
		default:
			*v = boolValue(false)
		}
		return true
	}, nil
}

func buildMQTTFieldValue(a convArgs) (convFunc, reqConvFunc, error) {
	typ := int(strl2ui(a.strs[0]))
	if typ < 1 || typ > 15 {
		typ = 0
		for i, n := range mqttTypes {
			if i > 0 && strings.EqualFold(n, a.strs[0]) {
				typ = i
			}
		}
	}
	if typ == 0 {
		return nil, nil, fmt.Errorf("Unknown MQTT type '%s'", a.strs[0])
	}
	field := ""
	for _, k := range mqttAllFields {
		if strings.EqualFold(k, a.strs[1]) {
			for _, allowed := range mqttFields[typ] {
				if allowed == k {
					field = k
				}
			}
			break
		}
	}
	if field == "" {
		return nil, nil, fmt.Errorf("Unknown MQTT field name '%s' for packet type '%s'", a.strs[1], a.strs[0])
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		pkt, st := mqttParse(v.s)
		switch {
		case st == mqttNeedMore:
			mqttShort(r)
			return false
		case st != mqttValid || pkt.typ != typ || !mqttHandled[typ][field]:
			return false
		case mqttV5Only[field] && !pkt.v5:
			return false
		case typ == mqttConnect && mqttWillOnly[field] && !mqttHasWill(pkt):
			return false
		}
		val := pkt.fields[field]
		if val == "" {
			return false
		}
		v.s = val
		return true
	}, nil
}

func mqttHasWill(p mqttPkt) bool {
	n, _ := strconv.Atoi(p.fields["flags"])
	return n&mqttFlWill != 0
}
