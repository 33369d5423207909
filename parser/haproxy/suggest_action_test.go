package haproxy

import (
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

// suggestWords are misspellings of the rule actions (the set compared
// with haproxy -c).
func suggestWords(n int) []string {
	base := []string{"accept", "reject", "capture", "track-sc0", "expect-proxy", "expect-netscaler-cip", "set-var",
		"unset-var", "sc-inc-gpc0", "sc-set-gpt0", "set-dst", "set-src", "set-mark", "set-tos", "silent-drop", "close",
		"set-log-level", "set-nice", "switch-mode", "use-service", "do-resolve", "send-spoe-group", "set-priority-class",
		"ot-group", "set-dst-port", "set-src-port", "deny", "allow", "return", "redirect", "set-header", "add-header",
		"del-header", "replace-header", "set-path", "auth", "tarpit", "cache-use", "early-hint", "set-status",
		"wait-for-body", "normalize-uri", "strict-mode", "set-timeout"}
	return misspellings(base, n, func(w string) bool {
		// valid actions and prefix forms parse further: not "unknown"
		return !strings.HasPrefix(w, "set-var") && !strings.HasPrefix(w, "unset-var") && !strings.HasPrefix(w, "track-sc")
	})
}

// misspellings of the words of base: every one-byte deletion, and seeded
// insertions, swaps and substitutions, plus random words; those keep
// accepts, sorted, n of them spread over the set when n > 0.
func misspellings(base []string, n int, keep func(string) bool) []string {
	const letters = "abcdefghijklmnopqrstuvwxyz-0123"
	r := rand.New(rand.NewSource(1))
	set := map[string]bool{}
	for _, b := range base {
		for i := range b {
			set[b[:i]+b[i+1:]] = true
		}
		for range 2 {
			i := r.Intn(len(b) + 1)
			set[b[:i]+string(letters[r.Intn(len(letters))])+b[i:]] = true
			j := r.Intn(len(b) - 1)
			set[b[:j]+b[j+1:j+2]+b[j:j+1]+b[j+2:]] = true
			k := r.Intn(len(b))
			set[b[:k]+string(letters[r.Intn(len(letters))])+b[k+1:]] = true
		}
	}
	for range 120 {
		w := make([]byte, 1+r.Intn(12))
		for i := range w {
			w[i] = letters[r.Intn(len(letters))]
		}
		set[string(w)] = true
	}
	var out []string
	for w := range set {
		if w == "" || !keep(w) {
			continue
		}
		out = append(out, w)
	}
	sort.Strings(out)
	if n > 0 && len(out) > n {
		step := len(out) / n
		var s []string
		for i := 0; i < len(out) && len(s) < n; i += step {
			s = append(s, out[i])
		}
		out = s
	}
	return out
}

// gotRe picks the word and the suggestion of an unknown-action alert.
var gotRe = regexp.MustCompile(`got '([^']*)'\)?\.((?: Did you mean '[^']*' maybe \?)?)$`)

// unknownTails maps each word re picks from an output's lines to what re
// picks after it.
func unknownTails(out string, re *regexp.Regexp) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if g := re.FindStringSubmatch(l); g != nil {
			m[g[1]] = g[2]
		}
	}
	return m
}

// suggestRun is one differential run of misspelt words: chunk of them a
// configuration (head, then line for each, then tail), whose alerts re
// reads in haproxy -c's and goha's output.
type suggestRun struct {
	name       string
	words      []string
	chunk      int
	head, tail string
	line       func(j int, w string) string
	re         *regexp.Regexp
	minPercent int // of the words haproxy must report unknown
}

// compare checks that goha alerts on every word haproxy calls unknown
// with the same suffix, and logs how many had a suggestion.
func (r suggestRun) compare(t *testing.T, haproxyOut, gohaOut func(string) string) {
	t.Helper()
	compared, suggested := 0, 0
	for i := 0; i < len(r.words); i += r.chunk {
		var b strings.Builder
		b.WriteString(r.head)
		for j, w := range r.words[i:min(i+r.chunk, len(r.words))] {
			b.WriteString(r.line(j, w))
		}
		b.WriteString(r.tail)
		want, got := unknownTails(haproxyOut(b.String()), r.re), unknownTails(gohaOut(b.String()), r.re)
		for w, suffix := range want {
			compared++
			if strings.Contains(strings.ToLower(suffix), "did you mean") {
				suggested++
			}
			if g, ok := got[w]; !ok {
				t.Errorf("%s %s: goha gave no alert for it; haproxy's suffix %q", r.name, w, suffix)
			} else if g != suffix {
				t.Errorf("%s %s: goha %q, haproxy %q", r.name, w, g, suffix)
			}
		}
	}
	if compared < len(r.words)*r.minPercent/100 {
		t.Errorf("%s: only %d of %d words gave an unknown-word alert in haproxy", r.name, compared, len(r.words))
	}
	t.Logf("%s: %d misspellings compared (%d with a suggestion)", r.name, compared, suggested)
}

// suggestHead opens a listen section the tests append lines to.
const suggestHead = "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nlisten a\n bind 127.0.0.1:8999\n"

// checkOutputs gives what haproxy -c and goha's check print for a
// configuration (both fail on the unknown words the tests feed them).
func checkOutputs(t *testing.T) (haproxyOut, gohaOut func(cfg string) string) {
	bin := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	write := func(name, cfg string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	haproxyOut = func(cfg string) string {
		cmd := exec.Command(bin, "-c", "-f", write("h.cfg", cfg))
		cmd.WaitDelay = 10 * time.Second
		out, _ := cmd.CombinedOutput() // exit 1 expected
		return string(out)
	}
	gohaOut = func(cfg string) string {
		p := write("g.cfg", cfg)
		return render(Check([]string{p}, func(string) (string, bool) { return "", false }), false, false)
	}
	return haproxyOut, gohaOut
}

// TestActionSuggestMatchesHAProxy compares, word for word, the "Did you
// mean" suffix of goha's unknown-action alert with the real haproxy -c's,
// for every tcp and http rule set.
func TestActionSuggestMatchesHAProxy(t *testing.T) {
	haproxyOut, gohaOut := checkOutputs(t)
	sets := []struct {
		rule  string
		chunk int // words per config: HAProxy stops at an http rule error, and after 50 errors
		n     int
	}{
		{"tcp-request connection", 45, 0}, {"tcp-request session", 45, 0}, {"tcp-request content", 45, 0},
		{"tcp-response content", 45, 0},
		{"http-request", 1, 120}, {"http-response", 1, 120}, {"http-after-response", 1, 120},
	}
	for _, rs := range sets {
		suggestRun{name: rs.rule, words: suggestWords(rs.n), chunk: rs.chunk,
			head: suggestHead, tail: " server s 127.0.0.1:1\n",
			line: func(_ int, w string) string { return " " + rs.rule + " " + w + "\n" },
			re:   gotRe, minPercent: 90}.compare(t, haproxyOut, gohaOut)
	}
}
