package haproxy

import "testing"

func TestDefaultFullconn(t *testing.T) {
	// 10% of the frontends' summed maxconn, rounded up, at least 1 (seen in
	// show stat: a backend no frontend uses has slim 1)
	for _, tc := range []struct{ sum, want int }{{0, 1}, {1, 1}, {10, 1}, {11, 2}, {2000, 200}, {8001, 801}} {
		if got := DefaultFullconn(tc.sum); got != tc.want {
			t.Errorf("DefaultFullconn(%d) = %d, want %d", tc.sum, got, tc.want)
		}
	}
}

func TestDefaultMaxconn(t *testing.T) {
	// measured with HAProxy 2.6 and two listeners (reserve 26+2); the
	// small limits under fd-hard-limit
	for _, tc := range []struct{ limit, reserve, want int }{
		{1024, 28, 498}, {4096, 28, 2034}, {20000, 28, 9986}, {240, 28, 106}, {200, 28, 100}, {-5, 28, 100}, {20, 28, 100},
	} {
		if got := DefaultMaxconn(tc.limit, tc.reserve); got != tc.want {
			t.Errorf("DefaultMaxconn(%d, %d) = %d, want %d", tc.limit, tc.reserve, got, tc.want)
		}
	}
}
