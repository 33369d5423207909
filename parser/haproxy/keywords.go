package haproxy

import (
	"sort"
	"strings"
	"sync"
)

// proxyKeyword is one row of configuration.txt's section 4.1 matrix.
type proxyKeyword struct {
	Name                                  string
	Negatable                             bool
	Defaults, NamedDefaultsOnly           bool
	Frontend, Listen, Backend, Deprecated bool
	Usage                                 string // usage line from section 4.2
	MinArgs, MaxArgs                      int    // documented arity; MaxArgs -1: open-ended
}

// keywordArity is a usage line and the argument counts derived from it.
type keywordArity struct {
	Usage            string
	MinArgs, MaxArgs int
}

// KeywordInfo describes one keyword of a section's table, for the runtime,
// linters and documentation (one table, read by all).
type KeywordInfo struct {
	Name             string
	Usage            string
	MinArgs, MaxArgs int // MaxArgs -1: open-ended or undocumented
	Sections         []string
	Negatable        bool // accepts the "no" prefix
	Deprecated       bool
	NamedDefaults    bool // allowed in defaults only when the section is named
}

// Keywords returns the keyword table of a section kind ("global",
// "defaults", "frontend", "backend", "listen", "userlist", ...).
func Keywords(section string) []KeywordInfo {
	var out []KeywordInfo
	switch section {
	case "global":
		for _, n := range globalKeywordNames {
			a := globalKeywordUsage[n]
			out = append(out, KeywordInfo{Name: n, Usage: a.Usage, MinArgs: a.MinArgs, MaxArgs: a.MaxArgs, Sections: []string{"global"}})
		}
	case "defaults", "frontend", "backend", "listen":
		for _, k := range proxyKeywordMatrix {
			if !k.Allowed(section) {
				continue
			}
			var secs []string
			for _, s := range []string{"defaults", "frontend", "listen", "backend"} {
				if k.Allowed(s) {
					secs = append(secs, s)
				}
			}
			out = append(out, KeywordInfo{Name: k.Name, Usage: k.Usage, MinArgs: k.MinArgs, MaxArgs: k.MaxArgs, Sections: secs,
				Negatable: k.Negatable, Deprecated: k.Deprecated, NamedDefaults: k.NamedDefaultsOnly})
		}
	default:
		for _, n := range smallSectionKeywords[section] {
			out = append(out, KeywordInfo{Name: n, MaxArgs: -1, Sections: []string{section}})
		}
	}
	return out
}

// Allowed says whether the keyword may appear in a section kind.
func (k proxyKeyword) Allowed(kind string) bool {
	switch kind {
	case "defaults":
		return k.Defaults
	case "frontend":
		return k.Frontend
	case "backend":
		return k.Backend
	}
	return k.Listen
}

// sectionKinds are the section keywords HAProxy 2.6 knows.
var sectionKinds = map[string]bool{
	"global": true, "defaults": true, "frontend": true, "backend": true, "listen": true,
	"userlist": true, "peers": true, "resolvers": true, "mailers": true, "http-errors": true,
	"cache": true, "program": true, "ring": true, "log-forward": true, "namespace_list": true,
	"fcgi-app": true,
}

// smallSectionKeywords are the keywords of the sections configuration.txt
// documents outside the two big lists (3.4 userlist ... 3.10 cache, ring).
var smallSectionKeywords = map[string][]string{
	"userlist": {"group", "user"},
	// 2.6's peers parser takes "enabled" (configuration.txt says so too);
	// "enable" and "shards" (a 2.9 keyword) are unknown keywords to it.
	"peers":       {"bind", "default-bind", "default-server", "disabled", "enabled", "log", "peer", "server", "table"},
	"resolvers":   {"accepted_payload_size", "nameserver", "parse-resolv-conf", "hold", "resolve_retries", "timeout"},
	"mailers":     {"mailer", "timeout"},
	"http-errors": {"errorfile"},
	"cache":       {"total-max-size", "max-object-size", "max-age", "process-vary", "max-secondary-entries"},
	"program":     {"command", "user", "group", "option", "no"},
	"ring":        {"description", "format", "maxlen", "size", "timeout", "server"},
	// log-forward (3.1 of 2.6's "log forwarding") and namespace_list (its
	// network namespaces), both outside configuration.txt's keyword lists.
	"log-forward":    {"backlog", "bind", "dgram-bind", "log", "maxconn", "timeout"},
	"namespace_list": {"namespace"},
	// fcgi-app (10.1.1 of configuration.txt, FastCGI applications).
	"fcgi-app": {"acl", "docroot", "index", "log-stderr", "no", "option", "pass-header", "path-info", "set-param"},
}

// extraProxyKeywords are proxy keywords HAProxy accepts that the matrix
// misses or lists under a multi-word name only.
var extraProxyKeywords = []string{"transparent", "no", "default"}

// serverExtraKeywords: options documented in groups ("inter/fastinter/downinter").
var serverExtraKeywords = []string{"inter", "fastinter"}

// matrixExtras are proxy keywords 2.6 accepts that section 4.1's matrix
// does not list.
var matrixExtras = []proxyKeyword{
	{Name: "hash-balance-factor", Defaults: true, Listen: true, Backend: true, Usage: "hash-balance-factor <factor>", MinArgs: 1, MaxArgs: 1},
}

var proxyIndex = func() map[string][]proxyKeyword {
	proxyKeywordMatrix = append(proxyKeywordMatrix, matrixExtras...)
	m := map[string][]proxyKeyword{}
	for _, k := range proxyKeywordMatrix {
		first := strings.SplitN(k.Name, " ", 2)[0]
		m[first] = append(m[first], k)
	}
	return m
}()

// lookupProxyKeyword finds the matrix row for a statement's words.
func lookupProxyKeyword(words []string) (proxyKeyword, bool) {
	rows := proxyIndex[words[0]]
	var best proxyKeyword
	found := false
	for _, r := range rows {
		parts := strings.Split(r.Name, " ")
		if len(parts) > len(words) {
			continue
		}
		match := true
		for i, p := range parts {
			if words[i] != p {
				match = false
				break
			}
		}
		if match && (!found || len(r.Name) > len(best.Name)) {
			best, found = r, true
		}
	}
	return best, found
}

// optionNames are the words after "option" in the matrix.
var optionNames = func() []string {
	var out []string
	for _, k := range proxyKeywordMatrix {
		if n, ok := strings.CutPrefix(k.Name, "option "); ok {
			out = append(out, n)
		}
	}
	return out
}()

var bindKeywordSet = setOf(bindKeywordNames)

// serverKeywordCandidates are the server options, documented ones first.
var serverKeywordCandidates = append(append([]string{}, serverKeywordNames...), serverExtraKeywords...)

var serverKeywordSet = setOf(serverKeywordCandidates)

func setOf(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, k := range list {
		m[k] = true
	}
	return m
}

var globalKeywordSet = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range globalKeywordNames {
		m[k] = true
	}
	return m
}()

// fingerprint is HAProxy 2.6.12's word signature for spelling suggestions
// (make_word_fingerprint; described in suggest_action.go).
func fingerprint(w string) *[1024]uint8 { return actionFingerprint(w) }

// sparseFP is a fingerprint's non-zero cells.
type sparseFP []struct {
	idx   uint16
	count uint8
}

// candidateFingerprints caches the keywords' fingerprints in sparse form:
// the candidate lists are fixed, and a config full of typos must stay cheap.
var candidateFingerprints sync.Map // string -> sparseFP

func candidateFingerprint(c string) sparseFP {
	if fp, ok := candidateFingerprints.Load(c); ok {
		return fp.(sparseFP)
	}
	dense := fingerprint(c)
	var fp sparseFP
	for i, n := range dense {
		if n != 0 {
			fp = append(fp, struct {
				idx   uint16
				count uint8
			}{uint16(i), n})
		}
	}
	candidateFingerprints.Store(c, fp)
	return fp
}

// sparseDistance equals fingerprintDistance(w, c) in O(len(c)): start from
// the word's total and correct the cells the candidate uses.
func sparseDistance(w *[1024]uint8, wTotal int, c sparseFP) int {
	d := wTotal
	for _, cell := range c {
		x, y := int(w[cell.idx]), int(cell.count)
		diff := x - y
		if diff < 0 {
			diff = -diff
		}
		d += diff - x
	}
	return d
}

func fingerprintDistance(a, b *[1024]uint8) int {
	d := 0
	for i := range a {
		x, y := int(a[i]), int(b[i])
		if x > y {
			d += x - y
		} else {
			d += y - x
		}
	}
	return d
}

// suggest returns the closest candidate (the first of equals), or "" when
// its distance exceeds twice either word's length, as HAProxy 2.6's
// cfg_find_best_match, bind_find_best_kw, srv_find_best_kw and
// proxy_find_best_option decide.
func suggest(word string, candidates []string) string {
	fw := fingerprint(word)
	total := 0
	for _, n := range fw {
		total += int(n)
	}
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if d := sparseDistance(fw, total, candidateFingerprint(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > 2*len(word) || bestDist > 2*len(best) {
		return ""
	}
	return best
}

// didYouMeanOption is the suggestion for "option X".
func didYouMeanOption(word string) string { return didYouMean(word, optionNames) }

// didYouMean formats the suffix HAProxy appends to unknown keywords.
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return "; did you mean '" + s + "' maybe ?"
	}
	return ""
}

// Keywords HAProxy 2.6.12 accepts that configuration.txt does not list where
// internal/genkeywords looks, found by auditing the binary's registrations
// (testdata/haproxy/registry) and checked one by one with the real
// `haproxy -c`. The parser keeps them raw (a goha notice); their policy is in
// classTable.

// globalExtras are global keywords 2.6 registers in its source tables.
var globalExtras = []string{"close-spread-time", "set-var-fmt", "ssl-load-extra-del-ext",
	"ssl-load-extra-files", "thread-group", "thread-groups", "tune.h2.max-frame-size",
	"tune.listener.multi-queue", "tune.ssl.capture-cipherlist-size", "tune.vars.check-max-size"}

// serverOptionExtras are server options 2.6 registers but does not document
// in section 5.2; "usesrc" takes a value and is only valid after "source".
var serverOptionExtras = map[string]bool{"no-check-send-proxy": false, "usesrc": true}

// fetchExtras are sample fetches 2.6 registers but does not document
// ("sc1_clr_gpc" is registered alone, without sc0/sc2 siblings).
var fetchExtras = []string{"base32+src", "url32+src", "fcgi.docroot", "fcgi.index", "nbproc",
	"sc1_clr_gpc", "unique-id"}

func init() {
	matrixExtras = append(matrixExtras,
		proxyKeyword{Name: "dynamic-cookie-key", Defaults: true, Listen: true, Backend: true,
			Usage: "dynamic-cookie-key <string>", MinArgs: 1, MaxArgs: 1},
		proxyKeyword{Name: "max-session-srv-conns", Defaults: true, Frontend: true, Listen: true,
			Usage: "max-session-srv-conns <nb>", MinArgs: 1, MaxArgs: 1})
	for _, k := range matrixExtras[len(matrixExtras)-2:] {
		proxyKeywordMatrix = append(proxyKeywordMatrix, k)
		proxyIndex[k.Name] = append(proxyIndex[k.Name], k)
	}
	for _, k := range globalExtras {
		if !globalKeywordSet[k] {
			globalKeywordNames = append(globalKeywordNames, k)
			globalKeywordSet[k] = true
			globalKeywordUsage[k] = keywordArity{Usage: k + " ...", MaxArgs: -1}
		}
	}
	sort.Strings(globalKeywordNames)
	for k, withArg := range serverOptionExtras {
		if !serverKeywordSet[k] {
			serverKeywordCandidates = append(serverKeywordCandidates, k)
			serverKeywordSet[k] = true
			serverWithArg[k] = withArg
		}
	}
	for _, f := range fetchExtras {
		if !fetchSet[f] {
			fetchNames = append(fetchNames, f)
			fetchSet[f] = true
		}
	}
}
