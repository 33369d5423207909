package haproxycfg

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// The randomized differential tests of samples (sample_fuzz_diff_test.go)
// share this harness: a seed (GOHA_SAMPLE_SEED, a number or "random";
// a fixed default so the suite is repeatable) draws both the expressions
// (their arguments) and the requests; every expression sits on a line of
// its own, the lines HAProxy 2.6 refuses at -c must be exactly the lines
// goha refuses, and the accepted ones print through return lf-string in
// groups (one path each) for every request, compared byte for byte.

// fuzzSeed is the seed of a run: the environment's, or def.
func fuzzSeed(t *testing.T, def uint64) uint64 {
	s := os.Getenv("GOHA_SAMPLE_SEED")
	switch s {
	case "":
		return def
	case "random":
		return uint64(time.Now().UnixNano())
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("GOHA_SAMPLE_SEED=%q: %v", s, err)
	}
	return n
}

// pick returns one of xs.
func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// fuzzExprLine is the configuration line that prints expression e (a
// sample expression, or an ACL condition when cond) alone.
func fuzzExprLine(e string, i int, cond bool) string {
	if cond {
		return fmt.Sprintf("    http-request return status 200 content-type text/plain string %d if { path /c%d } %s\n", i, i, e)
	}
	return fmt.Sprintf("    http-request return status 200 content-type text/plain lf-string '[%%[%s]]' if { path /c%d }\n", e, i)
}

var alertLine = regexp.MustCompile(`\[ALERT\].*\[[^\]]*\.cfg:(\d+)\]`)

// fuzzAccepted checks each of exprs on a line of its own (after head) at
// -c, by HAProxy and by goha: the two must refuse the same lines. It
// returns the expressions both accept.
func fuzzAccepted(t *testing.T, seed uint64, head string, exprs []string, cond bool) []string {
	t.Helper()
	var b strings.Builder
	b.WriteString(head)
	first := strings.Count(head, "\n") + 1
	for i, e := range exprs {
		b.WriteString(fuzzExprLine(e, i, cond))
	}
	cfg := strings.ReplaceAll(b.String(), "BIND", "127.0.0.1:1")
	haRefused, out := haproxyRefused(t, cfg, first, len(exprs))
	res := haproxy.CheckBytes("c.cfg", []byte(cfg), nil)
	if res.Config != nil {
		res.Diags.List = append(res.Diags.List, Build(res.Config).Notices.List...)
		haproxy.ApplyPolicy(res, false)
	}
	goRefused := map[int]string{}
	for _, d := range res.Diags.List {
		if d.Severity == haproxy.Alert && d.Line >= first {
			goRefused[d.Line-first] = d.Text
		}
	}
	var kept []string
	for i, e := range exprs {
		switch {
		case haRefused[i] && goRefused[i] == "":
			t.Errorf("seed %d: HAProxy refuses %q, goha accepts it\n%s", seed, e, bytes.TrimSpace(out))
		case !haRefused[i] && goRefused[i] != "":
			t.Errorf("seed %d: goha refuses %q (%s), HAProxy accepts it", seed, e, goRefused[i])
		case !haRefused[i]:
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		t.Fatalf("seed %d: -c output:\n%s", seed, out)
	}
	return kept
}

// haproxyRefused runs HAProxy's -c on cfg until it passes, each time
// taking out the line of the first alert (HAProxy stops at a fatal one):
// it returns the indexes, counted from line first, of the n expression
// lines refused, and the alerts.
func haproxyRefused(t *testing.T, cfg string, first, n int) (map[int]bool, []byte) {
	t.Helper()
	lines := strings.SplitAfter(cfg, "\n")
	path := filepath.Join(t.TempDir(), "c.cfg")
	refused, alerts := map[int]bool{}, []byte{}
	for round := 0; round <= n; round++ {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("haproxy", "-c", "-f", path).CombinedOutput()
		if err == nil {
			return refused, alerts
		}
		m := alertLine.FindSubmatch(out)
		if m == nil {
			t.Fatalf("haproxy -c:\n%s", out)
		}
		l, _ := strconv.Atoi(string(m[1]))
		if l < first || l >= first+n || refused[l-first] {
			t.Fatalf("haproxy -c refuses line %d:\n%s", l, out)
		}
		refused[l-first] = true
		lines[l-1] = "#\n"
		alerts = append(alerts, m[0]...)
		alerts = append(alerts, '\n')
	}
	t.Fatalf("haproxy -c never passes")
	return nil, nil
}

// fuzzConfig prints exprs in groups of per, the group on path /g<n>: each
// answer is the values in order, "|" before each.
func fuzzConfig(head string, exprs []string, per int, cond bool) (cfg string, groups int) {
	var b strings.Builder
	b.WriteString(head)
	for g := 0; g*per < len(exprs); g++ {
		end := min(len(exprs), (g+1)*per)
		if cond {
			for i := g * per; i < end; i++ {
				fmt.Fprintf(&b, "    http-request set-var(txn.a%d) bool(1) if { path_beg /g%d } %s\n", i, g, exprs[i])
			}
			b.WriteString("    http-request return status 200 content-type text/plain lf-string '")
			for i := g * per; i < end; i++ {
				fmt.Fprintf(&b, "|%%[var(txn.a%d)]", i)
			}
		} else {
			b.WriteString("    http-request return status 200 content-type text/plain lf-string '")
			for i := g * per; i < end; i++ {
				fmt.Fprintf(&b, "|%%[%s]", exprs[i])
			}
		}
		fmt.Fprintf(&b, "' if { path_beg /g%d }\n", g)
		groups++
	}
	b.WriteString("    http-request return status 404\n")
	return b.String(), groups
}

// fuzzRun sends every request (with "/G" in its target replaced by the
// group path) to both sides for every group and compares the answers.
// It returns the number of answers compared.
func fuzzRun(t *testing.T, seed uint64, ha, goha string, exprs []string, per int, reqs []string) int {
	t.Helper()
	n, bad := 0, 0
	groups := (len(exprs) + per - 1) / per
	for i, raw := range reqs {
		for g := 0; g < groups; g++ {
			r := strings.Replace(raw, "/G", fmt.Sprintf("/g%d", g), 1)
			want, _ := exchangeFrom(t, "", ha, r, 2*time.Second)
			got, _ := exchangeFrom(t, "", goha, r, 2*time.Second)
			n++
			if !bytes.Equal(want, got) {
				bad++
				if bad <= 10 {
					t.Errorf("seed %d request %d: %q\n%s", seed, i, r, fuzzWhich(exprs[g*per:min(len(exprs), (g+1)*per)], body(want), body(got)))
				}
			}
		}
	}
	if bad > 10 {
		t.Errorf("seed %d: %d answers differ in all", seed, bad)
	}
	return n
}

// fuzzWhich names the expressions whose values differ when both answers
// have one value per expression, else shows the answers.
func fuzzWhich(exprs []string, want, got []byte) string {
	w, g := strings.Split(string(want), "|"), strings.Split(string(got), "|")
	if len(w) != len(exprs)+1 || len(g) != len(w) {
		return fmt.Sprintf("haproxy: %q\ngoha:    %q", want, got)
	}
	var b strings.Builder
	for i, e := range exprs {
		if w[i+1] != g[i+1] {
			fmt.Fprintf(&b, "%s: haproxy %q, goha %q\n", e, w[i+1], g[i+1])
		}
	}
	return b.String()
}

// fuzzBytes draws n bytes from alphabet.
func fuzzBytes(r *rand.Rand, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// fuzzPct percent-encodes s fully or partly, at random.
func fuzzPct(r *rand.Rand, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x21 && c < 0x7f && c != '%' && c != '&' && c != '#' && c != '?' && c != ';' && r.IntN(3) > 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
