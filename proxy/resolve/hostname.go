package resolve

import "strings"

// HostName is the name do-resolve asks about for a sample, as HAProxy
// 2.6's resolv_str_to_dn_label reads it (measured with the real daemon):
// lower case, one final dot dropped; with an empty label (".", a leading
// dot, two dots in a row, two final dots) it is no name and no question
// is sent. An empty sample asks about the root. Other bytes go as they
// are.
func HostName(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" {
			return "", false
		}
	}
	return strings.ToLower(s), true
}
