package seedlab

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden configs in testdata/")

func seedFiles(t *testing.T) Files {
	t.Helper()
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	f, err := LoadFiles(filepath.Join(root, "testdata", "seed"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The configs the lab derives from the seed, kept as files next to this
// package so they can be read (and diffed against the seed) as written.
func TestVariantGoldens(t *testing.T) {
	f := seedFiles(t)
	variants := []struct {
		file string
		seed []byte
		conf []byte
	}{
		{"keepalived-lb1-accept.conf", f.KeepalivedLB1, WithAccept(f.KeepalivedLB1)},
		{"keepalived-lb2-accept.conf", f.KeepalivedLB2, WithAccept(f.KeepalivedLB2)},
		{"keepalived-lb1-track-haproxy.conf", f.KeepalivedLB1, WithTrackHaproxy(WithAccept(f.KeepalivedLB1))},
		{"keepalived-lb2-track-haproxy.conf", f.KeepalivedLB2, WithTrackHaproxy(WithAccept(f.KeepalivedLB2))},
		{"keepalived-lb1-active-active.conf", f.KeepalivedLB1, WithAccept(ActiveActive(f.KeepalivedLB1, false))},
		{"keepalived-lb2-active-active.conf", f.KeepalivedLB2, WithAccept(ActiveActive(f.KeepalivedLB2, true))},
	}
	for _, v := range variants {
		t.Run(v.file, func(t *testing.T) {
			if missing := missingLines(v.seed, v.conf); len(missing) > 0 {
				t.Errorf("variant drops or reorders seed lines: %q", missing)
			}
			path := filepath.Join("testdata", v.file)
			if *update {
				if err := os.WriteFile(path, v.conf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestVariantGoldens -update)", err)
			}
			if string(want) != string(v.conf) {
				t.Errorf("%s differs from the generated config:\n%s", path, v.conf)
			}
		})
	}
}

// missingLines returns the seed lines that do not appear, in order, in
// variant.
func missingLines(seed, variant []byte) []string {
	vl := strings.Split(string(variant), "\n")
	j := 0
	var missing []string
	for _, l := range strings.Split(string(seed), "\n") {
		for j < len(vl) && vl[j] != l {
			j++
		}
		if j == len(vl) {
			missing = append(missing, l)
			j = 0
			continue
		}
		j++
	}
	return missing
}

func TestWithAcceptPlacement(t *testing.T) {
	in := "vrrp_instance a {\n    advert_int 1\n    priority 9\n}\nvrrp_instance b {\n\tadvert_int 2\n}"
	want := "vrrp_instance a {\n    advert_int 1\n    version 3\n    accept\n    priority 9\n}\nvrrp_instance b {\n\tadvert_int 2\n\tversion 3\n\taccept\n}"
	if got := string(WithAccept([]byte(in))); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestWithTrackHaproxy(t *testing.T) {
	got := string(WithTrackHaproxy([]byte("global_defs {\n}\n\nvrrp_instance a {\n    advert_int 1\n}\n")))
	if !strings.Contains(got, "vrrp_script chk_haproxy {\n    script \""+TrackScriptPath+"\"") {
		t.Errorf("no vrrp_script block:\n%s", got)
	}
	if strings.Index(got, "vrrp_script") > strings.Index(got, "vrrp_instance") {
		t.Errorf("vrrp_script must come before the instance that tracks it:\n%s", got)
	}
	if !strings.Contains(got, "    advert_int 1\n    track_script {\n        chk_haproxy\n    }\n") {
		t.Errorf("no track_script in the instance:\n%s", got)
	}
}

func TestMissingLines(t *testing.T) {
	if m := missingLines([]byte("a\nb\nc"), []byte("a\nx\nb\ny\nc")); len(m) != 0 {
		t.Errorf("superset reported missing %q", m)
	}
	if m := missingLines([]byte("a\nb\nc"), []byte("a\nc")); len(m) != 1 || m[0] != "b" {
		t.Errorf("got %q, want [b]", m)
	}
}
