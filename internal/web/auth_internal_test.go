package web

import "testing"

// TestSafeNext: the page a sign-in returns to stays on this site, whatever
// a browser would make of the text (it drops tabs and newlines, reads "\"
// as "/", and takes "//host" for another site).
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/exchanges/chicago-paris-2014?lang=fr#goal-funding", "/exchanges/chicago-paris-2014?lang=fr"},
		{"/admin/audit", "/admin/audit"},
		{"/exchanges/a%20b", "/exchanges/a%20b"},
		{"/\t/127.0.0.1:18299/landed", "/exchanges"},
		{"/\n/evil.example", "/exchanges"},
		{"/\r/evil.example", "/exchanges"},
		{"//evil.example/path", "/exchanges"},
		{"///evil.example", "/exchanges"},
		{"/\\evil.example", "/exchanges"},
		{"\\/evil.example", "/exchanges"},
		{"/\\/evil.example", "/exchanges"},
		{"https://evil.example/", "/exchanges"},
		{"http:evil.example", "/exchanges"},
		{"javascript:alert(1)", "/exchanges"},
		{"/ /evil.example", "/exchanges"},
		{" //evil.example", "/exchanges"},
		{"/%2F%2Fevil.example", "/exchanges"},
		{"/%2f/evil.example", "/exchanges"},
		{"/%5Cevil.example", "/exchanges"},
		{"/%09/evil.example", "/exchanges"},
		{"/\u00a0/evil.example", "/exchanges"},
		{"/\u3000/evil.example", "/exchanges"},
		{"/\x00/evil.example", "/exchanges"},
		{"/\x7f/evil.example", "/exchanges"},
		{"evil.example", "/exchanges"},
		{"", "/exchanges"},
	} {
		if got := safeNext(tc.next); got != tc.want {
			t.Errorf("safeNext(%q) = %q; want %q", tc.next, got, tc.want)
		}
	}
}
