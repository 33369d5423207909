package rdpcookie

import "testing"

// req is a Connection Request as mstsc sends it: TPKT (4 bytes), X.224
// CR header (7 bytes), the cookie line, then an RDP negotiation request.
func req(line string) []byte {
	body := append([]byte(line), 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00)
	n := 11 + len(body)
	b := []byte{0x03, 0x00, byte(n >> 8), byte(n), byte(n - 5), 0xe0, 0, 0, 0, 0, 0}
	return append(b, body...)
}

func TestValue(t *testing.T) {
	full := req("Cookie: mstshash=alice\r\n")
	for _, c := range []struct {
		b          []byte
		name, want string
		st         Status
	}{
		{full, "mstshash", "alice", OK},
		{full, "MSTSHASH", "alice", OK},
		{full, "", "alice", OK},
		{full, "msts", "", No},
		{req("cookie:   mstshash=bob\r\n"), "mstshash", "bob", OK},
		{req("Cookie: mstshash=\r\n"), "mstshash", "", OK},
		{req("Cookie: mstshash=a\rb\r\n"), "mstshash", "", No},
		{req("Cookie: x\r\n=y\r\n"), "", "", No},
		{req("Cookies mstshash=a\r\n"), "mstshash", "", No},
		{full[:11], "mstshash", "", Short},
		{full[:18], "mstshash", "", Short},
		{full[:26], "mstshash", "", Short},
		{full[:33], "mstshash", "", Short}, // value without its \r
		{full[:34], "mstshash", "", Short}, // \r without \n
		{full[:35], "mstshash", "alice", OK},
	} {
		v, st := Value(c.b, c.name)
		if st != c.st || string(v) != c.want {
			t.Errorf("Value(%q, %q) = %q, %d; want %q, %d", c.b, c.name, v, st, c.want, c.st)
		}
	}
}

func TestServer(t *testing.T) {
	for _, c := range []struct {
		v    string
		ip   [4]byte
		port uint16
		ok   bool
	}{
		{"16777343.41286.0000", [4]byte{127, 0, 0, 1}, 18081, true},
		{"3640205228.15629.0000", [4]byte{172, 31, 249, 216}, 3389, true},
		{"16777343.41286", [4]byte{}, 0, false},
		{"16777343-41286.0", [4]byte{}, 0, false},
		{".0.", [4]byte{}, 0, true},
	} {
		ip, port, ok := Server([]byte(c.v))
		if ok != c.ok || ok && (ip != c.ip || port != c.port) {
			t.Errorf("Server(%q) = %v %d %v; want %v %d %v", c.v, ip, port, ok, c.ip, c.port, c.ok)
		}
	}
}
