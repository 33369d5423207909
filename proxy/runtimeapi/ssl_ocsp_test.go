package runtimeapi

import "testing"

// Without a stapled response HAProxy 2.6 prints nothing, not even the
// title (measured), and an unknown ID is refused.
func TestOCSPResponseCommandsWithoutResponses(t *testing.T) {
	for line, want := range map[string]string{
		"show ssl ocsp-response\n":         "\n",
		"show ssl ocsp-response 00ab\n":    "Certificate ID does not match any certificate.\n\n",
		"set ssl ocsp-response\n":          "'set ssl ocsp-response' expects response in base64 encoding.\n\n",
		"set ssl ocsp-response QUJD\n":     "Unable to parse OCSP response.\n\n",
		"set ssl ocsp-response QUJD=x\n":   "'set ssl ocsp-response' received invalid base64 encoded response.\n\n",
		"set ssl ocsp-response MAMKAQE=\n": "OCSP response status not successful.\n\n",
	} {
		if out, _ := NewSession(newFakeSource(), LevelUser).Exec(line); string(out) != want {
			t.Errorf("%q: %q, want %q", line, out, want)
		}
	}
}
