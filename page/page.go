// Package page is the engine- and transport-neutral shape of a list that
// is read a page at a time: what a caller asks (Request), what it gets
// (List), and the ids its cursors carry. Services speak it; the HTTP edge
// (api.ParsePage) fills a Request from ?limit=&cursor=.
package page

import (
	"errors"
	"math"
	"strconv"

	"pacer/errs"
)

// MaxID is the largest ID: IDs come from sequences that never get near
// it, and a larger value in a request is malformed, not a lookup.
const MaxID = math.MaxInt64

// Request asks for at most Limit items after the opaque Cursor a previous
// page returned ("" for the first page).
type Request struct {
	Limit  int
	Cursor string
}

// CursorID reads a cursor that is an ID (0 when there is no cursor); any
// other cursor is a 400 naming the field.
func (r Request) CursorID() (uint64, error) {
	if r.Cursor == "" {
		return 0, nil
	}
	id, err := ParseID(r.Cursor)
	if err != nil {
		return 0, errs.Field("cursor", "invalid")
	}
	return id, nil
}

// List is one page of a list: its items, and the cursor of the next page
// ("" when this is the last).
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// Items wraps a slice as a list with no further pages (never null).
func Items[T any](items []T) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items}
}

// FormatID is the decimal form of an ID (for cursors and links).
func FormatID(id uint64) string { return strconv.FormatUint(id, 10) }

// ParseID parses a positive decimal ID, at most MaxID.
func ParseID(s string) (uint64, error) {
	if s == "" || len(s) > 20 || s[0] == '+' || s[0] == '-' {
		return 0, errors.New("bad id")
	}
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 || id > MaxID {
		return 0, errors.New("bad id")
	}
	return id, nil
}
