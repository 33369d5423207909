package haproxycfg

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

// pb builds Protocol Buffers messages for the tests.
type pb []byte

func (m pb) varint(v uint64) pb        { return binary.AppendUvarint(m, v) }
func (m pb) key(field, wire uint64) pb { return m.varint(field<<3 | wire) }
func (m pb) vint(field, v uint64) pb   { return m.key(field, 0).varint(v) }
func (m pb) f32(field uint64, v uint32) pb {
	return binary.LittleEndian.AppendUint32(m.key(field, 5), v)
}
func (m pb) f64(field uint64, v uint64) pb {
	return binary.LittleEndian.AppendUint64(m.key(field, 1), v)
}
func (m pb) bytes(field uint64, b []byte) pb {
	return append(m.key(field, 2).varint(uint64(len(b))), b...)
}

// grpc frames messages as gRPC does.
func grpcFrame(msgs ...pb) []byte {
	var out []byte
	for _, m := range msgs {
		out = append(out, 0)
		out = binary.BigEndian.AppendUint32(out, uint32(len(m)))
		out = append(out, m...)
	}
	return out
}

var protobufExprs = []string{
	"protobuf(1),hex", "protobuf(1,int32)", "protobuf(1,uint64)", "protobuf(2,sint32)", "protobuf(2,sint64)", "protobuf(2,int64)",
	"protobuf(3,fixed32)", "protobuf(3,sfixed32)", "protobuf(3,float)", "protobuf(3),hex", "protobuf(4,fixed64)",
	"protobuf(4,sfixed64)", "protobuf(4,double)", "protobuf(4),hex", "protobuf(5),hex", "protobuf(5.1,int32)", "protobuf(5.2),hex",
	"protobuf(5.3.1,bool)", "protobuf(6,enum)", "protobuf(1,fixed32)", "protobuf(3,int32)", "protobuf(5,int32)", "protobuf(9),hex",
	"protobuf(5.9,int32)", "protobuf(7,int32)", "protobuf(1,double)",
	"ungrpc(1,int32)", "ungrpc(5.1,int32)", "ungrpc(8),hex", "ungrpc(2,sint32)", "ungrpc(5.2)",
}

// TestProtobufDifferential: protobuf and ungrpc over hand-built
// messages (every wire type, nested fields, mismatched types, truncated
// and malformed input, several gRPC frames) beside HAProxy 2.6, byte
// for byte.
func TestProtobufDifferential(t *testing.T) {
	inner := pb{}.vint(1, 77).bytes(2, []byte("in")).bytes(3, pb{}.vint(1, 1))
	full := pb{}.vint(1, 150).vint(2, 5).f32(3, math.Float32bits(-2.75)).f64(4, math.Float64bits(12345.9)).
		bytes(5, inner).vint(6, 3).vint(7, math.MaxUint64)
	neg := pb{}.vint(1, uint64(1<<64-5)).vint(2, 6).f32(3, 0xfffffffe).f64(4, 1<<63+5).bytes(5, pb{}.vint(9, 1))
	other := pb{}.bytes(5, pb{}.vint(2, 3).vint(1, 9)).vint(1, 1)
	msgs := [][]byte{
		full, neg, other,
		full[:len(full)-3], full[:2], {}, {0xff}, {0x0b, 0x01}, {0x0a, 0x7f, 0x01},
		grpcFrame(pb{}.vint(2, 8), pb{}.vint(1, 42).bytes(5, pb{}.vint(1, 7))),
		grpcFrame(pb{}.bytes(8, []byte("x")).vint(1, 3)),
		grpcFrame(pb{}.vint(1, 1))[:4],
		grpcFrame(other, full),
		grpcFrame(pb{}.vint(3, 3).bytes(5, pb{}.vint(2, 2)).vint(3, 3), pb{}.bytes(5, []byte("zz"))),
	}
	sameConverterOutputs(t, protobufExprs, msgs, func(m []byte) string { return fmt.Sprintf("%x", m) })
}
