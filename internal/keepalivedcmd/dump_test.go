package keepalivedcmd

import (
	"os"
	"path/filepath"
	"testing"
)

// The dumps are written as keepalived writes them: mode 0600, replacing
// whatever was at the path (a wider mode, a symbolic link) without
// following it.
func TestWritePrivate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "keepalived.data")
	if err := os.WriteFile(p, []byte("old and longer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "keepalived.stats")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{p, link, filepath.Join(dir, "keepalived.json")} {
		if err := writePrivate(path, []byte("dump\n")); err != nil {
			t.Fatal(err)
		}
		st, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", path, st.Mode())
		}
		if b, _ := os.ReadFile(path); string(b) != "dump\n" {
			t.Errorf("%s: %q", path, b)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep\n" {
		t.Errorf("the symbolic link was followed: victim holds %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.*.*")); len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
}
