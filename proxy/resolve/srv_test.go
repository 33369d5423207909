package resolve

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

func actions(acts []SRVAction) string {
	out := ""
	for _, a := range acts {
		if a.Removed {
			out += fmt.Sprintf("[%d removed]", a.Slot)
			continue
		}
		addr := "-"
		if a.Addr.IsValid() {
			addr = a.Addr.String()
		}
		out += fmt.Sprintf("[%d %s:%d w%d %s new=%v]", a.Slot, a.Target, a.Port, a.Weight, addr, a.NewTarget)
	}
	return out
}

// The slots follow HAProxy's record order (b1.test before b2.test
// whatever the answer's order, as measured on HAProxy 2.6), weights are
// (w+255)/256, an additional address goes to its record; a record gone
// frees its slot at the end of the free list, so a new record takes a
// slot that was free before.
func TestSRVTable(t *testing.T) {
	var tb SRVTable
	now := time.Unix(100, 0)
	recs := []SRVRecord{{"b2.test", 8081, 65535}, {"b1.test", 8081, 0}}
	extra := []Extra{{"b1.test", netip.MustParseAddr("10.0.0.1")}, {"other.test", netip.MustParseAddr("10.0.0.9")}}
	got := actions(tb.Update(3, recs, extra, now, 0))
	if want := "[0 b1.test:8081 w0 10.0.0.1 new=true][1 b2.test:8081 w256 - new=true]"; got != want {
		t.Errorf("first answer:\n got %s\nwant %s", got, want)
	}
	now = now.Add(time.Second)
	recs = []SRVRecord{{"b1.test", 8081, 300}, {"b2.test", 8082, 1}}
	got = actions(tb.Update(3, recs, nil, now, 0))
	if want := "[0 b1.test:8081 w2 - new=false][1 removed][2 b2.test:8082 w1 - new=true]"; got != want {
		t.Errorf("second answer:\n got %s\nwant %s", got, want)
	}
	now = now.Add(time.Second)
	acts := tb.Update(3, []SRVRecord{{"C.test", 1, 1}}, nil, now, time.Hour)
	kept := 0
	for _, a := range acts {
		switch {
		case a.Removed:
			t.Errorf("hold obsolete: %s", actions(acts))
		case a.Target == "c.test" && (a.Slot != 1 || !a.NewTarget):
			t.Errorf("the new record (its name in lower case) takes the free slot: %s", actions(acts))
		case a.Target != "c.test":
			kept++
		}
	}
	if kept != 2 || len(tb.Clear()) != 3 {
		t.Errorf("hold obsolete keeps the records: %s", actions(acts))
	}
}

func TestReadSRV(t *testing.T) {
	q, err := QuerySRV(9, "_http._tcp.a.test", 1232)
	if err != nil {
		t.Fatal(err)
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 9, Response: true})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName("_http._tcp.a.test."), Type: dnsmessage.TypeSRV, Class: dnsmessage.ClassINET})
	b.StartAnswers()
	rr := dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName("_http._tcp.a.test."), Class: dnsmessage.ClassINET}
	b.SRVResource(rr, dnsmessage.SRVResource{Port: 80, Weight: 5, Target: dnsmessage.MustNewName("A1.test.")})
	b.StartAdditionals()
	b.AResource(dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName("A1.test."), Class: dnsmessage.ClassINET}, dnsmessage.AResource{A: [4]byte{10, 0, 0, 1}})
	msg, _ := b.Finish()
	out, recs, extra, err := ReadSRV(msg, 9, "_http._tcp.a.test")
	if err != nil || out != Valid || len(recs) != 1 || recs[0] != (SRVRecord{"A1.test", 80, 5}) ||
		len(extra) != 1 || extra[0].Name != "A1.test" || extra[0].Addr != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("got %v %v %v %v", out, recs, extra, err)
	}
	if _, _, _, err := ReadSRV(msg, 10, "_http._tcp.a.test"); !IsForeign(err) {
		t.Errorf("another id: %v", err)
	}
	_ = q
}
