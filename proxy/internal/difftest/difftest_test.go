package difftest

import "testing"

func TestParseAllAndDiff(t *testing.T) {
	raw := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nok" +
		"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n")
	rs, err := ParseAll(raw)
	if err != nil || len(rs) != 2 || rs[0].Body != "ok" || rs[1].Status != 503 || rs[0].Headers["x-a"] != "1" {
		t.Fatalf("%+v %v", rs, err)
	}
	if d := Diff(rs, rs, "x-a"); d != "" {
		t.Fatal(d)
	}
	other := []Response{{Status: 200, Body: "ko", Headers: map[string]string{"x-a": "2"}}, rs[1]}
	if d := Diff(rs, other, "x-a"); d == "" {
		t.Fatal("difference not reported")
	}
	if _, err := ParseAll([]byte("garbage\r\n\r\n")); err == nil {
		t.Fatal("garbage parsed")
	}
}
