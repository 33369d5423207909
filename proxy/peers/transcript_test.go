package peers

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden transcripts in testdata")

// describe renders the bytes a session sent: handshake lines as text, then
// one line per message, updates decoded with the table's definition.
func describe(b []byte, def *TableDef, handshake *bool) []string {
	var out []string
	for len(b) > 0 {
		if *handshake {
			line, n, _ := ReadLine(b)
			if n == 0 {
				return append(out, fmt.Sprintf("partial line %q", b))
			}
			out = append(out, fmt.Sprintf("line %q", line))
			b = b[n:]
			if line == "200" || strings.Count(strings.Join(out, "\n"), "line") == 3 {
				*handshake = false
			}
			continue
		}
		f, n, err := ParseFrame(b)
		if err != nil || n == 0 {
			return append(out, fmt.Sprintf("undecodable % x (%v)", b, err))
		}
		b = b[n:]
		switch {
		case f.Class == ClassControl:
			out = append(out, "control "+[]string{"resync-request", "resync-finished", "resync-partial", "resync-confirm", "heartbeat"}[f.Type])
		case f.Class == ClassError:
			out = append(out, fmt.Sprintf("error %d", f.Type))
		case f.Type == StktDefine:
			d, _ := DecodeDefine(f.Data)
			out = append(out, fmt.Sprintf("define id=%d name=%s key=%s/%d types=%#x expire=%d", d.ID, d.Name, d.KeyType, d.KeyLen, d.Types, d.Expire))
		case f.Type == StktAck:
			a, _ := DecodeAck(f.Data)
			out = append(out, fmt.Sprintf("ack table=%d update=%d", a.TableID, a.Update))
		case IsUpdateType(f.Type):
			u, err := DecodeUpdate(f.Type, f.Data, def)
			if err != nil {
				out = append(out, fmt.Sprintf("bad update: %v", err))
				continue
			}
			out = append(out, "update "+u.String())
		default:
			out = append(out, fmt.Sprintf("message %d/%#x % x", f.Class, f.Type, f.Data))
		}
	}
	return out
}

// TestTranscriptResync replays a session pair through a scripted life:
// handshake, a pushed change and its ack, a heartbeat, a full resync and
// its confirm, then a malformed message. The golden transcript records
// every message and event in order (regenerate with -rewrite).
func TestTranscriptResync(t *testing.T) {
	p := newPair(t)
	def := ipDef()
	hsA, hsB := true, true
	var log []string
	start := p.c.t
	step := func(what string) {
		log = append(log, fmt.Sprintf("== t=%v %s", p.c.t.Sub(start), what))
		for i := 0; i < 10; i++ {
			oa, ob := p.a.Output(), p.b.Output()
			if len(oa) == 0 && len(ob) == 0 {
				break
			}
			for _, l := range describe(oa, &def, &hsA) {
				log = append(log, "A> "+l)
			}
			for _, l := range describe(ob, &def, &hsB) {
				log = append(log, "B> "+l)
			}
			p.b.Feed(p.c.t, oa, false)
			p.a.Feed(p.c.t, ob, false)
			for _, s := range []struct {
				n  string
				ss *Session
			}{{"A", p.a}, {"B", p.b}} {
				for _, ev := range s.ss.Events() {
					log = append(log, fmt.Sprintf("%s: %s", s.n, eventString(ev)))
				}
			}
		}
	}
	p.ta.Set(ip4("10.0.0.1"), 0, []Value{{Type: DTHTTPReqCnt, Num: []uint64{3}}, {Type: DTHTTPReqRate, Freq: []FreqCtr{{Age: 20, Curr: 3}}}, {Type: DTGPC, Num: []uint64{1, 2}}})
	step("A dials B")
	p.c.add(100 * time.Millisecond)
	p.ta.Set(ip4("10.0.0.2"), 0, nil)
	p.ta.Set(ip4("10.0.0.3"), 0, nil)
	p.a.Tick(p.c.t)
	step("A has two more changes")
	p.c.add(HeartbeatInterval)
	p.a.Tick(p.c.t)
	p.b.Tick(p.c.t)
	step("3s later, both idle")
	p.b.RequestResync()
	p.b.Tick(p.c.t)
	step("B asks for a full resync")
	p.b.Feed(p.c.t, []byte{ClassStickTable, StktAck, 1, 1}, false)
	step("B receives an ack without its update id")
	for _, ev := range p.b.Events() {
		log = append(log, "B: "+eventString(ev))
	}
	got := strings.Join(log, "\n") + "\n"
	const golden = "testdata/transcript-resync.txt"
	if *rewrite {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("transcript differs from %s (-rewrite to update):\n%s", golden, got)
	}
}

func eventString(ev Event) string {
	switch ev.Kind {
	case EvEstablished:
		return "established with " + ev.Peer
	case EvLearned:
		return fmt.Sprintf("learned from %s (partial=%v)", ev.Peer, ev.Partial)
	case EvTaught:
		return ev.Peer + " confirmed the teach"
	}
	return fmt.Sprintf("closed (status %d): %v", ev.Status, ev.Err)
}
