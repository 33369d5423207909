package keepalived

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// A row's Range is what the handler checks: one past either bound is
// keepalived's "outside range" message quoting the row's bounds, at the
// keyword's line; the bounds themselves are accepted.
func TestRowRangesAreChecked(t *testing.T) {
	wrap := map[*Table]func(kw string) string{
		globalDefsTable: func(kw string) string { return "global_defs {\n" + kw + "\n}\n" },
		vrrpInstanceTable: func(kw string) string {
			return "vrrp_instance V {\n" + kw + "\n interface eth0\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.9\n }\n}\n"
		},
		vrrpScriptTable: func(kw string) string { return "vrrp_script chk {\n" + kw + "\n script /bin/true\n}\n" },
		trackFileTable:  func(kw string) string { return "track_file f {\n" + kw + "\n file /tmp/f\n}\n" },
	}
	lint := func(conf string) []Diagnostic {
		return Lint(Options{File: "k.conf", Data: []byte(conf), ConfigID: "lb", Interfaces: []string{"lo", "eth0"},
			UserExists: func(string) bool { return true }, FileMode: func(string) (os.FileMode, bool) { return 0o755, true }}).Diagnostics
	}
	rangeMsg := func(d []Diagnostic) string {
		for _, x := range d {
			if x.Class == ClassInvalidNumber && x.Line == 2 {
				return x.Message
			}
		}
		return ""
	}
	checked := 0
	for tab, conf := range wrap {
		for _, k := range tab.order {
			r := k.Range
			if r == nil {
				continue
			}
			checked++
			step := 1.0
			if r.Kind == numTimer {
				step = 0.5
			}
			bounds := fmt.Sprintf("[%s, %s]", r.lo(), r.hi())
			if r.Kind == numTimer {
				bounds = fmt.Sprintf("[%f, %f]", r.Min, r.Max)
			}
			for _, v := range []float64{r.Max + step, r.Min - step} {
				if v < 0 && r.Kind == numUnsigned {
					continue // read_unsigned reports a negative number, not a range
				}
				val := strconv.FormatFloat(v, 'f', -1, 64)
				got := rangeMsg(lint(conf(" " + k.Name + " " + val)))
				want := "outside range " + bounds
				if r.Max == 1<<31-1 && r.Kind == numInt || r.Max == 1<<32-1 {
					// the row spans the C type: read_int/read_unsigned's own limit speaks
					want = "integer range"
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s %s %s: range message %q, want it to contain %q", tab.Name, k.Name, val, got, want)
				}
			}
			for _, v := range []float64{r.Min, r.Max} {
				val := strconv.FormatFloat(v, 'f', -1, 64)
				if got := rangeMsg(lint(conf(" " + k.Name + " " + val))); got != "" {
					t.Errorf("%s %s %s: bound refused: %s", tab.Name, k.Name, val, got)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d ranged rows checked", checked)
	}
}
