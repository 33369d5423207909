package stick

import "testing"

// TestServerKey: server_key holds a string, printed as `show table` prints
// it ("-" for none); `set table` numbers leave it as is; filters compare
// it as 0; a peer snapshot carries it and Apply learns it.
func TestServerKey(t *testing.T) {
	tb, _ := New(Config{Name: "sk", Key: KeyIP, Size: 10, Stores: []Store{{Type: ServerKey}, {Type: ServerID}}})
	k1, _ := tb.Config().ParseKey("10.0.0.1")
	k2, _ := tb.Config().ParseKey("10.0.0.2")
	r, _ := tb.Acquire(k1, true, 1000)
	r.Set(ServerID, 0, 2, 1000)
	if !r.SetString(ServerKey, "web2", 1000) || r.SetString(ServerID, "x", 1000) {
		t.Fatal("SetString on server_key or server_id")
	}
	r.Set(ServerKey, 0, 7, 1000) // ignored
	if s, ok := r.String(ServerKey); !ok || s != "web2" {
		t.Fatalf("server_key %q %v", s, ok)
	}
	r.Release(false, 1000)
	r2, _ := tb.Acquire(k2, true, 1000)
	r2.Release(false, 1000)
	want := "# table: sk, type: ip, size:10, used:2\n" +
		"0x: key=10.0.0.1 use=0 exp=0 server_id=2 server_key=web2\n" +
		"0x: key=10.0.0.2 use=0 exp=0 server_id=0 server_key=-\n"
	if got := dump(tb, 1000); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	for op, n := range map[string]int{"eq": 2, "gt": 0} {
		f, err := tb.ParseFilter("data.server_key", op, "0")
		if err != nil {
			t.Fatal(err)
		}
		if got := string(tb.AppendEntries(nil, nil, []Filter{f}, 1000)); countLines(got) != n {
			t.Errorf("server_key %s 0 kept %d entries, want %d:\n%s", op, countLines(got), n, got)
		}
	}
	snaps := tb.Updates(0, 0, 1000)
	other, _ := New(Config{Name: "o", Key: KeyIP, Size: 10, Stores: []Store{{Type: ServerID}, {Type: ServerKey}}})
	for _, s := range snaps {
		other.Apply(s, 1000)
	}
	if got := dump(other, 1000); got != want[:len("# table: ")]+"o"+want[len("# table: sk"):] {
		t.Fatalf("applied:\n%s", got)
	}
}

func countLines(s string) int {
	n := 0
	for _, c := range s {
		if c == '\n' {
			n++
		}
	}
	return n
}
