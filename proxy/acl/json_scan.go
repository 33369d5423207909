package acl

// A small JSON walker for json_query: it finds the value at a path of
// keys and array indexes the way mjson_find does for HAProxy, stopping as
// soon as the value is read (what follows it is not validated), with
// mjson's depth limit.

type jsonKind uint8

const (
	jsonNone jsonKind = iota
	jsonNumber
	jsonString
	jsonTrue
	jsonFalse
	jsonNull
	jsonContainer // array or object: json_query has no sample for them
)

// jsonMaxDepth is mjson's MJSON_MAX_DEPTH.
const jsonMaxDepth = 20

type jsonSeg struct {
	key   string
	index int // -1 for a key
}

// parseJSONPath reads "$", ".key" and "[n]" segments; false on anything
// else.
func parseJSONPath(p string) ([]jsonSeg, bool) {
	if p == "" || p[0] != '$' {
		return nil, false
	}
	var segs []jsonSeg
	for i := 1; i < len(p); {
		switch p[i] {
		case '.':
			j := i + 1
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			segs = append(segs, jsonSeg{key: p[i+1 : j], index: -1})
			i = j
		case '[':
			j, n := i+1, 0
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				n = n*10 + int(p[j]-'0')
				if n > 1<<20 {
					return nil, false
				}
				j++
			}
			if j == i+1 || j >= len(p) || p[j] != ']' {
				return nil, false
			}
			segs = append(segs, jsonSeg{index: n})
			i = j + 1
		default:
			return nil, false
		}
	}
	return segs, true
}

type jsonWalker struct {
	s    string
	p    int
	kind jsonKind
	tok  string
	done bool
}

// jsonFind is the kind and the text of the value at path in s.
func jsonFind(s, path string) (jsonKind, string) {
	segs, ok := parseJSONPath(path)
	if !ok {
		return jsonNone, ""
	}
	w := jsonWalker{s: s}
	w.value(0, segs, true)
	if !w.done {
		return jsonNone, ""
	}
	return w.kind, w.tok
}

func (w *jsonWalker) ws() {
	for w.p < len(w.s) {
		switch w.s[w.p] {
		case ' ', '\t', '\n', '\r':
			w.p++
		default:
			return
		}
	}
}

// value reads one value; on is whether it lies on the path, segs what
// remains of the path below it. False on malformed input.
func (w *jsonWalker) value(depth int, segs []jsonSeg, on bool) bool {
	if depth > jsonMaxDepth {
		return false
	}
	w.ws()
	if w.p >= len(w.s) {
		return false
	}
	start := w.p
	found := func(k jsonKind) bool {
		if on && len(segs) == 0 {
			w.kind, w.tok, w.done = k, w.s[start:w.p], true
		}
		return true
	}
	switch c := w.s[w.p]; {
	case c == '{':
		if on && len(segs) == 0 {
			w.kind, w.done = jsonContainer, true
			return true
		}
		return w.object(depth, segs, on)
	case c == '[':
		if on && len(segs) == 0 {
			w.kind, w.done = jsonContainer, true
			return true
		}
		return w.array(depth, segs, on)
	case c == '"':
		if !w.str() {
			return false
		}
		return found(jsonString)
	case c == '-' || c >= '0' && c <= '9':
		if !w.number() {
			return false
		}
		return found(jsonNumber)
	}
	for _, lit := range []struct {
		text string
		kind jsonKind
	}{{"true", jsonTrue}, {"false", jsonFalse}, {"null", jsonNull}} {
		if len(w.s)-w.p >= len(lit.text) && w.s[w.p:w.p+len(lit.text)] == lit.text {
			w.p += len(lit.text)
			return found(lit.kind)
		}
	}
	return false
}

// str reads a string token, quotes included.
func (w *jsonWalker) str() bool {
	for w.p++; w.p < len(w.s); w.p++ {
		switch w.s[w.p] {
		case '\\':
			w.p++
		case '"':
			w.p++
			return true
		}
	}
	return false
}

// number reads what C's strtod reads of a decimal number.
func (w *jsonWalker) number() bool {
	digits := func() int {
		n := 0
		for w.p < len(w.s) && w.s[w.p] >= '0' && w.s[w.p] <= '9' {
			w.p, n = w.p+1, n+1
		}
		return n
	}
	if w.s[w.p] == '-' {
		w.p++
	}
	n := digits()
	if w.p < len(w.s) && w.s[w.p] == '.' {
		w.p++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if w.p < len(w.s) && (w.s[w.p] == 'e' || w.s[w.p] == 'E') {
		save := w.p
		w.p++
		if w.p < len(w.s) && (w.s[w.p] == '+' || w.s[w.p] == '-') {
			w.p++
		}
		if digits() == 0 {
			w.p = save
		}
	}
	return true
}

func (w *jsonWalker) object(depth int, segs []jsonSeg, on bool) bool {
	w.p++ // '{'
	w.ws()
	if w.p < len(w.s) && w.s[w.p] == '}' {
		w.p++
		return true
	}
	for {
		w.ws()
		if w.p >= len(w.s) || w.s[w.p] != '"' {
			return false
		}
		k := w.p
		if !w.str() {
			return false
		}
		key := w.s[k+1 : w.p-1]
		w.ws()
		if w.p >= len(w.s) || w.s[w.p] != ':' {
			return false
		}
		w.p++
		next := on && len(segs) > 0 && segs[0].index < 0 && segs[0].key == key
		var rest []jsonSeg
		if next {
			rest = segs[1:]
		}
		if !w.value(depth+1, rest, next) {
			return false
		}
		if w.done {
			return true
		}
		w.ws()
		if w.p >= len(w.s) {
			return false
		}
		switch w.s[w.p] {
		case ',':
			w.p++
		case '}':
			w.p++
			return true
		default:
			return false
		}
	}
}

func (w *jsonWalker) array(depth int, segs []jsonSeg, on bool) bool {
	w.p++ // '['
	w.ws()
	if w.p < len(w.s) && w.s[w.p] == ']' {
		w.p++
		return true
	}
	for i := 0; ; i++ {
		next := on && len(segs) > 0 && segs[0].index == i
		var rest []jsonSeg
		if next {
			rest = segs[1:]
		}
		if !w.value(depth+1, rest, next) {
			return false
		}
		if w.done {
			return true
		}
		w.ws()
		if w.p >= len(w.s) {
			return false
		}
		switch w.s[w.p] {
		case ',':
			w.p++
		case ']':
			w.p++
			return true
		default:
			return false
		}
	}
}
