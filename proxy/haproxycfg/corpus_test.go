package haproxycfg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// buildsAndRuns is the mapping's contract: a configuration the parser
// accepts maps to a proxy.Config that proxy.New accepts, with every
// notice marked as goha's and positioned.
// hostFiles=false drops errorfiles first: CheckBytes takes every file as
// present, the fuzzer's are not.
func buildsAndRuns(t *testing.T, name string, data []byte, hostFiles bool) {
	res := haproxy.CheckBytes(name, data, func(string) (string, bool) { return "", false })
	if res.Exit == 1 || res.Config == nil {
		return
	}
	p := Build(res.Config)
	for _, d := range p.Notices.List {
		if !d.Goha || d.Line <= 0 || !strings.Contains(d.Text, "parsed but not supported yet.") {
			t.Errorf("%s: bad notice %+v", name, d)
		}
	}
	if !hostFiles {
		for _, fe := range p.Proxy.Frontends {
			fe.ErrorFiles = nil
		}
		for _, be := range p.Proxy.Backends {
			be.ErrorFiles = nil
		}
	}
	_, err := proxy.New(p.Proxy, proxy.Options{})
	if err != nil {
		t.Errorf("%s: proxy.New refused the mapping: %v", name, err)
	}
}

// TestCorpusMaps runs every configuration of testdata/haproxy (what the
// real HAProxy accepts or rejects) and the seed through the contract.
func TestCorpusMaps(t *testing.T) {
	// errorfile paths are relative to where haproxy ran for the goldens.
	t.Chdir("../../testdata/haproxy")
	files, _ := filepath.Glob("*.cfg")
	files = append(files, "../seed/haproxy.cfg")
	if len(files) < 10 {
		t.Fatalf("corpus not found: %d files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		buildsAndRuns(t, filepath.Base(f), data, true)
	}
}

func FuzzBuild(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/haproxy/*.cfg")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		buildsAndRuns(t, "fuzz.cfg", data, false)
	})
}
