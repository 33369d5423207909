package resolve

import "testing"

// The names HAProxy 2.6.12 asked about (or not) for do-resolve samples,
// seen by a DNS server logging its questions.
func TestHostName(t *testing.T) {
	for in, want := range map[string]string{
		"a.test": "a.test", "A.TEST": "a.test", "a.test.": "a.test", "a": "a", "": "",
		"a..test": "-", ".a.test": "-", "a.test..": "-", ".": "-", "a test": "a test",
	} {
		got, ok := HostName(in)
		if !ok {
			got = "-"
		}
		if got != want {
			t.Errorf("HostName(%q) = %q, want %q", in, got, want)
		}
	}
}
