package acl

import (
	"testing"
)

// FuzzProtobufFix runs the protobuf lookup (every field type, nested
// paths, gRPC framing), the FIX and the MQTT parsers on arbitrary bytes: they must
// never read out of bounds, and a found value lies within the input.
func FuzzProtobufFix(f *testing.F) {
	f.Add([]byte("\x08\x96\x01\x2a\x04\x08\x4d\x12\x00"), uint8(1), uint8(2))
	f.Add([]byte("\x00\x00\x00\x00\x03\x08\x2a\x01"), uint8(0), uint8(1))
	f.Add([]byte("8=FIX.4.2\x019=5\x0135=A\x0110=000\x01"), uint8(3), uint8(0))
	f.Add([]byte("\x10\x0d\x00\x04MQTT\x05\x02\x00\x01\x00\x00\x01a"), uint8(0), uint8(0))
	f.Add([]byte("\x20\x05\x01\x00\x02\x24\x01"), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, msg []byte, typ, depth uint8) {
		ids := []uint32{1, 2, 5, 9}[:1+int(depth)%4]
		for _, grpc := range []bool{false, true} {
			conv, err := buildProtobuf(convArgs{n: 1, strs: []string{"1.2"}}, grpc)
			if err != nil {
				t.Fatal(err)
			}
			v := value{t: 0, s: string(msg)}
			conv(&v)
			var w value
			if used, ok := pbufLookup(ids, int(typ)%(pbufDouble+1), string(msg), &w); used > len(msg) || (ok && len(w.s) > len(msg)) {
				t.Fatalf("lookup went past the input: %d of %d", used, len(msg))
			}
		}
		fixValidate(string(msg))
		if p, st := mqttParse(string(msg)); st == mqttValid {
			for _, v := range p.fields {
				if len(v) > len(msg) {
					t.Fatal("mqtt value past the input")
				}
			}
		}
		if v, found, _ := fixTagValue(string(msg), uint32(typ)); found && len(v) > len(msg) {
			t.Fatal("value past the input")
		}
	})
}
