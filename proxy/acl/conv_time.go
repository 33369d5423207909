package acl

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// ltime and utime (HAProxy 2.6 sample.c): a date in seconds since the
// epoch, masked to 55 bits then moved by the optional offset, formatted
// by strftime(3) in the C locale, in the local time zone (ltime) or UTC
// (utime). The zone is read once, when the expression is compiled
// (time.Local: the TZ of the process, as HAProxy's localtime). goha
// formats the conversions below; a format using another one is refused.
func init() {
	sint, str := haproxy.SampleSInt, haproxy.SampleStr
	register(map[string]convDef{
		"ltime": {in: sint, out: str, args: []argKind{argStr, argSInt}, min: 1, build: buildTime(time.Local)},
		"utime": {in: sint, out: str, args: []argKind{argStr, argSInt}, min: 1, build: buildTime(time.UTC)},
	})
}

func buildTime(loc *time.Location) func(convArgs) (convFunc, error) {
	return func(a convArgs) (convFunc, error) {
		format, off := a.strs[0], a.ints[1]
		if err := checkStrftime(format); err != nil {
			return nil, err
		}
		return func(v *value) bool {
			t := time.Unix(v.i&0x007fffffffffffff+off, 0).In(loc)
			v.s = strftime(format, t)
			return true
		}, nil
	}
}

// strftimeConvs are the conversions goha formats as glibc does in the C
// locale.
const strftimeConvs = "aAbBCdDeFhHIjklmMnpRsStTuUwWyYzZ%"

func checkStrftime(f string) error {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		if i++; i >= len(f) || strings.IndexByte(strftimeConvs, f[i]) < 0 {
			return fmt.Errorf("strftime format %q: conversion %q is not supported by goha", f, f[i-1:min(i+1, len(f))])
		}
	}
	return nil
}

var (
	weekdays = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	months   = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September",
		"October", "November", "December"}
)

// strftime formats t as strftime(3) in the C locale, for the
// conversions checkStrftime accepts.
func strftime(f string, t time.Time) string {
	var b strings.Builder
	num := func(n, width int, pad byte) {
		s := strconv.Itoa(n)
		for i := len(s); i < width; i++ {
			b.WriteByte(pad)
		}
		b.WriteString(s)
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'a':
			b.WriteString(weekdays[t.Weekday()][:3])
		case 'A':
			b.WriteString(weekdays[t.Weekday()])
		case 'b', 'h':
			b.WriteString(months[t.Month()-1][:3])
		case 'B':
			b.WriteString(months[t.Month()-1])
		case 'C':
			num(t.Year()/100, 2, '0')
		case 'd':
			num(t.Day(), 2, '0')
		case 'D':
			b.WriteString(strftime("%m/%d/%y", t))
		case 'e':
			num(t.Day(), 2, ' ')
		case 'F':
			b.WriteString(strftime("%Y-%m-%d", t))
		case 'H':
			num(t.Hour(), 2, '0')
		case 'I':
			num((t.Hour()+11)%12+1, 2, '0')
		case 'j':
			num(t.YearDay(), 3, '0')
		case 'k':
			num(t.Hour(), 2, ' ')
		case 'l':
			num((t.Hour()+11)%12+1, 2, ' ')
		case 'm':
			num(int(t.Month()), 2, '0')
		case 'M':
			num(t.Minute(), 2, '0')
		case 'n':
			b.WriteByte('\n')
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'R':
			b.WriteString(strftime("%H:%M", t))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'S':
			num(t.Second(), 2, '0')
		case 't':
			b.WriteByte('\t')
		case 'T':
			b.WriteString(strftime("%H:%M:%S", t))
		case 'u':
			num((int(t.Weekday())+6)%7+1, 1, '0')
		case 'w':
			num(int(t.Weekday()), 1, '0')
		case 'U': // weeks from the year's first Sunday
			num((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
		case 'W': // weeks from the year's first Monday
			num((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
		case 'y':
			num(t.Year()%100, 2, '0')
		case 'Y':
			num(t.Year(), 1, '0')
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			name, _ := t.Zone()
			if t.Location() == time.UTC {
				name = "GMT" // glibc's gmtime names its zone GMT
			}
			b.WriteString(name)
		case '%':
			b.WriteByte('%')
		}
	}
	return b.String()
}
