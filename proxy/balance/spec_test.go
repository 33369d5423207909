package balance

import "testing"

func TestSpecHashed(t *testing.T) {
	for algo, want := range map[string]bool{"roundrobin": false, "leastconn": false, "first": false, "static-rr": false,
		"random": false, "source": true, "uri": true, "url_param": true, "hdr": true, "rdp-cookie": true, "hash": true} {
		if got := (Spec{Algorithm: algo}).Hashed(); got != want {
			t.Errorf("Spec{Algorithm: %q}.Hashed() = %v, want %v", algo, got, want)
		}
	}
}
