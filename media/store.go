package media

import (
	"context"
	"errors"
	"time"
)

// Store keeps media's records: the media records and their course lists,
// which records use each blob, captions, watch states, the usage totals of
// the quotas and the list of unattached submission uploads. The bytes
// themselves are Files, on disk. An engine implements Store (the bbolt one
// is storage/bolt.Media); storetest.Run is the contract every
// implementation passes. Each method joins the transaction ctx carries
// (txn.Runner), or runs in its own.
type Store interface {
	RecordStore
	CaptionStore
	WatchStore
	UsageStore
}

// ErrNotFound is what a store answers for a record it does not hold.
var ErrNotFound = errors.New("media: no such record")

// RecordStore keeps media records. A record's blob counts as used while the
// record exists (BlobInUse), and a submission upload without AttachedAt is
// on the unattached list (SweepUnattached) until Attach.
type RecordStore interface {
	// Get is the record with this id, or ErrNotFound.
	Get(ctx context.Context, id uint64) (Media, error)
	// Add stores m under a new id, larger than every id given before, with
	// captions (their MediaID set to that id), and returns it with its id.
	Add(ctx context.Context, m Media, captions []Caption) (Media, error)
	// Attach records, for each id, the instant a submission first used
	// it: the upload leaves the unattached list. ErrNotFound when one of
	// them does not exist.
	Attach(ctx context.Context, at map[uint64]time.Time) error
	// Course lists a course's records in id order (upload order): those
	// with an id above after, at most limit of them. more says whether
	// others follow the last.
	Course(ctx context.Context, course, after uint64, limit int) (items []Media, more bool, err error)
	// All is every record in id order (the quota totals are counted from
	// it once).
	All(ctx context.Context) ([]Media, error)
	// Remove deletes a record with its captions; ErrNotFound when there
	// is none.
	Remove(ctx context.Context, id uint64) (Removed, error)
	// RemoveCourse deletes every record of a course with its captions.
	RemoveCourse(ctx context.Context, course uint64) (Removed, error)
	// SweepUnattached deletes, oldest first, at most limit submission
	// uploads made before the instant that no submission used, with their
	// captions. more says whether it stopped at the limit, so that others
	// may remain.
	SweepUnattached(ctx context.Context, before time.Time, limit int) (removed Removed, more bool, err error)
	// BlobInUse reports whether a record or a caption names the blob.
	BlobInUse(ctx context.Context, sum string) (bool, error)
	// LockBlob holds, until unlock is called, the right to decide whether
	// blob sum is in use, for every process that uses this store: an
	// upload holds it from finding (or storing) the blob to committing the
	// record that names it, a removal from asking BlobInUse to removing
	// the bytes, so that neither sees the other half done. Within one
	// process the service orders them itself; an engine that only ever
	// serves one process may hold nothing. ctx must carry no transaction.
	LockBlob(ctx context.Context, sum string) (unlock func(), err error)
}

// Removed is what a removal took away: the records, and the blobs they
// and their captions used (in that order, a record's own first), which may
// be unused now.
type Removed struct {
	Media []Media
	Blobs []string
}

// CaptionStore keeps each media's captions, one per language.
type CaptionStore interface {
	// Captions lists a media's captions in language order; none is an
	// empty list.
	Captions(ctx context.Context, media uint64) ([]Caption, error)
	// Caption is a media's captions in one language, or ErrNotFound.
	Caption(ctx context.Context, media uint64, lang string) (Caption, error)
	// CountCaptions is how many languages a media has captions in.
	CountCaptions(ctx context.Context, media uint64) (int, error)
	// PutCaption stores c as its media's captions in c.Lang, replacing
	// those there (whose blob is then no longer used by them).
	PutCaption(ctx context.Context, c Caption) error
	// DeleteCaption removes a media's captions in one language, or
	// answers ErrNotFound.
	DeleteCaption(ctx context.Context, media uint64, lang string) error
}

// WatchKey names one learner's watch state on one lecture item.
type WatchKey struct{ Course, User, Item uint64 }

// WatchStore keeps watch states.
type WatchStore interface {
	// Watch is a watch state, or ErrNotFound.
	Watch(ctx context.Context, k WatchKey) (WatchState, error)
	// HasWatch reports whether a watch state exists, without reading it:
	// every heartbeat asks.
	HasWatch(ctx context.Context, k WatchKey) (bool, error)
	// PutWatch stores a watch state.
	PutWatch(ctx context.Context, k WatchKey, st WatchState) error
	// DeleteItemWatches removes every learner's watch state of an item.
	DeleteItemWatches(ctx context.Context, course, item uint64) error
	// Batch runs fn as txn.Runner.Write does, except that the engine may
	// commit it together with other callers' work: heartbeats of many
	// learners arrive at once and would otherwise wait for one commit
	// each. fn may run more than once, so it must compute what it writes
	// from what it reads. With a transaction in ctx, fn joins it.
	Batch(ctx context.Context, fn func(ctx context.Context) error) error
}

// Account is a usage total of the quotas: the course files of course ID,
// or, when User, the submission uploads of user ID across every course.
type Account struct {
	User bool
	ID   uint64
}

// UsageStore keeps the usage totals.
type UsageStore interface {
	// Usage is an account's total in bytes; 0 when it has none.
	Usage(ctx context.Context, a Account) (int64, error)
	// AddUsage adds each delta to its account's total, which never goes
	// below 0.
	AddUsage(ctx context.Context, deltas map[Account]int64) error
	// ClearUsage drops an account's total.
	ClearUsage(ctx context.Context, a Account) error
	// UsageCounted reports whether CountedUsage ran.
	UsageCounted(ctx context.Context) (bool, error)
	// CountedUsage sets the totals made from the records, the first time
	// (a data directory from before quotas), and marks them made.
	CountedUsage(ctx context.Context, totals map[Account]int64) error
}
