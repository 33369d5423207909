package lab

import "strings"

// InsertAfter adds lines after every line of conf whose first word is key,
// indented like that line: how the lab derives a variant (VRRPv3, a second
// instance's options, ...) from a seed keepalived.conf without a second
// copy of the file.
func InsertAfter(conf []byte, key string, lines ...string) []byte {
	var out strings.Builder
	for _, l := range strings.SplitAfter(string(conf), "\n") {
		out.WriteString(l)
		f := strings.Fields(l)
		if len(f) == 0 || f[0] != key {
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if !strings.HasSuffix(l, "\n") {
			out.WriteString("\n")
		}
		for _, add := range lines {
			out.WriteString(indent + add + "\n")
		}
	}
	return []byte(out.String())
}
