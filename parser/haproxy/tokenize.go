package haproxy

import (
	"fmt"
	"strings"
)

// MaxLineArgs is HAProxy 2.6's MAX_LINE_ARGS: a line is cut after this many
// words and reported as an error.
const MaxLineArgs = 64

// TokenError is a tokenizer failure on one line. Pos is HAProxy's 1-based
// "position" (byte offset in the raw line plus one); Caret says whether
// HAProxy prints the line with a caret under the offending byte.
type TokenError struct {
	Msg   string
	Pos   int
	Caret bool
}

func (e *TokenError) Error() string { return fmt.Sprintf("%s at position %d", e.Msg, e.Pos) }

// Env resolves environment variables for "${VAR}" expansion. ok=false means
// the variable does not exist (so a "-default" applies).
type Env func(name string) (value string, ok bool)

// Tokenize splits one configuration line into words the way HAProxy 2.6's
// parse_line() does: blanks separate words, '#' outside quotes ends the line,
// single quotes are literal, double quotes allow "$VAR"/"${VAR}" expansion
// (with "[*]" splitting and "-default"), backslash escapes work outside single
// quotes. Env variables are expanded only inside double quotes, as 2.6 does.
// On a NUL byte it returns the words before it together with the error,
// because HAProxy processes that line's prefix before aborting.
func Tokenize(line string, env Env) ([]string, *TokenError) {
	// A NUL anywhere (even in a comment or an expansion default) is fatal;
	// what precedes it is still handed back for processing.
	if k := strings.IndexByte(line, 0); k >= 0 {
		words, _ := tokenize(line[:k], env)
		return words, &TokenError{Msg: "Stray NUL character", Pos: k + 1}
	}
	return tokenize(line, env)
}

func tokenize(line string, env Env) ([]string, *TokenError) {
	var (
		words   []string
		cur     strings.Builder
		inWord  bool
		squote  bool
		dquote  bool
		quoteAt int
	)
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case squote:
			if c == '\'' {
				squote = false
			} else {
				cur.WriteByte(c)
			}
			i++
		case c == '\'' && !dquote:
			squote, inWord, quoteAt = true, true, i
			i++
		case c == '"':
			if !dquote {
				quoteAt = i
			}
			dquote = !dquote
			inWord = true
			i++
		case c == '\\':
			n, err := escape(line, i, dquote, &cur)
			if err != nil {
				return nil, err
			}
			inWord = true
			i += n
		case c == '$' && dquote:
			n, vals, err := expand(line, i, env)
			if err != nil {
				return nil, err
			}
			// "${VAR[*]}" yields several words: all but the last end here.
			for k, v := range vals {
				if k > 0 {
					words = append(words, cur.String())
					cur.Reset()
				}
				cur.WriteString(v)
			}
			inWord = true
			i += n
		case !dquote && c == '#':
			i = len(line)
		case !dquote && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'):
			flush()
			i++
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	if squote || dquote {
		return nil, &TokenError{Msg: "unmatched quote", Pos: quoteAt + 1, Caret: true}
	}
	flush()
	return words, nil
}

// escape handles a backslash at line[i]; it returns the bytes consumed.
func escape(line string, i int, dquote bool, cur *strings.Builder) (int, *TokenError) {
	if i+1 >= len(line) {
		cur.WriteByte('\\')
		return 1, nil
	}
	switch n := line[i+1]; n {
	case ' ', '\\', '#', '\'', '"':
		cur.WriteByte(n)
	case 't':
		cur.WriteByte('\t')
	case 'n':
		cur.WriteByte('\n')
	case 'r':
		cur.WriteByte('\r')
	case '$':
		// "\$" is an escape only where '$' would otherwise expand.
		if !dquote {
			cur.WriteString(`\$`)
		} else {
			cur.WriteByte('$')
		}
	case 'x':
		if i+3 < len(line)+0 && isHex(line[i+2]) && isHex(line[i+3]) {
			cur.WriteByte(unhex(line[i+2])<<4 | unhex(line[i+3]))
			return 4, nil
		}
		return 0, &TokenError{Msg: "truncated or invalid hexadecimal sequence", Pos: i + 1, Caret: true}
	default:
		// Unknown escapes keep the backslash, as HAProxy does; the next
		// byte is then read normally (so a NUL after it is still caught).
		cur.WriteByte('\\')
		return 1, nil
	}
	return 2, nil
}

// expand handles '$' at line[i] inside double quotes.
func expand(line string, i int, env Env) (int, []string, *TokenError) {
	j := i + 1
	brace := j < len(line) && line[j] == '{'
	if brace {
		j++
	}
	start := j
	if j < len(line) && (isAlpha(line[j]) || line[j] == '_' || line[j] == '.') {
		j++
		for j < len(line) && (isAlpha(line[j]) || isDigit(line[j]) || line[j] == '_') {
			j++
		}
	}
	name := line[start:j]
	if name == "" {
		return 0, nil, &TokenError{Msg: "forbidden first char in environment variable name", Pos: j + 1, Caret: true}
	}
	split, def, hasDef := false, "", false
	if brace {
		if strings.HasPrefix(line[j:], "[*]") {
			split = true
			j += 3
		} else if j < len(line) && line[j] == '[' {
			return 0, nil, &TokenError{Msg: "truncated or invalid word expansion sequence", Pos: j + 1, Caret: true}
		}
		if j < len(line) && line[j] == '-' {
			k := strings.IndexByte(line[j:], '}')
			if k < 0 {
				return 0, nil, &TokenError{Msg: "unmatched brace in environment variable name", Pos: i + 2, Caret: true}
			}
			def, hasDef = line[j+1:j+k], true
			j += k
		}
		if j >= len(line) || line[j] != '}' {
			return 0, nil, &TokenError{Msg: "unmatched brace in environment variable name", Pos: i + 2, Caret: true}
		}
		j++
	}
	val, ok := "", false
	if env != nil {
		val, ok = env(name)
	}
	if !ok && hasDef {
		val = def
	}
	if split {
		parts := strings.Fields(val)
		if len(parts) == 0 {
			parts = []string{""}
		}
		return j - i, parts, nil
	}
	return j - i, []string{val}, nil
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
