package statspage

import (
	"strconv"
	"strings"
)

// fields is one `show stat` line by column name. The page is drawn from
// the CSV that `show stat` prints, as HAProxy draws both from one field
// array: the numbers on the page are the socket's numbers by construction.
// An empty value is a field HAProxy leaves unset for that row kind.
type fields map[string]string

// parseStat splits `show stat` CSV output into rows.
func parseStat(csv string) []fields {
	lines := strings.Split(strings.TrimRight(csv, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "# ") {
		return nil
	}
	cols := strings.Split(strings.TrimSuffix(lines[0][2:], ","), ",")
	rows := make([]fields, 0, len(lines)-1)
	for _, l := range lines[1:] {
		vals := strings.Split(strings.TrimSuffix(l, ","), ",")
		f := make(fields, len(cols))
		for i, c := range cols {
			if i < len(vals) {
				f[c] = vals[i]
			}
		}
		rows = append(rows, f)
	}
	return rows
}

func (f fields) str(col string) string { return f[col] }

func (f fields) has(col string) bool { return f[col] != "" }

// num is the column as a number; absent reads 0, as HAProxy's zeroed field.
func (f fields) num(col string) int64 {
	n, _ := strconv.ParseInt(f[col], 10, 64)
	return n
}

// u32 is the column as HAProxy's unsigned 32-bit field (rise+fall-1
// comparisons wrap as in C when no check is configured).
func (f fields) u32(col string) uint32 { return uint32(f.num(col)) }

// u2h renders a counter with HAProxy's digit grouping: the last digit
// before each group of three is wrapped in <span class="rls">, whose
// letter spacing makes the thousands gap ("4<span class="rls">7</span>993").
func u2h(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if rest := len(s) - 1 - i; rest > 0 && rest%3 == 0 {
			b.WriteString(`<span class="rls">` + s[i:i+1] + `</span>`)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// lim2a renders a limit: "-" when unset (0).
func lim2a(n int64) string {
	if n == 0 {
		return "-"
	}
	return strconv.FormatInt(n, 10)
}

// humanTime renders seconds as HAProxy's human_time: at most two units
// among d/h/m/s, "?" for a negative (never) value.
func humanTime(t int64) string {
	if t < 0 {
		return "?"
	}
	var b strings.Builder
	cnt := 0
	if t >= 86400 {
		b.WriteString(strconv.FormatInt(t/86400, 10) + "d")
		cnt++
	}
	if cnt < 2 && t%86400/3600 != 0 {
		b.WriteString(strconv.FormatInt(t%86400/3600, 10) + "h")
		cnt++
	}
	if cnt < 2 && t%3600/60 != 0 {
		b.WriteString(strconv.FormatInt(t%3600/60, 10) + "m")
		cnt++
	}
	if cnt < 2 && (t%60 != 0 || t == 0) {
		b.WriteString(strconv.FormatInt(t%60, 10) + "s")
	}
	return b.String()
}

// pct is HAProxy's integer percentage with a zero guard.
func pct(part, whole int64) int64 {
	if whole == 0 {
		return 0
	}
	return 100 * part / whole
}

// htmlEncode escapes text placed in the page as HAProxy's chunk_htmlencode
// does: the characters that would open markup or an entity.
func htmlEncode(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	return r.Replace(s)
}
