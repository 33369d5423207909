package haproxy

import (
	"reflect"
	"strings"
	"testing"
)

// TestPatternRef: one reference per file name; only the first use of a
// missing file fails, and one- and two-column uses do not mix.
func TestPatternRef(t *testing.T) {
	st := &state{lookups: systemLookups{Readable: func(p string) bool { return p == "ok.lst" }}}
	steps := []struct {
		name string
		two  bool
		want string
	}{
		{"missing.lst", false, "failed to open pattern file <missing.lst>"},
		{"missing.lst", false, ""},
		{"missing.lst", true, `The file "missing.lst" is already used as one column file and cannot be used by as two column file.`},
		{"ok.lst", true, ""},
		{"ok.lst", false, `The file "ok.lst" is already used as two column file and cannot be used by as one column file.`},
	}
	for i, s := range steps {
		if got := st.patternRef(s.name, s.two); got != s.want {
			t.Errorf("step %d %s: %q, want %q", i, s.name, got, s.want)
		}
	}
}

func TestMapConvertersAndReplyFiles(t *testing.T) {
	if got := splitTopLevel("req.hdr(host,1),lower,map_dom(/a.map,x)"); !reflect.DeepEqual(got, []string{"req.hdr(host,1)", "lower", "map_dom(/a.map,x)"}) {
		t.Errorf("splitTopLevel = %q", got)
	}
	st := &state{lookups: systemLookups{Readable: func(p string) bool { return p == "/ok" }}}
	if got := st.mapConverters("src,map_ip(/ok),map_str(/no.map,d)"); got != "invalid args in converter 'map_str' : failed to open pattern file </no.map>" {
		t.Errorf("mapConverters = %q", got)
	}
	rule := HTTPRule{Action: "set-header", Args: []string{"X", "a %[src,map(/no2.map)] b"}}
	if got := st.ruleSampleMaps(rule); got != "failed to parse sample expression <src,map(/no2.map)] b> : invalid args in converter 'map' : failed to open pattern file </no2.map>." {
		t.Errorf("ruleSampleMaps = %q", got)
	}
	for args, want := range map[string]string{
		"status 200 errorfile /no":       "error opening file '/no'.",
		"status 200 lf-file /no":         "error opening file '/no'",
		"status 200 file /ok":            "",
		"status 200 hdr file x string y": "",
		"status 200 string file":         "",
	} {
		if got := st.replyFile(strings.Fields(args)); got != want {
			t.Errorf("replyFile(%s) = %q, want %q", args, got, want)
		}
	}
}
