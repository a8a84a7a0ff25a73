package lazyregexp

import "testing"

func TestNewCompilesOnceOnFirstUse(t *testing.T) {
	re := New(`a(b+)`)
	first := re()
	if first != re() {
		t.Fatal("a second call compiled the pattern again")
	}
	if got := first.FindStringSubmatch("xabbb"); len(got) != 2 || got[1] != "bbb" {
		t.Fatalf("FindStringSubmatch = %q", got)
	}
}

func TestNewPanicsOnUseNotOnDeclaration(t *testing.T) {
	bad := New(`(`) // declaring an invalid pattern must not panic
	defer func() {
		if recover() == nil {
			t.Fatal("using an invalid pattern did not panic")
		}
	}()
	bad()
}
