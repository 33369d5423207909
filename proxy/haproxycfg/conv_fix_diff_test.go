package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
)

// fixMsg builds a FIX message from its fields: BeginString and
// BodyLength are added before them and the CheckSum after, computed
// unless sum is given.
func fixMsg(version string, fields []string, sum string) string {
	var body string
	for _, f := range fields {
		body += f + "\x01"
	}
	head := "8=" + version + "\x019=" + fmt.Sprint(len(body)) + "\x01"
	if sum == "" {
		var c uint8
		for i := 0; i < len(head+body); i++ {
			c += (head + body)[i]
		}
		sum = fmt.Sprintf("%03d", c)
	}
	return head + body + "10=" + sum + "\x01"
}

var fixExprs = []string{"fix_is_valid", "fix_tag_value(35)", "fix_tag_value(MsgType)", "fix_tag_value(sendercompid)",
	"fix_tag_value(TargetCompID)", "fix_tag_value(10)", "fix_tag_value(9)", "fix_tag_value(8)", "fix_tag_value(553)",
	"fix_tag_value(10001)", "fix_tag_value(BeginString),length"}

// TestFixDifferential: fix_is_valid and fix_tag_value over valid,
// truncated and broken FIX messages (versions, tag ranges, body length,
// checksum, empty tags and values) beside HAProxy 2.6, byte for byte.
func TestFixDifferential(t *testing.T) {
	logon := []string{"35=A", "49=CLIENT", "56=SERVER", "34=1", "52=20240101-00:00:00", "98=0", "108=30"}
	valid := fixMsg("FIX.4.2", logon, "")
	msgs := []string{
		valid, valid[:len(valid)-1], valid[:30], valid[:20],
		fixMsg("FIX.4.4", append(logon, "553=user", "10001=x"), ""),
		fixMsg("FIXT.1.1", append(logon, "1137=9"), ""),
		fixMsg("FIX.4.0", append(logon, "141=x"), ""),
		fixMsg("FIX.4.2", logon, "999"),
		fixMsg("FIX.4.2", logon, "1a2"),
		fixMsg("FIX.5.0", logon, ""),
		fixMsg("FIX.4.2", append([]string{"49=X"}, logon...), ""),
		fixMsg("FIX.4.2", append(logon, "=x"), ""),
		fixMsg("FIX.4.2", append(logon, "58="), ""),
		fixMsg("FIX.4.2", append(logon, "5x=1"), ""),
		strings.Replace(valid, "9=", "9=0", 1),
		strings.Replace(valid, "35=A", "35=", 1),
		"8=FIX.4.2\x019=5\x0135=A\x0110=000\x01" + valid,
		valid + "35=B\x01",
		"garbage without any equal sign at all",
	}
	var bs [][]byte
	for _, m := range msgs {
		bs = append(bs, []byte(m))
	}
	sameConverterOutputs(t, fixExprs, bs, func(m []byte) string { return fmt.Sprintf("%q", m) })
}
