package lab

import "testing"

func TestInsertAfter(t *testing.T) {
	for _, tc := range []struct {
		name, conf, key string
		lines           []string
		want            string
	}{
		{"indent kept", "vrrp_instance a {\n    advert_int 1\n}\n", "advert_int", []string{"version 3"},
			"vrrp_instance a {\n    advert_int 1\n    version 3\n}\n"},
		{"every match", "\tx 1\ny\n\tx 2\n", "x", []string{"z"}, "\tx 1\n\tz\ny\n\tx 2\n\tz\n"},
		{"first word only", "advert_intx 1\n# advert_int\nfoo advert_int\n", "advert_int", []string{"v"},
			"advert_intx 1\n# advert_int\nfoo advert_int\n"},
		{"last line without LF", "a {\n  key 1", "key", []string{"b", "c"}, "a {\n  key 1\n  b\n  c\n"},
		{"nothing to add", "key 1\n", "key", nil, "key 1\n"},
	} {
		if got := string(InsertAfter([]byte(tc.conf), tc.key, tc.lines...)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
