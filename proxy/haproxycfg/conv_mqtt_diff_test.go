package haproxycfg

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
)

func mqttStr(s string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(s))), s...)
}

func mqttVarint(n int) []byte {
	var out []byte
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 128
		}
		out = append(out, b)
		if n == 0 {
			return out
		}
	}
}

// mqttPacket frames a body behind its first byte and remaining length.
func mqttPacket(first byte, body ...[]byte) []byte {
	b := bytes.Join(body, nil)
	return append(append([]byte{first}, mqttVarint(len(b))...), b...)
}

// mqttProps is a property block: its length, then the properties.
func mqttProps(props ...[]byte) []byte {
	b := bytes.Join(props, nil)
	return append(mqttVarint(len(b)), b...)
}

func u16(n int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(n)) }
func u32(n int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(n)) }

var mqttExprs = []string{"mqtt_is_valid", "mqtt_field_value(connect,protocol_name)", "mqtt_field_value(connect,protocol_version)",
	"mqtt_field_value(1,flags)", "mqtt_field_value(CONNECT,keepalive)", "mqtt_field_value(connect,client_identifier)",
	"mqtt_field_value(connect,username)", "mqtt_field_value(connect,password)", "mqtt_field_value(connect,will_topic)",
	"mqtt_field_value(connect,will_payload)", "mqtt_field_value(connect,17)", "mqtt_field_value(connect,33)",
	"mqtt_field_value(connect,21)", "mqtt_field_value(connect,22)", "mqtt_field_value(connect,24)", "mqtt_field_value(connect,1)",
	"mqtt_field_value(connect,2)", "mqtt_field_value(connect,3)", "mqtt_field_value(connect,38)", "mqtt_field_value(connect,39)",
	"mqtt_field_value(connect,25)", "mqtt_field_value(connack,flags)", "mqtt_field_value(connack,reason_code)",
	"mqtt_field_value(connack,protocol_version)", "mqtt_field_value(2,18)", "mqtt_field_value(connack,36)",
	"mqtt_field_value(connack,19)", "mqtt_field_value(connack,31)", "mqtt_field_value(connack,17)", "mqtt_field_value(connack,42)",
	"mqtt_field_value(publish,35)",
}

// TestMQTTDifferential: mqtt_is_valid and mqtt_field_value over MQTT
// 3.1.1 and 5.0 CONNECT and CONNACK packets (properties, will
// properties, defaults, duplicates, bad values, truncation) and other
// packet types, beside HAProxy 2.6, byte for byte.
func TestMQTTDifferential(t *testing.T) {
	hdr := func(name string, ver, flags byte, ka int) []byte {
		return append(append(mqttStr(name), ver, flags), u16(ka)...)
	}
	v311 := mqttPacket(0x10, hdr("MQTT", 4, 0xc2, 60), mqttStr("c1"), mqttStr("user"), mqttStr("pw"))
	v5 := mqttPacket(0x10, hdr("MQTT", 5, 0xc6, 30),
		mqttProps(append([]byte{0x11}, u32(300)...), append([]byte{0x21}, u16(10)...), append(append([]byte{0x26}, mqttStr("k")...), mqttStr("v")...),
			append([]byte{0x15}, mqttStr("SCRAM")...), append([]byte{0x16}, mqttStr("data")...)),
		mqttStr("client-5"),
		mqttProps(append([]byte{0x18}, u32(5)...), []byte{0x01, 1}, append([]byte{0x03}, mqttStr("text/plain")...)),
		mqttStr("will/t"), mqttStr("bye"), mqttStr("u5"), mqttStr("p5"))
	v5min := mqttPacket(0x10, hdr("mqtt", 5, 0x02, 0), mqttProps(), mqttStr(""))
	msgs := [][]byte{
		v311, v5, v5min, v311[:len(v311)-2], v5[:10], {0x10}, {},
		append(append([]byte{}, v311...), 0xff, 0x00),
		mqttPacket(0x10, hdr("MQTT", 5, 0x02, 1), mqttProps(append([]byte{0x11}, u32(1)...), append([]byte{0x11}, u32(2)...)), mqttStr("d")),
		mqttPacket(0x10, hdr("MQTT", 5, 0x02, 1), mqttProps(append([]byte{0x21}, u16(0)...)), mqttStr("z")),
		mqttPacket(0x10, hdr("MQTT", 5, 0x02, 1), mqttProps(append([]byte{0x16}, mqttStr("x")...)), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTT", 5, 0x02, 1), mqttProps([]byte{0x19, 2}), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTX", 4, 0x02, 1), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTT", 3, 0x02, 1), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTT", 2, 0x02, 1), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTT", 6, 0x02, 1), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTT", 0, 0x02, 1), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTT", 5, 0x02, 1), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTT", 4, 0x03, 1), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTT", 4, 0x18, 1), mqttStr("a")),
		mqttPacket(0x10, hdr("MQTT", 4, 0x02, 1), mqttStr("a"), []byte("extra")),
		mqttPacket(0x11, hdr("MQTT", 4, 0x02, 1), mqttStr("a")),
		mqttPacket(0x20, []byte{0x00, 0x00}),
		mqttPacket(0x20, []byte{0x01, 0x05}),
		mqttPacket(0x20, []byte{0x02, 0x00}),
		append(mqttPacket(0x20, []byte{0x00, 0x00}), 0x30),
		mqttPacket(0x20, []byte{0x01, 0x00}, mqttProps(append([]byte{0x12}, mqttStr("assigned")...), []byte{0x24, 1}, append([]byte{0x13}, u16(30)...),
			append([]byte{0x1f}, mqttStr("ok")...), []byte{0x2a, 0})),
		mqttPacket(0x20, []byte{0x00, 0x00}, mqttProps([]byte{0x05, 1})),
		mqttPacket(0x20, []byte{0x00, 0x00}, mqttProps([]byte{0x24, 3})),
		mqttPacket(0x20, []byte{0x00, 0x00}, mqttProps(append([]byte{0x12}, mqttStr("")...))),
		mqttPacket(0x3f, mqttStr("topic"), u16(1), mqttProps(append([]byte{0x23}, u16(7)...)), []byte("payload")),
		{0xc0, 0x00}, {0x10, 0xff, 0xff, 0xff, 0xff, 0x01},
	}
	sameConverterOutputs(t, mqttExprs, msgs, func(m []byte) string { return fmt.Sprintf("%x", m) })
}
