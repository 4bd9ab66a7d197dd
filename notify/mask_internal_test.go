package notify

import "testing"

func TestMaskAddressesKeepsOnlyTheDomain(t *testing.T) {
	for in, want := range map[string]string{
		"550 5.1.1 <ann.lee+x@example.org>: no such user": "550 5.1.1 <…@example.org>: no such user",
		"rcpt to ann@a.test, bob@b.test failed":           "rcpt to …@a.test, …@b.test failed",
		"no address here":                                 "no address here",
		"@ alone":                                         "@ alone",
	} {
		if got := maskAddresses(in); got != want {
			t.Errorf("maskAddresses(%q) = %q, want %q", in, got, want)
		}
	}
}
