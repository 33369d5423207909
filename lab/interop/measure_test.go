package interop

import (
	"testing"
	"time"
)

func TestFailoverTable(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	gaps := []Gap{
		{Impl: "keepalived", Fault: FaultTerm, Run: 1, Takeover: ms(1040), Return: ms(3640)},
		{Impl: "keepalived", Fault: FaultTerm, Run: 2, Takeover: ms(1030), Return: ms(3630)},
		{Impl: "gokeepalived", Fault: FaultTerm, Run: 1, Takeover: ms(655), Return: ms(3700)},
		{Impl: "gokeepalived", Fault: FaultKill, Run: 1, Takeover: ms(3150), Return: ms(3660)},
	}
	want := "| fault | keepalived: VIP on lb2 | keepalived: back on lb1 | gokeepalived: VIP on lb2 | gokeepalived: back on lb1 |\n" +
		"|---|---|---|---|---|\n" +
		"| SIGTERM | 1.04 s · 1.03 s | 3.64 s · 3.63 s | 0.66 s | 3.70 s |\n" +
		"| SIGKILL | – | – | 3.15 s | 3.66 s |\n" +
		"| link down | – | – | – | – |\n"
	if got := FailoverTable(gaps, []string{"keepalived", "gokeepalived"}); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
	if m := Median(gaps, "keepalived", FaultTerm); m != ms(1040) {
		t.Errorf("median %s", m)
	}
	if m := Median(gaps, "keepalived", FaultKill); m != 0 {
		t.Errorf("median of nothing %s", m)
	}
}
