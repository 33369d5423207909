package runtimeapi

import "sort"

// closest returns up to n commands whose words look most like args, by
// comparing letter-pair fingerprints (the idea HAProxy uses for its
// suggestions; the exact ranking may differ from HAProxy's).
func closest(args []string, n int) []*command {
	typed := fingerprint(args)
	type scored struct {
		c    *command
		dist int
		pos  int
	}
	var all []scored
	for i, c := range commands {
		if isAlways(c) || c.usage == "" { // not listed: never suggested
			continue
		}
		k := len(args)
		if k > len(c.words) {
			k = len(c.words)
		}
		all = append(all, scored{c, distance(typed, fingerprint(c.words[:k])), i})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].dist < all[j].dist })
	if len(all) > n {
		all = all[:n]
	}
	// A clearly better candidate stands alone ("show servers state\;x"
	// gets only "show servers state", as with HAProxy).
	for i := range all {
		if len(all) > 0 && all[i].dist > 2*all[0].dist {
			all = all[:i]
			break
		}
	}
	// listed in help order, like HAProxy
	sort.SliceStable(all, func(i, j int) bool { return all[i].pos < all[j].pos })
	out := make([]*command, len(all))
	for i, s := range all {
		out[i] = s.c
	}
	return out
}

// fingerprint counts the letter pairs of the words joined by spaces,
// including the pairs formed with the start and end of each word.
func fingerprint(words []string) map[[2]byte]int {
	fp := map[[2]byte]int{}
	for _, w := range words {
		prev := byte(0)
		for i := 0; i < len(w); i++ {
			fp[[2]byte{prev, w[i]}]++
			prev = w[i]
		}
		fp[[2]byte{prev, 0}]++
	}
	return fp
}

func distance(a, b map[[2]byte]int) int {
	d := 0
	for k, v := range a {
		d += abs(v - b[k])
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			d += v
		}
	}
	return d
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
