package proxy

// serverIDs numbers a backend's servers as HAProxy does: a server with
// `id` keeps it; the others, in order, take the lowest free id from a
// counter that starts at 1 and moves on after every server, forced or
// not (ids 7, -, 1, - give 7, 2, 1, 4).
func serverIDs(servers []*Server) []int {
	used := map[int]bool{}
	for _, s := range servers {
		if s.ID > 0 {
			used[s.ID] = true
		}
	}
	ids := make([]int, len(servers))
	next := 1
	for i, s := range servers {
		if s.ID > 0 {
			ids[i] = s.ID
		} else {
			for used[next] {
				next++
			}
			ids[i], used[next] = next, true
		}
		next++
	}
	return ids
}
