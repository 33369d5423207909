package crypt

import (
	"strings"
	"testing"
)

// The expected hashes are Debian 12's libcrypt (libxcrypt, the crypt(3)
// HAProxy 2.6.12 links) on the same key and setting; "*0" is its failure.
var vectors = []struct{ key, setting, want string }{
	{"secret", "$1$saltsalt", "$1$saltsalt$9xy1btjgzLYfb7hivXtC//"},
	{"", "$1$", "$1$$qRPK7m23GJusamGpoGLby/"},
	{strings.Repeat("x", 80), "$1$abcdefghij", "$1$abcdefgh$06aFAnVfqM7H4kDMwscRI1"},
	{"pässwörd", "$1$./09AZaz", "$1$./09AZaz$cu.0Mr2SdQkKTTspVtrui/"},
	{"secret", "$5$saltsalt", "$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA"},
	{"", "$5$x", "$5$x$yHbtfs4Y8t6X1xcJemNX.4JQRfUTafA2qQenWGLBee2"},
	{strings.Repeat("y", 100), "$5$abcdefghijklmnopqrst", "$5$abcdefghijklmnop$6DHTcLqi7x4UsagYp.0Dr1r.y.5tgEc12k8M46rcBnD"},
	{"secret", "$5$rounds=1000$ab", "$5$rounds=1000$ab$bw4PhTdETPYycBP1S/MfHGVqzf4cldTXkxqJJ2X8w.3"},
	{"pwpwpwpwpwpwpwpwpwpwpwpwpwpwpwpwpwpwpwpw", "$5$rounds=5000$s", "$5$rounds=5000$s$KQAuR3miV3SReFwmPEt93k4e5G6FtnXsLdH3YUDhRI6"},
	{"secret", "$6$saltsalt", "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"},
	{"", "$6$", "$6$$/chiBau24cE26QQVW3IfIe68Xu5.JQ4E8Ie7lcRLwqxO5cxGuBhqF2HmTL.zWJ9zjChg3yJYFXeGBQ2y3Ba1d1"},
	{strings.Repeat("z", 150), "$6$abcdefghijklmnop", "$6$abcdefghijklmnop$m0SUA.Q1m2C/8920fBVci57FGKH1sQpZFoN.cTUy78M78FlN.HK1N20idIqrw/04uD7ojxQnCWPgjqVcpW/OQ0"},
	{"secret", "$6$rounds=1000$ab", "$6$rounds=1000$ab$3tLFZOSDxcyiDWcYSrieU1uloXMcbPJQRTcotZNqEJiB1iizwjzbn2jECOCvw6wslPpiTPzli2jppqTUXUq9N0"},
	{"é", "$6$rounds=1234$./", "$6$rounds=1234$./$g0zWJmSb9KvnxfiPzCWeeh7gTm3riS3inynmPW3P6ygdTbd24KEcMDaEsfQhl5hqkXyhJurF.nVAeiL9S24gb1"},
	{"secret", "$6$rounds=999$ab", "*0"},
	{"secret", "$6$rounds=01000$ab", "*0"},
	{"secret", "$6$rounds=$ab", "*0"},
	{"secret", "$6$rounds=1000000000$ab", "*0"},
	{"secret", "$6$a!b$", "*0"},
	{"secret", "$1$ab!$", "*0"},
	{"secret", "abNANd1rDfiNc", "*0"}, // DES: not computed here (refused upstream)
	{"secret", "$2b$05$abcdefghijklmnopqrstuu", "*0"},
}

func TestCryptVectors(t *testing.T) {
	for _, v := range vectors {
		got, ok := Crypt(v.key, v.setting)
		if !ok {
			got = "*0"
		}
		if got != v.want {
			t.Errorf("Crypt(%q, %q) = %q, libxcrypt gives %q", v.key, v.setting, got, v.want)
		}
	}
}

func TestVerify(t *testing.T) {
	for _, v := range vectors {
		if v.want == "*0" {
			continue
		}
		if got := Verify(v.key, v.want); !got {
			t.Errorf("Verify(%q, %q) = false", v.key, v.want)
		}
		if Verify(v.key+"x", v.want) {
			t.Errorf("Verify(%q, %q) = true for a wrong key", v.key+"x", v.want)
		}
	}
	if Verify("secret", "$6$abcdefghijklmnopq$m0SUA") {
		t.Error("a 17-character salt verified")
	}
}

func TestSupported(t *testing.T) {
	for h, want := range map[string]bool{"$1$a$b": true, "$5$a$b": true, "$6$a$b": true, "abNANd1rDfiNc": false,
		"$2b$05$x": false, "$y$j9T$a$b": false, "": false, "$6": false} {
		if Supported(h) != want {
			t.Errorf("Supported(%q) = %v", h, !want)
		}
	}
}
