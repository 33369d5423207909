package keepalived

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The readers below reproduce keepalived's read_int/read_unsigned/read_double:
// on failure they return a message in keepalived's words, which the caller
// reports with ClassInvalidNumber before its own keyword-specific message.

// parseCInt behaves like strtol(s, &end, 10) requiring the whole string.
func readInt(s string, lo, hi int64) (int64, string) {
	v, err := strconv.ParseInt(strings.TrimLeft(s, " \t"), 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Sprintf("number '%s' outside integer range", s)
		}
		return 0, fmt.Sprintf("invalid number '%s'", s)
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Sprintf("number '%s' outside integer range", s)
	}
	if v < lo || v > hi {
		return v, fmt.Sprintf("number '%s' outside range [%d, %d]", s, lo, hi)
	}
	return v, ""
}

func readUnsigned(s string, lo, hi uint64) (uint64, string) {
	t := strings.TrimLeft(s, " \t")
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Sprintf("negative number '%s'", s)
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(t, "+"), 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Sprintf("number '%s' outside unsigned integer range", s)
		}
		return 0, fmt.Sprintf("invalid number '%s'", s)
	}
	if v > math.MaxUint32 {
		return 0, fmt.Sprintf("number '%s' outside unsigned integer range", s)
	}
	if v < lo || v > hi {
		return v, fmt.Sprintf("number '%s' outside range [%d, %d]", s, lo, hi)
	}
	return v, ""
}

// readDouble mirrors strtod plus keepalived's range check, printed with %f.
func readDouble(s string, lo, hi float64) (float64, string) {
	t := strings.TrimLeft(s, " \t")
	if t == "" || strings.Contains(t, "_") {
		return 0, fmt.Sprintf("invalid number '%s'", s)
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Sprintf("number '%s' out of range", s)
		}
		return 0, fmt.Sprintf("invalid number '%s'", s)
	}
	switch {
	case math.IsInf(v, 0):
		return 0, fmt.Sprintf("infinite number '%s'", s)
	case math.IsNaN(v):
		return 0, fmt.Sprintf("not a number '%s'", s)
	case v < lo || v > hi:
		return v, fmt.Sprintf("number '%s' outside range [%f, %f]", s, lo, hi)
	}
	return v, ""
}

// readBool mirrors check_true_false: -1 when the word is not a boolean.
func readBool(s string) int {
	switch s {
	case "true", "on", "yes":
		return 1
	case "false", "off", "no":
		return 0
	}
	return -1
}
