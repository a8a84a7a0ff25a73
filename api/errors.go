package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/evident/evident/maps"
	"github.com/evident/evident/store"
)

// Kind says what sort of failure an error is. It travels with the message
// in every failed API answer, so that a client turns the answer back into
// the same failure without guessing from the HTTP status.
type Kind string

// The kinds of failure. The names are the wire values.
const (
	NotFound      Kind = "not_found"     // a document, passage, map or quote that does not exist
	Invalid       Kind = "invalid"       // a request that cannot be done as asked
	Conflict      Kind = "conflict"      // a clash with what is there: a map name taken
	TooLarge      Kind = "too_large"     // a body or file over a limit
	Unprocessable Kind = "unprocessable" // a file the request relies on is unusable: rules that do not compile
	Unauthorized  Kind = "unauthorized"  // no token, or the wrong one
	Forbidden     Kind = "forbidden"     // a request this server refuses from where it comes
	Internal      Kind = "internal"      // anything else: the store, the index, the queue
)

// kinds is the one table from a kind to its HTTP status and its exit
// status, and from the errors of lower packages to their kind. Every exit
// status is 1: the command-line contract promises 0 for success and 1 for
// failure, whatever the failure.
var kinds = []struct {
	kind      Kind
	status    int
	exit      int
	sentinels []error // errors.Is targets that are this kind
}{
	{NotFound, http.StatusNotFound, 1, []error{store.ErrNotFound, maps.ErrNotFound}},
	{Invalid, http.StatusBadRequest, 1, []error{maps.ErrInvalid}},
	{Conflict, http.StatusConflict, 1, []error{maps.ErrConflict}},
	{TooLarge, http.StatusRequestEntityTooLarge, 1, nil},
	{Unprocessable, http.StatusUnprocessableEntity, 1, nil},
	{Unauthorized, http.StatusUnauthorized, 1, nil},
	{Forbidden, http.StatusForbidden, 1, nil},
	{Internal, http.StatusInternalServerError, 1, nil},
}

// Error is a failure as the API sends it: {"error": message, "kind": kind}.
// The message is one sentence for a person; the wire name "error" predates
// the kind and stays.
type Error struct {
	Kind    Kind   `json:"kind,omitempty"`
	Message string `json:"error"`
	cause   error  // what it was made from, in process; never sent
}

// Errorf returns an error of a kind with a formatted message. %w wraps
// as fmt.Errorf does.
func Errorf(kind Kind, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Error{Kind: kind, Message: err.Error(), cause: errors.Unwrap(err)}
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the error this one was made from with Errorf's %w.
func (e *Error) Unwrap() error { return e.cause }

// Is matches an Error of the same kind, and the lower packages' errors of
// its kind (maps.ErrNotFound for NotFound...), so that code written
// against those sees the same failure whether it came from an engine in
// process or over HTTP.
func (e *Error) Is(target error) bool {
	if t, ok := target.(*Error); ok {
		return t.Kind == e.Kind
	}
	for _, k := range kinds {
		if k.kind == e.Kind {
			for _, s := range k.sentinels {
				if target == s {
					return true
				}
			}
		}
	}
	return false
}

// KindOf says what kind of failure err is: its own kind when it is an
// Error, the kind of a lower package's error it matches, TooLarge for a
// request body over its limit, else Internal. nil has no kind.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Kind != "" {
		return e.Kind
	}
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return TooLarge
	}
	for _, k := range kinds {
		for _, s := range k.sentinels {
			if errors.Is(err, s) {
				return k.kind
			}
		}
	}
	return Internal
}

// WithKind gives err a kind unless KindOf finds one of its own: the kind
// of what went wrong in a request whose parts may fail in several ways.
func WithKind(kind Kind, err error) error {
	if err == nil || KindOf(err) != Internal {
		return err
	}
	return &Error{Kind: kind, Message: err.Error(), cause: err}
}

// AsError turns any error into the Error the API sends for it.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) && e.Kind != "" && e.Message == err.Error() {
		return e
	}
	return &Error{Kind: KindOf(err), Message: err.Error()}
}

// HTTPStatus is the status an API answer of this kind carries.
func (k Kind) HTTPStatus() int {
	for _, row := range kinds {
		if row.kind == k {
			return row.status
		}
	}
	return http.StatusInternalServerError
}

// ExitCode is the status a command that fails this way exits with.
func (k Kind) ExitCode() int {
	for _, row := range kinds {
		if row.kind == k {
			return row.exit
		}
	}
	return 1
}

// KindOfStatus is the kind of an error answer that says no kind (a server
// older than the kinds, or a failure before the API, such as a proxy's):
// the kind whose status it is, else Internal.
func KindOfStatus(status int) Kind {
	for _, row := range kinds {
		if row.status == status {
			return row.kind
		}
	}
	return Internal
}
