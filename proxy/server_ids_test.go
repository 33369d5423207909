package proxy

import (
	"slices"
	"testing"
)

func TestServerIDs(t *testing.T) {
	for _, c := range []struct{ forced, want []int }{
		{[]int{0, 0, 0}, []int{1, 2, 3}},
		{[]int{7, 0, 1, 0}, []int{7, 2, 1, 4}}, // measured on HAProxy 2.6
		{[]int{9, 0, 4}, []int{9, 2, 4}},       // measured on HAProxy 2.6
		{[]int{0, 1, 0}, []int{2, 1, 4}},
		{[]int{2, 3, 0, 0}, []int{2, 3, 4, 5}},
	} {
		var servers []*Server
		for _, id := range c.forced {
			servers = append(servers, &Server{ID: id})
		}
		if got := serverIDs(servers); !slices.Equal(got, c.want) {
			t.Errorf("serverIDs(%v) = %v, want %v", c.forced, got, c.want)
		}
	}
}
