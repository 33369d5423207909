package haproxy

import (
	"reflect"
	"testing"
)

// TestTypedCookie: the typed `cookie` line, including HAProxy's keeping
// of earlier `attr` values (a defaults section's too) on a new line.
func TestTypedCookie(t *testing.T) {
	for _, tc := range []struct {
		lines string
		want  *Cookie
	}{
		{"", nil},
		{"    cookie SRV\n", &Cookie{Name: "SRV"}},
		{"    cookie SRV insert indirect nocache postonly preserve httponly secure dynamic domain .a.b domain c.d maxidle 30m maxlife 2h attr x=1 attr y\n",
			&Cookie{Name: "SRV", Insert: true, Indirect: true, NoCache: true, PostOnly: true, Preserve: true, HTTPOnly: true, Secure: true,
				Dynamic: true, Domains: []string{".a.b", "c.d"}, MaxIdle: 1800, MaxLife: 7200, Attrs: []string{"x=1", "y"}}},
		{"    cookie A prefix attr p=1\n    cookie B rewrite maxidle 10\n", &Cookie{Name: "B", Rewrite: true, MaxIdle: 10, Attrs: []string{"p=1"}}},
	} {
		be := backendOf(t, tc.lines)
		got := be.Cookie
		if got != nil {
			c := *got
			c.Pos = Pos{}
			got = &c
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %+v, want %+v", tc.lines, got, tc.want)
		}
	}
}

func TestTypedPersistRules(t *testing.T) {
	be := backendOf(t, "    acl a src 10.0.0.0/8\n    force-persist if a\n    ignore-persist unless { path_beg /x }\n    persist rdp-cookie(user)\n    dynamic-cookie-key k\n")
	if len(be.PersistRules) != 2 || !be.PersistRules[0].Force || be.PersistRules[1].Force || !be.PersistRules[1].Cond.Unless {
		t.Errorf("rules %+v", be.PersistRules)
	}
	if be.PersistRDPCookie != "user" || be.DynamicCookieKey != "k" {
		t.Errorf("rdp %q key %q", be.PersistRDPCookie, be.DynamicCookieKey)
	}
}
