package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// fix_is_valid and fix_tag_value(<tag>) read FIX (Financial Information
// eXchange) messages as HAProxy 2.6's fix.c does: tag=value fields ended
// by SOH (0x01); a valid message starts with BeginString (a known
// version), BodyLength and MsgType, and ends with a CheckSum that
// matches the bytes before it. Short of bytes, neither has a value, and
// during tcp content inspection the rule waits for more.
func init() {
	bin := haproxy.SampleBin
	register(map[string]convDef{
		"fix_is_valid":  {in: bin, out: haproxy.SampleBool, rbuild: buildFixIsValid},
		"fix_tag_value": {in: bin, out: bin, args: []argKind{argStr}, min: 1, rbuild: buildFixTagValue},
	})
}

const (
	fixDelim      = 0x01
	fixMinSize    = 26
	fixBeginStr   = 8
	fixBodyLength = 9
	fixCheckSum   = 10
	fixMsgType    = 35
)

// fixStatus is fix_validate_message's verdict.
type fixStatus int

const (
	fixInvalid fixStatus = iota
	fixNeedMore
	fixValid
)

// readUint is HAProxy's read_uint: the leading decimal digits of s, as
// an unsigned 32-bit number that wraps, and how many there were.
func readUint(s string) (uint32, int) {
	var n uint32
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + uint32(s[i]-'0')
	}
	return n, i
}

// strl2ui is HAProxy's strl2ui: decimal digits read without any check,
// so that other bytes give other numbers.
func strl2ui(s string) uint32 {
	var n uint32
	for i := 0; i < len(s); i++ {
		n = n*10 - '0' + uint32(s[i])
	}
	return n
}

// fixCheckID is the tag id of tag (0: none), within the range of
// version when one is known (user tags 10000-19999 always).
func fixCheckID(tag, version string) uint32 {
	n, used := readUint(tag)
	if used != len(tag) || n == 0 {
		return 0
	}
	if version == "" || (n >= 10000 && n <= 19999) {
		return n
	}
	limit := map[string]uint32{"FIX.4.0": 140, "FIX.4.1": 211, "FIX.4.2": 446, "FIX.4.3": 659, "FIX.4.4": 956, "FIXT.1.1": 1621}[version]
	if n <= limit {
		return n
	}
	return 0
}

// fixField splits the field at the start of s: tag, value and the
// length of the whole field with its '=' and delimiter; more is set when
// s ends before the field's delimiter, bad when the tag is empty.
func fixField(s string) (tag, value string, size int, more, bad bool) {
	eq := strings.IndexByte(s, '=')
	if eq < 0 {
		return "", "", 0, true, false
	}
	end := strings.IndexByte(s[eq:], fixDelim)
	if end < 0 {
		return "", "", 0, true, false
	}
	if eq == 0 {
		return "", "", 0, false, true
	}
	return s[:eq], s[eq+1 : eq+end], eq + end + 1, false, false
}

func fixValidate(msg string) fixStatus {
	if len(msg) < fixMinSize {
		return fixNeedMore
	}
	var version string
	var checksum uint8
	tagnum, bodylen, body := 0, uint32(0), -1
	for pos := 0; pos < len(msg); {
		tag, value, size, more, bad := fixField(msg[pos:])
		if more {
			return fixNeedMore
		}
		if bad {
			return fixInvalid
		}
		id := fixCheckID(tag, version)
		if id == 0 {
			return fixInvalid
		}
		tagnum++
		switch {
		case tagnum == 1:
			if id != fixBeginStr {
				return fixInvalid
			}
			switch value {
			case "FIX.4.0", "FIX.4.1", "FIX.4.2", "FIX.4.3", "FIX.4.4", "FIXT.1.1":
				version = value
			default:
				return fixInvalid
			}
		case tagnum == 2:
			n, used := readUint(value)
			if id != fixBodyLength || used != len(value) || n == 0 {
				return fixInvalid
			}
			bodylen, body = n, pos+size
		case tagnum == 3:
			if id != fixMsgType {
				return fixInvalid
			}
		case id == fixCheckSum:
			if int64(bodylen) != int64(pos-body) || len(value) != 3 {
				return fixInvalid
			}
			if uint32(checksum) != strl2ui(value) {
				return fixInvalid
			}
			return fixValid
		}
		for i := 0; i < size; i++ {
			checksum += msg[pos+i]
		}
		pos += size
	}
	if body >= 0 {
		return fixNeedMore // the body began, the CheckSum is still to come
	}
	return fixInvalid
}

// fixTagValue finds tag id in msg: its value (found, maybe empty), or
// more when the message ends before it.
func fixTagValue(msg string, id uint32) (value string, found, more bool) {
	for pos := 0; pos < len(msg); {
		tag, v, size, short, bad := fixField(msg[pos:])
		if short {
			return "", false, true
		}
		if bad {
			return "", false, false
		}
		n := fixCheckID(tag, "")
		switch {
		case n == 0:
			return "", false, false
		case n == id:
			return v, true, false
		case n == fixCheckSum:
			return "", false, false
		}
		pos += size
	}
	return "", false, true
}

// fixShort tells tcp content inspection that more bytes may give a value.
func fixShort(r *proxy.RequestInfo) {
	if r.Payload != nil {
		r.PayloadShort()
	}
}

func buildFixIsValid(convArgs) (convFunc, reqConvFunc, error) {
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		switch fixValidate(v.s) {
		case fixNeedMore:
			fixShort(r)
			return false
		case fixValid:
			*v = boolValue(true)
		default:
			*v = boolValue(false)
		}
		return true
	}, nil
}

// fixTagNames are the tag names fix_tag_value takes besides numbers.
var fixTagNames = map[string]uint32{"msgtype": fixMsgType, "checksum": fixCheckSum, "bodylength": fixBodyLength,
	"targetcompid": 56, "beginstring": fixBeginStr, "sendercompid": 49}

func buildFixTagValue(a convArgs) (convFunc, reqConvFunc, error) {
	id := fixCheckID(a.strs[0], "")
	if id == 0 {
		id = fixTagNames[strings.ToLower(a.strs[0])]
	}
	if id == 0 {
		return nil, nil, fmt.Errorf("Unknown FIX tag name '%s'", a.strs[0])
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		val, found, more := fixTagValue(v.s, id)
		if found && val != "" {
			v.s = val
			return true
		}
		if found || more {
			fixShort(r) // HAProxy's "need more data" for an empty value too
		}
		return false
	}, nil
}
