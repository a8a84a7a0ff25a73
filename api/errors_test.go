package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/evident/evident/maps"
	"github.com/evident/evident/store"
)

func TestKindTable(t *testing.T) {
	for _, c := range []struct {
		kind   Kind
		status int
		exit   int
	}{
		{NotFound, http.StatusNotFound, 1},
		{Invalid, http.StatusBadRequest, 1},
		{Conflict, http.StatusConflict, 1},
		{TooLarge, http.StatusRequestEntityTooLarge, 1},
		{Unprocessable, http.StatusUnprocessableEntity, 1},
		{Unauthorized, http.StatusUnauthorized, 1},
		{Forbidden, http.StatusForbidden, 1},
		{Internal, http.StatusInternalServerError, 1},
		{"no such kind", http.StatusInternalServerError, 1},
	} {
		if got := c.kind.HTTPStatus(); got != c.status {
			t.Errorf("%s: HTTP status %d, want %d", c.kind, got, c.status)
		}
		if got := c.kind.ExitCode(); got != c.exit {
			t.Errorf("%s: exit status %d, want %d", c.kind, got, c.exit)
		}
		if c.kind != "no such kind" {
			if got := KindOfStatus(c.status); got != c.kind {
				t.Errorf("status %d: kind %s, want %s", c.status, got, c.kind)
			}
		}
	}
	if got := KindOfStatus(http.StatusTeapot); got != Internal {
		t.Errorf("an unknown status is %s, want internal", got)
	}
}

func TestKindOf(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, ""},
		{"plain", errors.New("disk on fire"), Internal},
		{"an Error", Errorf(Conflict, "map %q exists", "cfo"), Conflict},
		{"wrapped Error", fmt.Errorf("creating: %w", Errorf(Invalid, "no name")), Invalid},
		{"store's not found", fmt.Errorf("doc: %w", store.ErrNotFound), NotFound},
		{"a maps error", &maps.Error{Kind: maps.ErrConflict, Msg: "taken"}, Conflict},
		{"a maps invalid", &maps.Error{Kind: maps.ErrInvalid, Msg: "bad"}, Invalid},
		{"body too large", fmt.Errorf("reading: %w", &http.MaxBytesError{Limit: 10}), TooLarge},
		{"given a kind", WithKind(Invalid, errors.New("bad form")), Invalid},
		{"a kind kept", WithKind(Invalid, fmt.Errorf("x: %w", store.ErrNotFound)), NotFound},
	} {
		if got := KindOf(c.err); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// An Error that crossed HTTP matches what the engine's error matched.
func TestErrorMatchesAcrossTheWire(t *testing.T) {
	sent := AsError(&maps.Error{Kind: maps.ErrNotFound, Msg: `no map is called "x"`})
	b, err := json.Marshal(sent)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"kind":"not_found","error":"no map is called \"x\""}` {
		t.Errorf("on the wire: %s", b)
	}
	var got Error
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, target := range []error{maps.ErrNotFound, store.ErrNotFound, &Error{Kind: NotFound}} {
		if !errors.Is(&got, target) {
			t.Errorf("the error received does not match %v", target)
		}
	}
	if errors.Is(&got, maps.ErrConflict) {
		t.Error("not found matches conflict")
	}
	if got.Error() != `no map is called "x"` {
		t.Errorf("message %q", got.Error())
	}
}

func TestErrorfWraps(t *testing.T) {
	base := errors.New("yaml: line 3")
	err := Errorf(Unprocessable, "rules.yaml: %w; the rules in force are unchanged", base)
	if !errors.Is(err, base) || KindOf(err) != Unprocessable {
		t.Errorf("%v: kind %s, wraps the cause: %v", err, KindOf(err), errors.Is(err, base))
	}
	if e := AsError(fmt.Errorf("outer: %w", err)); e.Message != "outer: "+err.Error() || e.Kind != Unprocessable {
		t.Errorf("a wrapped Error sends %+v", e)
	}
}
