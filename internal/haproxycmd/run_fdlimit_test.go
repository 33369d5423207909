package haproxycmd

import (
	"errors"
	"reflect"
	"testing"
)

// fakeRlimit is a process limit where only root-like callers may raise the
// hard limit (canRaiseHard).
type fakeRlimit struct {
	l            fdLimit
	canRaiseHard bool
}

func (f *fakeRlimit) get() (fdLimit, error) { return f.l, nil }
func (f *fakeRlimit) set(l fdLimit) error {
	if l.Cur > l.Max || (l.Max > f.l.Max && !f.canRaiseHard) {
		return errors.New("EPERM")
	}
	f.l = l
	return nil
}

func TestRaiseFDLimit(t *testing.T) {
	const tooLow = "[haproxy.main()] FD limit (20000) too low for maxconn=10000/maxsock=20028. Please raise 'ulimit-n' to 20028 or more to avoid any trouble."
	for _, tc := range []struct {
		name             string
		start            fdLimit
		canRaiseHard     bool
		maxconn, maxsock int
		ulimitN, hard    int
		strict           bool
		want             fdLimitOutcome
		end              fdLimit
	}{
		{name: "enough already: left alone", start: fdLimit{20000, 20000}, maxconn: 1000, maxsock: 2028, strict: true,
			want: fdLimitOutcome{UlimitN: 2028}, end: fdLimit{20000, 20000}},
		{name: "soft raised to maxsock", start: fdLimit{1024, 20000}, maxconn: 1000, maxsock: 2028, strict: true,
			want: fdLimitOutcome{UlimitN: 2028}, end: fdLimit{2028, 20000}},
		{name: "hard raised when allowed", start: fdLimit{1024, 4096}, canRaiseHard: true, maxconn: 10000, maxsock: 20028, strict: true,
			want: fdLimitOutcome{UlimitN: 20028}, end: fdLimit{20028, 20028}},
		{name: "strict: fatal", start: fdLimit{20000, 20000}, maxconn: 10000, maxsock: 20028, strict: true,
			want: fdLimitOutcome{Alerts: []string{"[haproxy.main()] Cannot raise FD limit to 20028, limit is 20000."}, Fatal: true, UlimitN: 20028},
			end:  fdLimit{20000, 20000}},
		{name: "no strict-limits: soft to hard, warn and alert", start: fdLimit{1024, 20000}, maxconn: 10000, maxsock: 20028,
			want: fdLimitOutcome{Warnings: []string{"[haproxy.main()] Cannot raise FD limit to 20028, limit is 20000."},
				Alerts: []string{tooLow}, UlimitN: 20000},
			end: fdLimit{20000, 20000}},
	} {
		f := &fakeRlimit{l: tc.start, canRaiseHard: tc.canRaiseHard}
		got := raiseFDLimit(fdLimitWant{Maxconn: tc.maxconn, Maxsock: tc.maxsock, UlimitN: tc.ulimitN, HardLimit: tc.hard, Strict: tc.strict}, f.get, f.set)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: outcome\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
		if f.l != tc.end {
			t.Errorf("%s: limit %+v, want %+v", tc.name, f.l, tc.end)
		}
	}
}

// ulimit-n and fd-hard-limit, as measured with haproxy 2.6.12 under a
// 20000/20000 limit (show info's Ulimit-n is the outcome's UlimitN).
func TestRaiseFDLimitConfigured(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    fdLimitWant
		want fdLimitOutcome
	}{
		{"ulimit-n under the limit: left alone", fdLimitWant{Maxconn: 1000, Maxsock: 2028, UlimitN: 500, Strict: true},
			fdLimitOutcome{UlimitN: 500}},
		{"ulimit-n over the hard limit", fdLimitWant{Maxconn: 9986, Maxsock: 20000, UlimitN: 30000, Strict: true},
			fdLimitOutcome{Alerts: []string{"[haproxy.main()] Cannot raise FD limit to 30000, limit is 20000."}, Fatal: true, UlimitN: 30000}},
		{"negative ulimit-n", fdLimitWant{Maxconn: 9986, Maxsock: 20000, UlimitN: -5, Strict: true},
			fdLimitOutcome{Alerts: []string{"[haproxy.main()] Cannot raise FD limit to -5, limit is 20000."}, Fatal: true, UlimitN: 1<<64 - 5}},
		{"maxsock over fd-hard-limit", fdLimitWant{Maxconn: 5000, Maxsock: 10028, HardLimit: 3000, Strict: true},
			fdLimitOutcome{Alerts: []string{"[haproxy.main()] Cannot raise FD limit to 10028, limit is 3000."}, Fatal: true, UlimitN: 10028}},
		{"ulimit-n over fd-hard-limit", fdLimitWant{Maxconn: 1486, Maxsock: 3000, UlimitN: 8000, HardLimit: 3000, Strict: true},
			fdLimitOutcome{Alerts: []string{"[haproxy.main()] Cannot raise FD limit to 8000, limit is 3000."}, Fatal: true, UlimitN: 8000}},
		{"no strict-limits: fd-hard-limit does not cap the fallback", fdLimitWant{Maxconn: 5000, Maxsock: 10028, HardLimit: 3000},
			fdLimitOutcome{Warnings: []string{"[haproxy.main()] Cannot raise FD limit to 10028, limit is 20000."}, UlimitN: 20000}},
		{"fd-hard-limit over maxsock", fdLimitWant{Maxconn: 1486, Maxsock: 3000, HardLimit: 3000, Strict: true},
			fdLimitOutcome{UlimitN: 3000}},
		{"negative fd-hard-limit caps nothing here", fdLimitWant{Maxconn: 100, Maxsock: 228, HardLimit: -5, Strict: true},
			fdLimitOutcome{UlimitN: 228}},
	} {
		f := &fakeRlimit{l: fdLimit{20000, 20000}}
		if got := raiseFDLimit(tc.w, f.get, f.set); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: outcome\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
		if f.l != (fdLimit{20000, 20000}) {
			t.Errorf("%s: limit changed to %+v", tc.name, f.l)
		}
	}
}
