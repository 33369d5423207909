package haproxy

import "strings"

// HAProxy 2.6.12's "Did you mean" for unknown rule actions (action_suggest
// in action.c, make_word_fingerprint in tools.c; read from the installed
// 2.6.12 binary, whose functions differ from the older sources):
//
//   - the fingerprint of a word is a 32x32 matrix of byte-pair counts: each
//     character is a class (a..z: 1..26 whatever the case, digits: 27, any
//     other byte: 28); the pair (previous class, class) is counted, the word
//     starting from class 28 and ending with a pair towards class 28; in
//     addition, row 0 holds a presence mark (1, not a count) per class used;
//   - the distance is the sum of the absolute cell differences;
//   - the registered keywords are tried first, in HAProxy's order, then the
//     rule set's extra words; a candidate replaces the best only when
//     strictly closer (ties keep the earlier one);
//   - the best is dropped when its distance exceeds m times the word's
//     length or m times its own, m being 3 for a keyword matched by prefix
//     (listed "name(*)") and 2 otherwise (extras included); an empty word
//     gets no suggestion.
//
// Compared with haproxy -c on 918 misspellings per rule set
// (TestActionSuggestMatchesHAProxy).

// actionFingerprint is the word's fingerprint as described above.
func actionFingerprint(w string) *[1024]uint8 {
	var fp [1024]uint8
	UpdateWordFingerprint(&fp, w)
	return &fp
}

// UpdateWordFingerprint adds w's byte pairs and presence marks to fp
// (update_word_fingerprint): the CLI's suggestions sum several words
// into one fingerprint.
func UpdateWordFingerprint(fp *[1024]uint8, w string) {
	class := func(c byte) int {
		switch {
		case c >= 'a' && c <= 'z':
			return int(c-'a') + 1
		case c >= 'A' && c <= 'Z':
			return int(c-'A') + 1
		case c >= '0' && c <= '9':
			return 27
		}
		return 28
	}
	from := 28
	for i := 0; i < len(w); i++ {
		to := class(w[i])
		fp[to] = 1
		fp[32*from+to]++
		from = to
	}
	fp[32*from+28]++
}

// WordFingerprintDistance is word_fingerprint_distance: the sum of the
// absolute cell differences.
func WordFingerprintDistance(a, b *[1024]uint8) int { return fingerprintDistance(a, b) }

// suggestAction is action_suggest: the closest of registered ("(*)" marks
// a prefix keyword) then extras, or "" when none is close enough.
func suggestAction(word string, registered, extras []string) string {
	if word == "" {
		return ""
	}
	fw := actionFingerprint(word)
	best, bestDist, prefix := "", 1<<30, false
	try := func(c string, isPrefix bool) {
		if d := fingerprintDistance(fw, actionFingerprint(c)); d < bestDist {
			best, bestDist, prefix = c, d, isPrefix
		}
	}
	for _, c := range registered {
		name, isPrefix := strings.CutSuffix(c, "(*)")
		try(name, isPrefix)
	}
	for _, c := range extras {
		try(c, false)
	}
	m := 2
	if prefix {
		m = 3
	}
	if best == "" || bestDist > m*len(word) || bestDist > m*len(best) {
		return ""
	}
	return best
}

// actionDidYouMean is the suffix HAProxy appends to an unknown action's
// alert: " Did you mean 'X' maybe ?" or nothing.
func actionDidYouMean(word string, registered, extras []string) string {
	if s := suggestAction(word, registered, extras); s != "" {
		return " Did you mean '" + s + "' maybe ?"
	}
	return ""
}

// quotedList splits a "'a', 'b(*)'" list into its words.
func quotedList(list string) []string {
	var out []string
	for _, q := range strings.Split(list, ", ") {
		out = append(out, strings.Trim(q, "'"))
	}
	return out
}

// The candidates of each tcp rule set: the registered keywords are the
// listed ones after the built-in words, which HAProxy tries last.
var (
	tcpReqExtras        = []string{"accept", "reject", "capture", "track-sc", "expect-proxy", "expect-netscaler-cip"}
	tcpResExtras        = []string{"accept", "close", "reject"}
	tcpReqL4Registered  = registeredAfter(tcpReqL4Actions, "'track-sc2', ")
	tcpReqCntRegistered = registeredAfter(tcpReqContentActions, "'track-sc2', ")
	tcpResRegistered    = registeredAfter(tcpResponseActions, "'reject', ")
)

func registeredAfter(list, marker string) []string {
	_, rest, ok := strings.Cut(list, marker)
	if !ok {
		panic("registeredAfter: marker not in list: " + marker)
	}
	return quotedList(rest)
}

// BindKeyword reports whether word is a bind option and, when it is not,
// the one HAProxy 2.6.12 suggests ("" for none): the master CLI's -S
// options are bind options.
func BindKeyword(word string) (known bool, suggestion string) {
	if bindKeywordSet[word] {
		return true, ""
	}
	return false, suggest(word, bindKeywordNames)
}
