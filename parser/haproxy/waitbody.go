package haproxy

import (
	"fmt"
	"time"
)

// ParseWaitForBody reads the arguments of `http-request wait-for-body
// time <time> [at-least <bytes>]`; msg is HAProxy 2.6's complaint when
// they are wrong (measured with haproxy -c), "" otherwise.
func ParseWaitForBody(args []string) (wait time.Duration, atLeast int64, msg string) {
	const usage = "expects time <time> [ at-least <bytes> ]."
	if len(args) == 0 || args[0] != "time" {
		return 0, 0, usage
	}
	if len(args) < 2 {
		return 0, 0, "missing argument for 'time'."
	}
	d, bad, err := ParseTime(args[1])
	if err != nil {
		if bad < len(args[1]) {
			return 0, 0, fmt.Sprintf("unexpected character '%c'.", args[1][bad])
		}
		return 0, 0, usage
	}
	rest := args[2:]
	if len(rest) > 0 && rest[0] == "at-least" {
		if len(rest) < 2 {
			return 0, 0, "missing argument for 'at-least'."
		}
		n, err := ParseSize(rest[1])
		if err != nil {
			i := 0
			for i < len(rest[1]) && isDigit(rest[1][i]) {
				i++
			}
			if i == len(rest[1]) {
				i = 0
			}
			return 0, 0, fmt.Sprintf("unexpected character '%c'.", rest[1][i])
		}
		atLeast, rest = n, rest[2:]
	}
	if len(rest) > 0 {
		return 0, 0, usage
	}
	return d, atLeast, ""
}
