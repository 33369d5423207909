package haproxy

import "strings"

// peersTableNamed is the "table" line of a peers section registered as id
// ("<section>/<table>", as HAProxy names it in track-sc, the sc_*/src_*
// fetches and the runtime API), typed, or nil.
func (s *state) peersTableNamed(id string) *StickTable {
	secName, name, ok := strings.Cut(id, "/")
	if !ok {
		return nil
	}
	sec := s.sectionNamed("peers", secName)
	if sec == nil {
		return nil
	}
	for _, st := range sec.Statements {
		if st.Args[0] == "table" && len(st.Args) > 1 && st.Args[1] == name {
			t, _ := ParseStickTable("table", st.Args[2:], true)
			t.Pos = st.Pos
			return &t
		}
	}
	return nil
}
