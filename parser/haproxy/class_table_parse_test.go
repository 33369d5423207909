package haproxy

import (
	"reflect"
	"testing"
)

func TestParseClassTable(t *testing.T) {
	got, err := parseClassTable("# comment\n\nacl\tbase\timplemented\tproxy/acl\nbind\talpn\tunsupported\nglobal\tca-base\tinert unless TLS\tTLS setting\nglobal\tx\tinert\t\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []ClassRow{
		{"acl", "base", Implemented, "proxy/acl"},
		{"bind", "alpn", Unsupported, ""},
		{"global", "ca-base", InertUnlessTLS, "TLS setting"},
		{"global", "x", Inert, ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseClassTable = %v, want %v", got, want)
	}
	for _, bad := range []string{
		"acl\tbase",                         // no class
		"acl base implemented",              // spaces, not tabs
		"acl\tbase\timplemented\twhy\tmore", // five fields
		"acl\tbase\tunclassified",           // not a class a row may have
		"acl\tbase\tImplemented",            // classes are written as Class.String writes them
		"\tbase\tinert\twhy",                // empty kind
		"acl\t\tinert\twhy",                 // empty name
	} {
		if _, err := parseClassTable(bad + "\n"); err == nil {
			t.Errorf("parseClassTable(%q): no error", bad)
		}
	}
}

// A malformed embedded table stops the program at initialisation rather
// than running with a partial policy.
func TestMustParseClassTablePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("mustParseClassTable of a malformed row did not panic")
		}
	}()
	mustParseClassTable("acl\tbase\n")
}
