package seedlab

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Deriving a config never loses or reorders a line of the original.
func FuzzDerivedConfigsKeepLines(f *testing.F) {
	f.Add([]byte("vrrp_instance a {\n    advert_int 1\n}\n"))
	f.Add([]byte("advert_int"))
	f.Add([]byte("global_defs {\n}\nvrrp_instance x {\n\tadvert_int 1 # c\n\tadvert_int 2\n}"))
	f.Add([]byte("\n\n advert_int\r\n"))
	f.Fuzz(func(t *testing.T, conf []byte) {
		for name, out := range map[string][]byte{
			"accept":       WithAccept(conf),
			"track":        WithTrackHaproxy(conf),
			"activeactive": ActiveActive(conf, true),
		} {
			if m := missingLines(bytes.TrimRight(conf, "\n"), out); len(m) > 0 {
				t.Fatalf("%s lost lines %q of %q:\n%q", name, m, conf, out)
			}
		}
	})
}

// The README outside the markers is never touched.
func FuzzReplaceBetween(f *testing.F) {
	f.Add("# t\n", "old\n", "tail\n", "new")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, head, mid, tail, body string) {
		if strings.Contains(head+mid, CompareBegin) || strings.Contains(head+mid, CompareEnd) {
			return
		}
		doc := head + CompareBegin + mid + CompareEnd + tail
		out, err := ReplaceBetween([]byte(doc), CompareBegin, CompareEnd, body)
		if err != nil {
			t.Fatal(err)
		}
		want := head + CompareBegin + "\n" + strings.TrimRight(body, "\n") + "\n" + CompareEnd + tail
		if string(out) != want {
			t.Fatalf("got %q want %q", out, want)
		}
	})
}

// Every sample is counted once, and the gap never exceeds the loop.
func FuzzSummarize(f *testing.F) {
	f.Add([]byte{1, 0, 0, 1, 2, 1})
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0})
	f.Fuzz(func(t *testing.T, pattern []byte) {
		t0 := time.Unix(0, 0)
		var ss []Sample
		for i, b := range pattern {
			s := Sample{Start: t0.Add(time.Duration(i) * 50 * time.Millisecond)}
			switch b % 3 {
			case 0:
				s.Err = "timeout"
			case 1:
				s.Status, s.Body = 200, "server1"
			default:
				s.Status = 503
			}
			ss = append(ss, s)
		}
		end := t0.Add(time.Duration(len(pattern)) * 50 * time.Millisecond)
		sum := Summarize(ss, t0, end)
		ok := 0
		for _, n := range sum.Bodies {
			ok += n
		}
		if ok+sum.Failed != sum.Total || sum.Total != len(ss) {
			t.Fatalf("ok %d + failed %d != total %d", ok, sum.Failed, sum.Total)
		}
		if sum.Gap < 0 || sum.Gap > end.Sub(t0) {
			t.Fatalf("gap %s outside [0, %s]", sum.Gap, end.Sub(t0))
		}
		if (sum.Failed == 0) != (sum.Gap == 0) {
			t.Fatalf("failed %d but gap %s", sum.Failed, sum.Gap)
		}
	})
}
