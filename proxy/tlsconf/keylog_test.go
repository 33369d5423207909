package tlsconf

import (
	"bytes"
	"fmt"
	"testing"
)

func TestKeyLogTake(t *testing.T) {
	var k KeyLog
	r1, r2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	fmt.Fprintf(&k, "CLIENT_HANDSHAKE_TRAFFIC_SECRET %x aa01\n", r1)
	fmt.Fprintf(&k, "SERVER_TRAFFIC_SECRET_0 %x bb02\n", r1)
	fmt.Fprintf(&k, "CLIENT_RANDOM %x cc03\n", r2) // TLS 1.2: no field of its own
	fmt.Fprintf(&k, "garbage\n")
	fmt.Fprintf(&k, "CLIENT_TRAFFIC_SECRET_0 zz dd04\n")
	s := k.Take(r1)
	if s == nil || *s != (Secrets{ClientHandshake: "aa01", ServerTraffic0: "bb02"}) {
		t.Fatalf("r1: %+v", s)
	}
	if s := k.Take(r1); s != nil {
		t.Errorf("taken twice: %+v", s)
	}
	if s := k.Take(r2); s == nil || *s != (Secrets{}) {
		t.Errorf("r2: %+v", s)
	}
	if s := (*KeyLog)(nil).Take(r1); s != nil {
		t.Errorf("nil key log: %+v", s)
	}
	if s := k.Take(nil); s != nil {
		t.Errorf("no random: %+v", s)
	}
}
