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
		got := raiseFDLimit(tc.maxconn, tc.maxsock, tc.strict, f.get, f.set)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: outcome\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
		if f.l != tc.end {
			t.Errorf("%s: limit %+v, want %+v", tc.name, f.l, tc.end)
		}
	}
}
