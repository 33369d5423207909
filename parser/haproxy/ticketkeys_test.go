package haproxy

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

func TestParseTicketKeys(t *testing.T) {
	key := func(b byte, n int) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, n)) }
	for _, c := range []struct {
		name, file, msg string
		first           byte // the encrypting key's bytes
	}{
		{"three", key(1, 48) + "\n" + key(2, 48) + "\n" + key(3, 48) + "\n", "", 2},
		{"four keep the last three", key(1, 80) + "\n" + key(2, 80) + "\n" + key(3, 80) + "\n" + key(4, 80), "", 3},
		{"crlf", key(1, 48) + "\r\n" + key(2, 48) + "\r\n" + key(3, 48) + "\r\n", "", 2},
		{"two", key(1, 48) + "\n" + key(2, 48) + "\n", "please supply at least 3 keys in the tls-tickets-file", 0},
		{"empty", "", "please supply at least 3 keys in the tls-tickets-file", 0},
		{"empty first line", "\n" + key(2, 48), "wrong sized key on line 1", 0},
		{"mixed sizes", key(1, 48) + "\n" + key(2, 80) + "\n", "wrong sized key on line 2", 0},
		{"32 bytes", key(1, 32) + "\n", "wrong sized key on line 1", 0},
		{"not base64", key(1, 48) + "\n#comment\n", "unable to decode base64 key on line 2", 0},
		{"unpadded", strings.TrimRight(key(1, 47), "="), "unable to decode base64 key on line 1", 0},
		{"too long", key(1, 84), "unable to decode base64 key on line 1", 0},
	} {
		keys, msg := ParseTicketKeys([]byte(c.file))
		if msg != c.msg {
			t.Errorf("%s: message %q, want %q", c.name, msg, c.msg)
			continue
		}
		if msg == "" && (len(keys) != TicketKeysKept || keys[0][0] != c.first) {
			t.Errorf("%s: %d keys, first %v, want %d keys, first of %d", c.name, len(keys), keys[0][:1], TicketKeysKept, c.first)
		}
	}
}

func TestParseIgnoreErr(t *testing.T) {
	for _, c := range []struct {
		v     string
		codes []int
		all   bool
		msg   string
	}{
		{"all", nil, true, ""},
		{"10,18", []int{10, 18}, false, ""},
		{"9x,94", []int{9, 94}, false, ""},
		{" 7", []int{7}, false, ""},
		{"", nil, false, "'crt-ignore-err' : missing error IDs list"},
		{"0", nil, false, "'crt-ignore-err' : ID '0' out of range (1..94) in error IDs list '0'"},
		{"95", nil, false, "'crt-ignore-err' : ID '95' out of range (1..94) in error IDs list '95'"},
		{"10,,18", nil, false, "'crt-ignore-err' : ID '0' out of range (1..94) in error IDs list '10,,18'"},
		{"-3", nil, false, "'crt-ignore-err' : ID '-3' out of range (1..94) in error IDs list '-3'"},
		{"10,99999999999", nil, false, "'crt-ignore-err' : ID '1215752191' out of range (1..94) in error IDs list '10,99999999999'"},
	} {
		codes, all, msg := ParseIgnoreErr("crt-ignore-err", c.v)
		if msg != c.msg || all != c.all || fmt.Sprint(codes) != fmt.Sprint(c.codes) {
			t.Errorf("%q: %v %v %q, want %v %v %q", c.v, codes, all, msg, c.codes, c.all, c.msg)
		}
	}
}
