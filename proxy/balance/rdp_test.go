package balance

import "testing"

func rdpPayload(line string) []byte {
	b := []byte{0x03, 0, 0, 0, 0, 0xe0, 0, 0, 0, 0, 0}
	return append(b, line+"\r\n"+"\x01\x00\x08\x00\x03\x00\x00\x00"...)
}

// TestRDPCookie: a client's mstshash cookie hashes to one server every
// time (the same one the hdr algorithm picks for that value); without the
// cookie, or with an empty one, the connections go round robin.
func TestRDPCookie(t *testing.T) {
	srv := servers(1, 1, 1, 1)
	b, err := Build(Spec{Algorithm: "rdp-cookie", RDPCookie: "mstshash"}, srv)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := Build(Spec{Algorithm: "hdr", Header: HeaderParams{Name: "x"}}, srv)
	for _, user := range []string{"alice", "bob", "carol"} {
		r := &Request{Payload: rdpPayload("Cookie: mstshash=" + user)}
		first := b.Pick(r)
		want := h.Pick(&Request{Header: func(string) (string, bool) { return user, true }})
		for range 3 {
			if got := b.Pick(r); got != first || got != want {
				t.Errorf("%s: %s then %s (hdr: %s)", user, first.Name, got.Name, want.Name)
			}
		}
	}
	for _, p := range [][]byte{nil, rdpPayload("Cookie: mstshash="), rdpPayload("Cookie: other=x")} {
		seen := map[*Server]bool{}
		for range 4 {
			seen[b.Pick(&Request{Payload: p})] = true
		}
		if len(seen) != 4 {
			t.Errorf("payload %q: %d servers in 4 picks, want round robin", p, len(seen))
		}
	}
}
