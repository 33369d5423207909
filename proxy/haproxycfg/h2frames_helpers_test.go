package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// h2FieldList is a HEADERS frame's fields, in order, as "name: value"
// joined with ", ".
func h2FieldList(f *http2.MetaHeadersFrame) string {
	var s []string
	for _, h := range f.Fields {
		s = append(s, h.Name+": "+h.Value)
	}
	return strings.Join(s, ", ")
}

// h2SettingList is a SETTINGS frame's settings, in order, space-separated.
func h2SettingList(f *http2.SettingsFrame) string {
	var s []string
	f.ForeachSetting(func(x http2.Setting) error { s = append(s, x.String()); return nil })
	return strings.Join(s, " ")
}

// h2FrameLine is how the client-side tests write down a frame they
// compare: HEADERS with its END_STREAM (and its fields with fields), DATA
// with its END_STREAM and bytes, RST_STREAM with its code; "" for any
// other frame (the callers write GOAWAY each their way).
func h2FrameLine(f http2.Frame, fields bool) string {
	switch f := f.(type) {
	case *http2.MetaHeadersFrame:
		if fields {
			return fmt.Sprintf("HEADERS end=%v %s", f.StreamEnded(), h2FieldList(f))
		}
		return fmt.Sprintf("HEADERS end=%v", f.StreamEnded())
	case *http2.DataFrame:
		return fmt.Sprintf("DATA end=%v %q", f.StreamEnded(), f.Data())
	case *http2.RSTStreamFrame:
		return "RST_STREAM " + f.ErrCode.String()
	}
	return ""
}

// h2CaseResult is what one HTTP/2 client case left with each daemon
// (haproxy first): what the client saw, what the server got (from seen,
// "nothing" after 2 s) and the log lines.
type h2CaseResult struct {
	got, srv [2]string
	logs     [2][]string
}

// h2CaseBoth runs a case with HAProxy then goha (run gets each one's
// address), logs both and compares the three.
func h2CaseBoth(t *testing.T, name, ha, goha string, haLog, goLog chan string, seen chan string, run func(addr string) string) h2CaseResult {
	t.Helper()
	var r h2CaseResult
	for i, addr := range []string{ha, goha} {
		r.got[i] = run(addr)
		select {
		case r.srv[i] = <-seen:
		case <-time.After(2 * time.Second):
			r.srv[i] = "nothing"
		}
		r.logs[i] = awaitLines([]chan string{haLog, goLog}[i], 2*time.Second, 200*time.Millisecond)
	}
	t.Logf("%s:\nhaproxy %q\n  %q\n  server %q\ngoha    %q\n  %q\n  server %q", name, r.got[0], r.logs[0], r.srv[0], r.got[1], r.logs[1], r.srv[1])
	if r.got[0] != r.got[1] {
		t.Errorf("%s: the client saw\nhaproxy %q\ngoha    %q", name, r.got[0], r.got[1])
	}
	if r.srv[0] != r.srv[1] {
		t.Errorf("%s: the server got\nhaproxy %q\ngoha    %q", name, r.srv[0], r.srv[1])
	}
	if strings.Join(r.logs[0], "\n") != strings.Join(r.logs[1], "\n") {
		t.Errorf("%s: logs\nhaproxy %q\ngoha    %q", name, r.logs[0], r.logs[1])
	}
	return r
}
