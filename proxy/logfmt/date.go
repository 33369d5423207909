package logfmt

import "time"

const monthNames = "JanFebMarAprMayJunJulAugSepOctNovDec"

func append2(dst []byte, v int) []byte { return append(dst, byte('0'+v/10%10), byte('0'+v%10)) }

// appendLogDate writes HAProxy's log date, "25/Nov/2026:09:04:44", then
// ".465" (ms) or " +0100" (tz) as asked; time.AppendFormat does the same
// several times slower, and this runs once per logged request.
func appendLogDate(dst []byte, t time.Time, ms, tz bool) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = append2(dst, d)
	dst = append(dst, '/')
	dst = append(dst, monthNames[(mo-1)*3:mo*3]...)
	dst = append(dst, '/')
	dst = append2(append2(dst, y/100), y%100)
	dst = append(dst, ':')
	dst = append2(dst, h)
	dst = append(dst, ':')
	dst = append2(dst, mi)
	dst = append(dst, ':')
	dst = append2(dst, s)
	if ms {
		dst = append(dst, '.')
		dst = appendPad3(dst, t.Nanosecond()/1e6)
	}
	if tz {
		_, off := t.Zone()
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		dst = append(dst, ' ', sign)
		dst = append2(append2(dst, off/3600), off/60%60)
	}
	return dst
}
