package acl

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// protobuf(<field_number>[,<field_type>]) and ungrpc(...) read one field
// of a Protocol Buffers message (ungrpc: of the gRPC messages framing
// them, each behind a compression flag and a 4-byte big-endian length),
// with HAProxy 2.6's lookup: a dotted path of field numbers descends into
// length-delimited fields, the value is the raw bytes without a type,
// else a sint decoded as the type says. HAProxy's lookup is kept as it
// walks, quirks included: the path restarts at its first number when a
// field other than the one looked for ends the enclosing message, and
// ungrpc reads the next gRPC header where the lookup stopped.
func init() {
	bin := haproxy.SampleBin
	for _, name := range []string{"protobuf", "ungrpc"} {
		grpc := name == "ungrpc"
		register(map[string]convDef{
			name: {in: bin, out: bin, args: []argKind{argStr, argStr}, min: 1, keep: true, build: func(a convArgs) (convFunc, error) {
				return buildProtobuf(a, grpc)
			}},
		})
	}
}

// The protobuf field types HAProxy knows (pbufBinary: none given).
const (
	pbufBinary = iota
	pbufVarint // int32, uint32, int64, uint64, bool, enum
	pbufZigzag // sint32, sint64
	pbufFixed32
	pbufSFixed32
	pbufFloat
	pbufFixed64 // fixed64, sfixed64
	pbufDouble
)

var pbufTypes = map[string]int{"int32": pbufVarint, "uint32": pbufVarint, "int64": pbufVarint, "uint64": pbufVarint,
	"bool": pbufVarint, "enum": pbufVarint, "sint32": pbufZigzag, "sint64": pbufZigzag, "fixed32": pbufFixed32,
	"sfixed32": pbufSFixed32, "float": pbufFloat, "fixed64": pbufFixed64, "sfixed64": pbufFixed64, "double": pbufDouble}

func buildProtobuf(a convArgs, grpc bool) (convFunc, error) {
	ids, err := dottedFieldIDs(a.strs[0])
	if err != nil {
		return nil, err
	}
	typ := pbufBinary
	if a.has(1) {
		t, ok := pbufTypes[a.strs[1]]
		if !ok {
			return nil, fmt.Errorf("Wrong protocol buffer type '%s'", a.strs[1])
		}
		typ = t
	}
	return func(v *value) bool {
		msg := v.s
		if !grpc {
			_, ok := pbufLookup(ids, typ, msg, v)
			return ok
		}
		for len(msg) > 5 {
			n := uint64(binary.BigEndian.Uint32(sbytes(msg[1:5])))
			msg = msg[5:]
			if uint64(len(msg)) < n {
				return false
			}
			used, ok := pbufLookup(ids, typ, msg[:n], v)
			if ok {
				return true
			}
			// The next header is read where the lookup stopped, and n
			// bytes fewer remain (HAProxy's accounting).
			rest := uint64(len(msg)) - n
			msg = msg[used:]
			if uint64(len(msg)) > rest {
				msg = msg[:rest]
			}
		}
		return false
	}, nil
}

// dottedFieldIDs reads "1.2.3" (HAProxy's ARGT_PBUF_FNUM).
func dottedFieldIDs(s string) ([]uint32, error) {
	var ids []uint32
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || p == "" || p[0] == '+' {
			return nil, fmt.Errorf("'%s' is not a dotted field number", s)
		}
		ids = append(ids, uint32(n))
	}
	return ids, nil
}

// pbufVarint decodes a varint at the start of b: its value and length;
// false when b ends inside it or it is longer than 10 bytes.
func pbufVarintAt(b string) (uint64, int, bool) {
	var v uint64
	for i, shift := 0, uint(0); i < len(b); i++ {
		v |= uint64(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			return v, i + 1, true
		}
		if shift += 7; shift > 63 {
			return 0, 0, false
		}
	}
	return 0, 0, len(b) == 0 // an empty buffer decodes as 0, as HAProxy's loop does
}

// pbufLookup finds the field ids in msg and stores its value in v; it
// also reports how many bytes of msg it went through.
func pbufLookup(ids []uint32, typ int, msg string, v *value) (int, bool) {
	pos := 0
	var elen uint64 // what is left of the enclosing length-delimited field
	field := 0
	for field < len(ids) {
		if pos >= len(msg) {
			return pos, false
		}
		before := len(msg) - pos
		key, n, ok := pbufVarintAt(msg[pos:])
		if !ok {
			return pos, false
		}
		pos += n
		wire, num := key&7, uint32(key>>3)
		found := num == ids[field]
		var size int
		switch wire {
		case 0:
			if !found {
				_, n, ok := pbufVarintAt(msg[pos:])
				if !ok {
					return pos, false
				}
				pos += n
			}
		case 1, 5:
			size = 8
			if wire == 5 {
				size = 4
			}
			if !found {
				if len(msg)-pos < size {
					return pos, false
				}
				pos += size
			}
		case 2:
			l, n, ok := pbufVarintAt(msg[pos:])
			if !ok {
				return pos, false
			}
			pos += n
			if l > uint64(len(msg)-pos) {
				return pos, false
			}
			elen, before = l, len(msg)-pos
			if !found {
				pos += int(l)
			}
		default:
			return pos, false
		}
		if found && field == len(ids)-1 {
			return pos, pbufStore(wire, typ, msg[pos:], elen, v)
		}
		if int64(elen) > 0 {
			elen -= uint64(before - (len(msg) - pos))
		}
		if found {
			field++
		} else if int64(elen) <= 0 {
			field = 0
		}
	}
	return pos, false
}

// pbufStore reads the value of wire type wire at the start of b.
func pbufStore(wire uint64, typ int, b string, elen uint64, v *value) bool {
	switch wire {
	case 0:
		x, n, ok := pbufVarintAt(b)
		if !ok {
			return false
		}
		switch typ {
		case pbufBinary:
			*v = value{t: haproxy.SampleBin, s: b[:n]}
		case pbufVarint:
			*v = value{t: haproxy.SampleSInt, i: int64(x)}
		case pbufZigzag:
			*v = value{t: haproxy.SampleSInt, i: int64(x>>1) ^ -int64(x&1)}
		default:
			return false
		}
	case 1:
		if len(b) < 8 {
			return false
		}
		raw := binary.LittleEndian.Uint64(sbytes(b[:8]))
		switch typ {
		case pbufBinary:
			*v = value{t: haproxy.SampleBin, s: b[:8]}
		case pbufFixed64:
			*v = value{t: haproxy.SampleSInt, i: int64(raw)}
		case pbufDouble:
			*v = value{t: haproxy.SampleSInt, i: int64(doubleToU64(math.Float64frombits(raw)))}
		default:
			return false
		}
	case 5:
		if len(b) < 4 {
			return false
		}
		raw := binary.LittleEndian.Uint32(sbytes(b[:4]))
		switch typ {
		case pbufBinary:
			*v = value{t: haproxy.SampleBin, s: b[:4]}
		case pbufFixed32:
			*v = value{t: haproxy.SampleSInt, i: int64(raw)}
		case pbufSFixed32:
			*v = value{t: haproxy.SampleSInt, i: int64(int32(raw))}
		case pbufFloat:
			// C's float to uint32_t conversion as x86-64 compilers do it:
			// through a 64-bit signed integer, truncated.
			*v = value{t: haproxy.SampleSInt, i: int64(uint32(int64(math.Float32frombits(raw))))}
		default:
			return false
		}
	case 2:
		if typ != pbufBinary || uint64(len(b)) < elen {
			return false
		}
		*v = value{t: haproxy.SampleBin, s: b[:elen]}
	default:
		return false
	}
	return true
}

// doubleToU64 is C's double to uint64_t conversion as x86-64 compilers
// emit it: values from 2^63 up are offset by 2^63 first.
func doubleToU64(d float64) uint64 {
	if d >= 1<<63 {
		return uint64(int64(d-(1<<63))) ^ 1<<63
	}
	return uint64(int64(d))
}
