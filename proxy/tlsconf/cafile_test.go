package tlsconf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The transaction rules of `set|commit|abort|new|del ssl ca-file`, as
// HAProxy 2.6 applies them: one transaction per kind, about one file; a
// payload without PEM is refused, one without certificates is empty.
func TestCAFileTransactions(t *testing.T) {
	r := NewRegistry()
	dir := t.TempDir()
	path := filepath.Join(dir, "ca.pem")
	os.WriteFile(path, []byte(string(pemCert(t, "ca"))), 0o600)
	r.mu.Lock()
	s, err := r.useCAFile(path, false)
	r.mu.Unlock()
	if err != nil || len(s.certs) != 1 {
		t.Fatalf("load: %v %d", err, len(s.certs))
	}
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"set unknown", func() error { _, err := r.SetCAFile("/nope", false, []byte(string(pemCert(t, "ca")))); return err }, ErrNotReferenced},
		{"set garbage", func() error { _, err := r.SetCAFile(path, false, []byte("garbage\n")); return err }, errNoPEM},
		{"commit without txn", func() error { _, err := r.CommitCAFile(path, false); return err }, ErrNoTransaction},
		{"set a key only", func() error {
			_, err := r.SetCAFile(path, false, []byte("-----BEGIN X-----\nAAAA\n-----END X-----\n"))
			return err
		}, nil},
		{"commit another file", func() error { _, err := r.CommitCAFile("/other", false); return err }, ErrOtherTxn},
		{"del during txn", func() error { return r.DelCAFile(path, false) }, ErrOtherTxn},
		{"crl txn is apart", func() error { return r.AbortCAFile(path, true) }, ErrNoTransaction},
		{"commit", func() error { _, err := r.CommitCAFile(path, false); return err }, nil},
		{"del in use", func() error { return r.DelCAFile(path, false) }, ErrInUse},
		{"new existing", func() error { return r.NewCAFile(path, false) }, ErrExists},
		{"new", func() error { return r.NewCAFile("/n.pem", false) }, nil},
		{"del new", func() error { return r.DelCAFile("/n.pem", false) }, nil},
		{"del again", func() error { return r.DelCAFile("/n.pem", false) }, ErrNotReferenced},
	}
	for _, st := range steps {
		if err := st.do(); !errors.Is(err, st.want) {
			t.Errorf("%s: %v, want %v", st.name, err, st.want)
		}
	}
	if st, _ := r.CAFile(path, false); len(st.Certs) != 0 || st.Status != "Used" {
		t.Errorf("after the empty commit: %d certificates, %s", len(st.Certs), st.Status)
	}
}
