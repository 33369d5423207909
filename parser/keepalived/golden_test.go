package keepalived

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// goldenInterfaces are the interfaces of the namespace the goldens were
// captured in (see scripts that regenerate testdata/keepalived/*.golden).
var goldenInterfaces = []string{"lo", "ens160", "eth0", "eth1", "eth2", "eth3"}

// knownDifferences lists goldens gokeepalived does not reproduce yet, with
// the reason. Keep it short; never loosen the comparison instead.
var knownDifferences = map[string]string{}

var filePrefix = regexp.MustCompile(`^\([^()]*: Line (\d+)\) `)

// normaliseGolden turns keepalived's stderr into the set of distinct message
// lines, "(FILE: Line N)" written as "(Line N)".
func normaliseGolden(stderr string) []string {
	seen := map[string]bool{}
	for _, l := range strings.Split(stderr, "\n") {
		if l == "" {
			continue
		}
		seen[filePrefix.ReplaceAllString(l, "(Line $1) ")] = true
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// goldenArgs reads "! goha-args: ..." from a config.
func goldenArgs(conf []byte) []string {
	for _, l := range strings.Split(string(conf), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "! goha-args:"); ok {
			return strings.Fields(rest)
		}
	}
	return nil
}

func TestGoldenKeepalived(t *testing.T) {
	testGoldenDir(t, filepath.Join("..", "..", "testdata", "keepalived"), knownDifferences)
}

// The samples shipped with keepalived (doc/samples), captured the same way.
func TestGoldenKeepalivedSamples(t *testing.T) {
	testGoldenDir(t, filepath.Join("..", "..", "testdata", "keepalived", "samples"), map[string]string{})
}

func testGoldenDir(t *testing.T, dir string, knownDifferences map[string]string) {
	confs, _ := filepath.Glob(filepath.Join(dir, "*.conf"))
	if len(confs) == 0 {
		t.Skip("no golden corpus in " + dir)
	}
	t.Chdir(dir)
	for _, path := range confs {
		name := strings.TrimSuffix(filepath.Base(path), ".conf")
		t.Run(name, func(t *testing.T) {
			conf, err := os.ReadFile(name + ".conf")
			if err != nil {
				t.Fatal(err)
			}
			golden, err := os.ReadFile(name + ".golden")
			if err != nil {
				t.Skipf("no golden yet: %v", err)
			}
			first, stderr, _ := strings.Cut(string(golden), "\n")
			wantRC, err := strconv.Atoi(strings.TrimPrefix(first, "exit: "))
			if err != nil {
				t.Fatalf("bad golden header %q", first)
			}
			opts := Options{File: name + ".conf", ConfigID: DefaultConfigID(), Interfaces: goldenInterfaces,
				UserExists: func(n string) bool { return n == "root" || n == "nobody" }}
			args := goldenArgs(conf)
			for i := 0; i < len(args); i++ {
				if (args[i] == "-i" || args[i] == "--config-id") && i+1 < len(args) {
					opts.ConfigID = args[i+1]
					i++
				} else if v, ok := strings.CutPrefix(args[i], "--config-id="); ok {
					opts.ConfigID = v
				}
			}
			r := Lint(opts)
			got := MessageSet(r.Diagnostics)
			want := normaliseGolden(stderr)
			match := r.ExitCode == wantRC && strings.Join(got, "\n") == strings.Join(want, "\n")
			if reason, ok := knownDifferences[name]; ok {
				if match {
					t.Fatalf("listed as a known difference (%s) but matches now: remove it from the list", reason)
				}
				t.Skipf("known difference: %s", reason)
			}
			if !match {
				t.Errorf("exit %d, want %d\n--- got\n%s\n--- want\n%s\n--- full output\n%s", r.ExitCode, wantRC,
					strings.Join(got, "\n"), strings.Join(want, "\n"), Format(r.Diagnostics))
			}
		})
	}
}
