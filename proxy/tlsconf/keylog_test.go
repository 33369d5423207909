package tlsconf

import (
	"bytes"
	"fmt"
	"testing"
)

func TestKeyLogTake(t *testing.T) {
	k := KeyLog{TLS13: true}
	r1, r2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	fmt.Fprintf(&k, "CLIENT_HANDSHAKE_TRAFFIC_SECRET %x aa01\n", r1)
	fmt.Fprintf(&k, "SERVER_TRAFFIC_SECRET_0 %x bb02\n", r1)
	fmt.Fprintf(&k, "CLIENT_RANDOM %x cc03\n", r2) // TLS 1.2: not kept without Master
	fmt.Fprintf(&k, "garbage\n")
	fmt.Fprintf(&k, "CLIENT_TRAFFIC_SECRET_0 zz dd04\n")
	s := k.Take(r1)
	if s == nil || *s != (Secrets{ClientHandshake: "aa01", ServerTraffic0: "bb02", Logged: true}) {
		t.Fatalf("r1: %+v", s)
	}
	if s := k.Take(r1); s != nil {
		t.Errorf("taken twice: %+v", s)
	}
	if s := k.Take(r2); s != nil {
		t.Errorf("r2: %+v", s)
	}
	if s := (*KeyLog)(nil).Take(r1); s != nil {
		t.Errorf("nil key log: %+v", s)
	}
	if s := k.Take(nil); s != nil {
		t.Errorf("no random: %+v", s)
	}
}

// TestKeyLogKeeps: each flag keeps its own lines only.
func TestKeyLogKeeps(t *testing.T) {
	r := bytes.Repeat([]byte{3}, 32)
	for _, c := range []struct {
		k    *KeyLog
		want *Secrets
	}{
		{&KeyLog{Master: true}, &Secrets{Master: "cc03"}},
		{&KeyLog{TLS13: true}, &Secrets{ClientHandshake: "aa01", ServerTraffic0: "bb02", Logged: true}},
		{&KeyLog{Handshake: true}, &Secrets{ClientHandshake: "aa01"}},
		{&KeyLog{TLS13: true, Master: true}, &Secrets{ClientHandshake: "aa01", ServerTraffic0: "bb02", Master: "cc03", Logged: true}},
		{&KeyLog{}, nil},
	} {
		k := c.k
		fmt.Fprintf(k, "CLIENT_HANDSHAKE_TRAFFIC_SECRET %x aa01\n", r)
		fmt.Fprintf(k, "SERVER_TRAFFIC_SECRET_0 %x bb02\n", r)
		fmt.Fprintf(k, "CLIENT_RANDOM %x cc03\n", r)
		fmt.Fprintf(k, "EXPORTER_SECRET %x ee05\n", r)
		s := k.Take(r)
		if (s == nil) != (c.want == nil) || s != nil && *s != *c.want {
			t.Errorf("TLS13 %v Master %v: got %+v want %+v", k.TLS13, k.Master, s, c.want)
		}
	}
}
