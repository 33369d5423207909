package check

import (
	"strings"
	"testing"
	"time"
)

// Transitions as measured on haproxy 2.6 with rise 2 fall 3 (see doc.go):
// the status column is what its log-health-checks lines print.
func TestHealthTransitions(t *testing.T) {
	h := NewHealth(2, 3)
	steps := []struct {
		pass            bool
		status          string
		changed, flip   bool
		up, full, zeroH bool
	}{
		// a fresh server is UP but one failure takes it down
		{pass: false, status: "0/2 DOWN", changed: true, flip: true, zeroH: true},
		{pass: false, status: "0/2 DOWN", zeroH: true},
		{pass: true, status: "1/2 DOWN", changed: true},
		{pass: false, status: "0/2 DOWN", changed: true, zeroH: true},
		{pass: true, status: "1/2 DOWN", changed: true},
		{pass: true, status: "3/3 UP", changed: true, flip: true, up: true, full: true},
		{pass: true, status: "3/3 UP", up: true, full: true},
		{pass: false, status: "2/3 UP", changed: true, up: true},
		{pass: true, status: "3/3 UP", changed: true, up: true, full: true},
		{pass: false, status: "2/3 UP", changed: true, up: true},
		{pass: false, status: "1/3 UP", changed: true, up: true},
		{pass: false, status: "0/2 DOWN", changed: true, flip: true, zeroH: true},
	}
	for i, st := range steps {
		changed, flip := h.Observe(st.pass)
		if got := h.Status(); got != st.status || changed != st.changed || flip != st.flip || h.Up() != st.up || h.Full() != st.full || (h.Value() == 0) != st.zeroH {
			t.Fatalf("step %d (pass=%v): status %q changed %v flip %v up %v full %v value %d; want %+v",
				i, st.pass, got, changed, flip, h.Up(), h.Full(), h.Value(), st)
		}
	}
}

func TestHealthFreshServerSuccess(t *testing.T) {
	h := NewHealth(2, 3)
	if !h.Up() || h.Full() {
		t.Fatalf("fresh: up %v full %v", h.Up(), h.Full())
	}
	if changed, flip := h.Observe(true); !changed || flip || h.Status() != "3/3 UP" {
		t.Fatalf("first success: %v %v %s", changed, flip, h.Status())
	}
}

func TestHealthRiseFallOne(t *testing.T) {
	h := NewHealth(1, 1)
	var got []string
	for _, p := range []bool{true, false, false, true, true, false} {
		h.Observe(p)
		got = append(got, h.Status())
	}
	if want := "1/1 UP 0/1 DOWN 0/1 DOWN 1/1 UP 1/1 UP 0/1 DOWN"; strings.Join(got, " ") != want {
		t.Errorf("got %v", got)
	}
}

// Property: from fully UP it takes exactly fall failures to go down, and
// from fully DOWN exactly rise successes to come up, for any rise/fall.
func TestHealthRiseFallCounts(t *testing.T) {
	for rise := 1; rise <= 6; rise++ {
		for fall := 1; fall <= 6; fall++ {
			h := NewHealth(rise, fall)
			h.Observe(true)
			n := 0
			for h.Up() {
				h.Observe(false)
				n++
			}
			if n != fall {
				t.Errorf("rise %d fall %d: down after %d failures", rise, fall, n)
			}
			n = 0
			for !h.Up() {
				h.Observe(true)
				n++
			}
			if n != rise {
				t.Errorf("rise %d fall %d: up after %d successes", rise, fall, n)
			}
		}
	}
}

func TestIntervals(t *testing.T) {
	iv := Intervals{Inter: time.Second, FastInter: 200 * time.Millisecond, DownInter: 3 * time.Second}
	h := NewHealth(2, 3)
	if d := iv.Next(h); d != 200*time.Millisecond {
		t.Errorf("fresh (not full): %v", d)
	}
	h.Observe(true)
	if d := iv.Next(h); d != time.Second {
		t.Errorf("full: %v", d)
	}
	h.Observe(false)
	if d := iv.Next(h); d != 200*time.Millisecond {
		t.Errorf("going down: %v", d)
	}
	h.Observe(false)
	h.Observe(false)
	if d := iv.Next(h); d != 3*time.Second {
		t.Errorf("down: %v", d)
	}
	h.Observe(true)
	if d := iv.Next(h); d != 200*time.Millisecond {
		t.Errorf("coming up: %v", d)
	}
	// inter 2s and fastinter/downinter = inter when the server line leaves
	// them out are filled by proxy/haproxycfg (TestCheckDefaultsFilled).
}

func TestCheckTimeouts(t *testing.T) {
	s := time.Millisecond
	for _, tc := range []struct {
		inter, connect, check time.Duration
		want                  Timeouts
	}{
		{1500 * s, 5000 * s, 0, Timeouts{1500 * s, 1500 * s}},
		{1500 * s, 300 * s, 700 * s, Timeouts{300 * s, 700 * s}},
		{1500 * s, 1000 * s, 700 * s, Timeouts{1000 * s, 1000 * s}},
		{1500 * s, 1000 * s, 2500 * s, Timeouts{1000 * s, 2500 * s}},
		{1500 * s, 0, 700 * s, Timeouts{1500 * s, 1500 * s}},
		// inter's own default (2s) is proxy/haproxycfg's: TestCheckDefaultsFilled
	} {
		if got := CheckTimeouts(tc.inter, tc.connect, tc.check); got != tc.want {
			t.Errorf("CheckTimeouts(%v, %v, %v) = %+v want %+v", tc.inter, tc.connect, tc.check, got, tc.want)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	for _, tc := range [][4]string{
		{"10.0.0.1:80", "", "0", "10.0.0.1:80"},
		{"10.0.0.1:80", "", "8080", "10.0.0.1:8080"},
		{"10.0.0.1:80", "127.0.0.1", "0", "127.0.0.1:80"},
		{"[::1]:80", "", "81", "[::1]:81"},
		{"10.0.0.1:80", "::1", "9", "[::1]:9"},
	} {
		port := 0
		if tc[2] != "0" {
			port = atoi(tc[2])
		}
		if got := CheckAddr(tc[0], tc[1], port); got != tc[3] {
			t.Errorf("CheckAddr(%q, %q, %d) = %q want %q", tc[0], tc[1], port, got, tc[3])
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
