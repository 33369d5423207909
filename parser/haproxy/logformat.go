package haproxy

import (
	"fmt"
	"strings"
)

// logFormatVars are the %-variables of section 8.2.4 (HAProxy 2.6).
var logFormatVars = setOf([]string{"B", "CC", "CS", "H", "HM", "HP", "HPO", "HQ", "HU", "HV", "ID", "ST", "T", "TR",
	"Ta", "Tc", "Td", "Th", "Ti", "Tl", "Tq", "Tr", "Ts", "Tt", "Tu", "Tw", "U", "ac", "b", "bc", "bi", "bp", "bq",
	"ci", "cp", "f", "fc", "fi", "fp", "ft", "hr", "hrl", "hs", "hsl", "lc", "ms", "o", "pid", "r", "rc", "rt", "s",
	"sc", "si", "sp", "sq", "sslc", "sslv", "t", "tr", "trg", "trl", "ts", "tsc"})

// checkLogFormat finds the first unknown %-variable of a log-format string
// and returns HAProxy's message for it, or "".
func checkLogFormat(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		j := i + 1
		if j < len(s) && s[j] == '%' {
			i = j
			continue
		}
		if j < len(s) && s[j] == '{' { // flags
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				return "" // unterminated flags: left to the runtime's parser
			}
			j += end + 1
		}
		if j < len(s) && s[j] == '[' { // sample expression
			depth := 0
			for ; j < len(s); j++ {
				if s[j] == '[' {
					depth++
				} else if s[j] == ']' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			i = j
			continue
		}
		k := j
		for k < len(s) && isAlpha(s[k]) {
			k++
		}
		if name := s[j:k]; name != "" && !logFormatVars[name] {
			return fmt.Sprintf("no such format variable '%s'. If you wanted to emit the '%%' character verbatim, you need to use '%%%%'.", name)
		}
		i = k - 1
	}
	return ""
}
