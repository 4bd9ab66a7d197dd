package bolt

import (
	"context"
	"errors"

	"pacer/discussion"
	"pacer/errs"
	"pacer/storage"
)

// Discussion implements discussion.Store. Boards, threads, posts and
// reports are JSON records under their ids; the composite keys of their
// indexes are built and parsed in discussion_keys.go, and their shapes are
// listed with the buckets in storage/schema.go. Threads, boards and the
// posts of pages are read through decode memos (discussion_memo.go).
type Discussion struct {
	db   *storage.DB
	memo *memos
}

// NewDiscussion returns the store over db.
func NewDiscussion(db *storage.DB) *Discussion { return &Discussion{db: db, memo: newMemos()} }

// read runs fn in the transaction ctx carries, or in a read-only one.
// Joining needs no new context, which matters on the per-thread calls of a
// list.
func (s *Discussion) read(ctx context.Context, fn func(tx *storage.Tx) error) error {
	if tx := storage.TxFrom(ctx); tx != nil {
		return fn(tx)
	}
	return s.db.Read(ctx, func(ctx context.Context) error { return fn(storage.TxFrom(ctx)) })
}

// write runs fn in the read-write transaction ctx carries, or in its own.
func (s *Discussion) write(ctx context.Context, fn func(tx *storage.Tx) error) error {
	if tx := storage.TxFrom(ctx); tx != nil {
		if !tx.Writable() {
			return storage.ErrReadOnly
		}
		return fn(tx)
	}
	return s.db.Write(ctx, func(ctx context.Context) error { return fn(storage.TxFrom(ctx)) })
}

// view runs fn in a read-only transaction of its own: the path of a store
// call made outside one. The calls a page makes per thread or per
// subscriber join the page's transaction before reaching it, without
// allocating a closure.
func view[V any](s *Discussion, ctx context.Context, fn func(tx *storage.Tx) (V, error)) (V, error) {
	var v V
	err := s.db.Read(ctx, func(ctx context.Context) error {
		var err error
		v, err = fn(storage.TxFrom(ctx))
		return err
	})
	return v, err
}

// discussionNotFound maps the engine's "no such key" to the domain's not found, the
// one place this store does so.
func discussionNotFound(err error, what string) error {
	if errors.Is(err, storage.ErrNotFound) {
		return errs.NotFoundf(what)
	}
	return err
}

// Board implements discussion.Store.
func (s *Discussion) Board(ctx context.Context, id uint64) (discussion.BoardRecord, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return s.board(tx, id)
	}
	return view(s, ctx, func(tx *storage.Tx) (discussion.BoardRecord, error) { return s.board(tx, id) })
}

func (s *Discussion) board(tx *storage.Tx, id uint64) (discussion.BoardRecord, error) {
	b, err := memoGet(tx, s.memo.boards, storage.Boards, storage.ID(id), id)
	return b, discussionNotFound(err, "board")
}

// CourseBoards implements discussion.Store.
func (s *Discussion) CourseBoards(ctx context.Context, course uint64) ([]discussion.BoardRecord, error) {
	var out []discussion.BoardRecord
	err := s.read(ctx, func(tx *storage.Tx) error {
		return tx.Each(storage.BoardsByCourse, storage.Key(course), func(k, _ []byte) error {
			b, err := s.board(tx, storage.Part(k, 1))
			if err != nil {
				return err
			}
			out = append(out, b)
			return nil
		})
	})
	return out, err
}

// AddBoard implements discussion.Store.
func (s *Discussion) AddBoard(ctx context.Context, b discussion.BoardRecord) (discussion.BoardRecord, error) {
	err := s.write(ctx, func(tx *storage.Tx) error {
		id, err := tx.NextID(storage.Boards)
		if err != nil {
			return err
		}
		b.ID = id
		if err := tx.Put(storage.Boards, storage.ID(id), b); err != nil {
			return err
		}
		return tx.PutRaw(storage.BoardsByCourse, storage.Key(b.CourseID, id), nil)
	})
	return b, err
}

// PutBoard implements discussion.Store.
func (s *Discussion) PutBoard(ctx context.Context, b discussion.BoardRecord) error {
	return s.write(ctx, func(tx *storage.Tx) error { return tx.Put(storage.Boards, storage.ID(b.ID), b) })
}

// CountThreads implements discussion.Store.
func (s *Discussion) CountThreads(ctx context.Context, board uint64) (int, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return countThreads(tx, board)
	}
	return view(s, ctx, func(tx *storage.Tx) (int, error) { return countThreads(tx, board) })
}

func countThreads(tx *storage.Tx, board uint64) (int, error) {
	return tx.Count(storage.ThreadsByBoard, storage.Key(board)), nil
}

// BoardThreads implements discussion.Store.
func (s *Discussion) BoardThreads(ctx context.Context, board uint64) ([]discussion.ThreadRecord, error) {
	var out []discussion.ThreadRecord
	err := s.read(ctx, func(tx *storage.Tx) error {
		return tx.Each(storage.ThreadsByBoard, storage.Key(board), func(k, _ []byte) error {
			t, err := s.thread(tx, storage.Part(k, 3))
			if err == nil {
				out = append(out, t)
			}
			return err
		})
	})
	return out, err
}

// BoardThreadsPage implements discussion.Store: one walk of the board's
// list from the key after the place.
func (s *Discussion) BoardThreadsPage(ctx context.Context, board uint64, after *discussion.ThreadPlace, limit int,
	keep func(discussion.ThreadRecord) (bool, error)) ([]discussion.ThreadRecord, bool, error) {
	var out []discussion.ThreadRecord
	var more bool
	prefix := storage.Key(board)
	start := prefix
	if after != nil {
		// A zero byte after the place's key is the first key past it.
		start = append(threadOrderKey(board, after.Pinned, after.LastPostID, after.ID), 0)
	}
	err := s.read(ctx, func(tx *storage.Tx) error {
		return tx.EachFrom(storage.ThreadsByBoard, prefix, start, func(k, _ []byte) error {
			if len(out) == limit {
				more = true
				return storage.Stop
			}
			t, err := s.thread(tx, storage.Part(k, 3))
			if err != nil {
				return err
			}
			ok, err := keep(t)
			if ok {
				out = append(out, t)
			}
			return err
		})
	})
	return out, more, err
}

// DeleteCourseBoards implements discussion.Store.
func (s *Discussion) DeleteCourseBoards(ctx context.Context, course uint64) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		var boards []uint64
		err := tx.Each(storage.BoardsByCourse, storage.Key(course), func(k, _ []byte) error {
			boards = append(boards, storage.Part(k, 1))
			return nil
		})
		if err != nil {
			return err
		}
		for _, b := range boards {
			if err := tx.Delete(storage.Boards, storage.ID(b)); err != nil {
				return err
			}
		}
		return tx.DeletePrefix(storage.BoardsByCourse, storage.Key(course))
	})
}

// Follows implements discussion.Store: ThreadFollowOff holds those who
// turned following off.
func (s *Discussion) Follows(ctx context.Context, course, user uint64) (bool, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return follows(tx, course, user)
	}
	return view(s, ctx, func(tx *storage.Tx) (bool, error) { return follows(tx, course, user) })
}

func follows(tx *storage.Tx, course, user uint64) (bool, error) {
	return !tx.Has(storage.ThreadFollowOff, storage.Key(course, user)), nil
}

// SetFollows implements discussion.Store.
func (s *Discussion) SetFollows(ctx context.Context, course, user uint64, on bool) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		if on {
			return tx.Delete(storage.ThreadFollowOff, storage.Key(course, user))
		}
		return tx.PutRaw(storage.ThreadFollowOff, storage.Key(course, user), nil)
	})
}
