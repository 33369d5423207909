package haproxy

import (
	"reflect"
	"testing"
)

func TestTokenize(t *testing.T) {
	env := func(k string) (string, bool) {
		switch k {
		case "FOO":
			return "1 2", true
		case "EMPTY":
			return "", true
		}
		return "", false
	}
	tests := []struct {
		in      string
		want    []string
		wantErr string
		pos     int
	}{
		{in: "  bind :80  # comment", want: []string{"bind", ":80"}},
		{in: "a#b c", want: []string{"a"}},
		{in: `a\ b\#c#x`, want: []string{"a b#c"}},
		{in: `'it''s' "a b"`, want: []string{"its", "a b"}},
		{in: `"a"'b'c`, want: []string{"abc"}},
		{in: `""`, want: []string{""}},
		{in: `x "" y`, want: []string{"x", "", "y"}},
		{in: `"# not comment"`, want: []string{"# not comment"}},
		{in: `'${FOO}'`, want: []string{"${FOO}"}},
		{in: `${FOO}`, want: []string{"${FOO}"}},
		{in: `"${FOO}"`, want: []string{"1 2"}},
		{in: `"$FOO.x"`, want: []string{"1 2.x"}},
		{in: `"${FOO[*]}"x`, want: []string{"1", "2x"}},
		{in: `"${NOPE-def val}"`, want: []string{"def val"}},
		{in: `"${EMPTY-def}"`, want: []string{""}},
		{in: `"${NOPE}"`, want: []string{""}},
		{in: `\x41\tB`, want: []string{"A\tB"}},
		{in: `\q\$`, want: []string{`\q\$`}},
		{in: `"\$\q"`, want: []string{`$\q`}},
		{in: "a\fb", want: []string{"a", "b"}},
		{in: `    .notice "unterminated`, wantErr: "unmatched quote", pos: 13},
		{in: `    .notice "${LIST[,]}"`, wantErr: "truncated or invalid word expansion sequence", pos: 20},
		{in: `    .notice "\x4"`, wantErr: "truncated or invalid hexadecimal sequence", pos: 14},
		{in: `    .notice "${A B}"`, wantErr: "unmatched brace in environment variable name", pos: 15},
		{in: `    .notice "$"`, wantErr: "forbidden first char in environment variable name", pos: 15},
		{in: "    .notice a\x00b", wantErr: "Stray NUL character", pos: 14, want: []string{".notice", "a"}},
	}
	for _, tc := range tests {
		got, err := Tokenize(tc.in, env)
		if tc.wantErr != "" {
			if err == nil || err.Msg != tc.wantErr || err.Pos != tc.pos {
				t.Errorf("Tokenize(%q) error = %v, want %q at %d", tc.in, err, tc.wantErr, tc.pos)
			}
			if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Tokenize(%q) words before error = %q, want %q", tc.in, got, tc.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("Tokenize(%q) unexpected error %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEvalCondition(t *testing.T) {
	env := func(k string) (string, bool) {
		if k == "SET" {
			return "", true
		}
		return "", false
	}
	tests := []struct {
		expr    []string
		want    bool
		wantErr string
	}{
		{expr: nil, want: false},
		{expr: []string{"0"}, want: false},
		{expr: []string{"1"}, want: true},
		{expr: []string{"defined(SET)"}, want: true},
		{expr: []string{"defined(UNSET)"}, want: false},
		{expr: []string{"!defined(UNSET)"}, want: true},
		{expr: []string{"feature(OPENSSL)"}, want: true}, // TLS by Go's crypto/tls
		{expr: []string{"feature(LINUX_SPLICE)"}, want: true},
		{expr: []string{"feature(QUIC)"}, want: false},
		{expr: []string{"version_atleast(2.4)"}, want: true},
		{expr: []string{"version_atleast(2.6.13)"}, want: false},
		{expr: []string{"version_before(2.7)"}, want: true},
		{expr: []string{"version_before(2.6)"}, want: false},
		{expr: []string{"streq(a,a)", "&&", "strneq(a,b)"}, want: true},
		{expr: []string{"0", "&&", "1", "||", "1"}, want: true},
		{expr: []string{"(0", "||", "1)", "&&", "0"}, want: false},
		{expr: []string{"foo(x)"}, wantErr: "unparsable conditional expression 'foo(x)'"},
		{expr: []string{"(1"}, wantErr: "expected ')' after conditional expression '(1'"},
		{expr: []string{"1", "2"}, wantErr: "unexpected character '2' at the end of conditional expression '1 2'"},
		{expr: []string{"streq(a)"}, wantErr: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression"},
	}
	for _, tc := range tests {
		got, err := EvalCondition(tc.expr, env)
		if tc.wantErr != "" {
			if err == nil || err.Msg != tc.wantErr {
				t.Errorf("EvalCondition(%q) error = %v, want %q", tc.expr, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("EvalCondition(%q) = %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ word, want string }{
		{"daemn", "daemon"},
		{"chek", "check"},
		{"blah", ""},
		{"balanc", "balance"},
	}
	cands := []string{"daemon", "check", "bind", "balance", "server"}
	for _, tc := range tests {
		if got := suggest(tc.word, cands); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}
