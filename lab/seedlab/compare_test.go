package seedlab

import (
	"strings"
	"testing"
	"time"
)

func TestReplaceBetween(t *testing.T) {
	doc := "# x\n## How it compares\n" + CompareBegin + "\nold\nold\n" + CompareEnd + "\ntail\n"
	got, err := ReplaceBetween([]byte(doc), CompareBegin, CompareEnd, "new table\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# x\n## How it compares\n" + CompareBegin + "\nnew table\n" + CompareEnd + "\ntail\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	again, _ := ReplaceBetween(got, CompareBegin, CompareEnd, "new table")
	if string(again) != want {
		t.Errorf("not idempotent:\n%s", again)
	}
	for _, bad := range []string{"no markers", CompareEnd + CompareBegin, CompareBegin + " only"} {
		if _, err := ReplaceBetween([]byte(bad), CompareBegin, CompareEnd, "x"); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func TestCompareTable(t *testing.T) {
	t0 := time.Now()
	sum := func(failed int, gap time.Duration, rec bool, moved time.Duration) LoadResult {
		return LoadResult{Summary: Summary{Total: 100, Failed: failed, Gap: gap, Recovered: rec}, Moved: moved, MovedOK: moved > 0}
	}
	res := map[string][]ModeResult{
		"reference": {
			{Mode: "graceful stop", Load: sum(4, 850*time.Millisecond, true, 1040*time.Millisecond), OK: true},
			{Mode: "haproxy killed", Load: sum(60, 3*time.Second, false, 0), OK: true},
		},
		"goha": {
			{Mode: "graceful stop", Load: sum(0, 0, true, 660*time.Millisecond), OK: true},
			{Mode: "SIGKILL", Load: sum(10, 3*time.Second, true, 3100*time.Millisecond), OK: false},
		},
	}
	got := CompareTable([]string{"goha", "reference"}, res, "note")
	want := `| failure of lb1 (master) | goha: VIP on lb2 after | goha: gap | goha: failed requests | reference: VIP on lb2 after | reference: gap | reference: failed requests |
|---|---:|---:|---:|---:|---:|---:|
| graceful stop | 0.66 s | 0 s | 0 / 100 | 1.04 s | 0.85 s | 4 / 100 |
| SIGKILL | 3.10 s | 3.00 s ✗ | 10 / 100 | n/a | n/a | n/a |
| link down | n/a | n/a | n/a | n/a | n/a | n/a |
| haproxy killed | n/a | n/a | n/a | stays on lb1 | ≥ 3.00 s (no recovery) | 60 / 100 |
| haproxy killed, vrrp_script | n/a | n/a | n/a | n/a | n/a | n/a |

note
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(CompareNote(DefaultLoop(VIP+":80", 6*time.Second), 3, t0), "20 requests/s") {
		t.Error("note lacks the rate")
	}
}

func TestMedian(t *testing.T) {
	r := func(gap, moved time.Duration) ModeResult {
		return ModeResult{Load: LoadResult{Summary: Summary{Gap: gap}, Moved: moved}}
	}
	runs := []ModeResult{r(900*time.Millisecond, 1), r(600*time.Millisecond, 2), r(800*time.Millisecond, 3)}
	if got := Median(runs); got.Load.Summary.Gap != 800*time.Millisecond {
		t.Errorf("median gap %s, want 800ms", got.Load.Summary.Gap)
	}
	if got := Median(runs[:2]); got.Load.Summary.Gap != 600*time.Millisecond {
		t.Errorf("median of two: %s, want the lower (600ms)", got.Load.Summary.Gap)
	}
	ties := []ModeResult{r(0, 3*time.Second), r(0, time.Second), r(0, 2*time.Second)}
	if got := Median(ties); got.Load.Moved != 2*time.Second {
		t.Errorf("tie broken by move time: %s, want 2s", got.Load.Moved)
	}
	if got := Median(nil); got.Mode != "" {
		t.Errorf("empty: %+v", got)
	}
	if runs[0].Load.Summary.Gap != 900*time.Millisecond {
		t.Error("Median reordered its input")
	}
}
