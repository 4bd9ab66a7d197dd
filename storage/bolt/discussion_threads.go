package bolt

import (
	"context"
	"encoding/json"
	"slices"

	"pacer/discussion"
	"pacer/errs"
	"pacer/storage"
)

// Thread implements discussion.Store.
func (s *Discussion) Thread(ctx context.Context, id uint64) (discussion.ThreadRecord, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return s.thread(tx, id)
	}
	return view(s, ctx, func(tx *storage.Tx) (discussion.ThreadRecord, error) { return s.thread(tx, id) })
}

// Threads implements discussion.Store.
func (s *Discussion) Threads(ctx context.Context, ids []uint64) ([]discussion.ThreadRecord, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]discussion.ThreadRecord, 0, len(ids))
	err := s.read(ctx, func(tx *storage.Tx) error {
		for _, id := range ids {
			t, err := s.thread(tx, id)
			if errs.Is(err, errs.NotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// LockThreadToReply implements discussion.Store: Thread, Board and
// NewPostID in the transaction ctx carries. bbolt has one writer at a
// time, so the thread is already locked.
func (s *Discussion) LockThreadToReply(ctx context.Context, id uint64) (discussion.ThreadRecord, discussion.BoardRecord, uint64, error) {
	t, err := s.Thread(ctx, id)
	if err != nil {
		return t, discussion.BoardRecord{}, 0, err
	}
	b, err := s.Board(ctx, t.BoardID)
	if err != nil {
		return t, b, 0, err
	}
	pid, err := s.NewPostID(ctx)
	return t, b, pid, err
}

// AddThread implements discussion.Store.
func (s *Discussion) AddThread(ctx context.Context, t discussion.ThreadRecord, p discussion.PostRecord, source string) (discussion.ThreadRecord, discussion.PostRecord, error) {
	err := s.write(ctx, func(tx *storage.Tx) error {
		tid, err := tx.NextID(storage.Threads)
		if err != nil {
			return err
		}
		pid, err := tx.NextID(storage.Posts)
		if err != nil {
			return err
		}
		t.ID, t.OpeningPostID, t.LastPostID = tid, pid, pid
		p.ID, p.ThreadID = pid, tid
		if err := savePost(tx, p, source); err != nil {
			return err
		}
		if err := tx.Put(storage.Threads, storage.ID(tid), t); err != nil {
			return err
		}
		return tx.PutRaw(storage.ThreadsByBoard, threadKey(t), nil)
	})
	return t, p, err
}

// SaveThread implements discussion.Store.
func (s *Discussion) SaveThread(ctx context.Context, old, t discussion.ThreadRecord) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		if old.Pinned != t.Pinned || old.LastPostID != t.LastPostID {
			if err := tx.Delete(storage.ThreadsByBoard, threadKey(old)); err != nil {
				return err
			}
			if err := tx.PutRaw(storage.ThreadsByBoard, threadKey(t), nil); err != nil {
				return err
			}
		}
		return tx.Put(storage.Threads, storage.ID(t.ID), t)
	})
}

// DeleteThread implements discussion.Store.
func (s *Discussion) DeleteThread(ctx context.Context, t discussion.ThreadRecord) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		var posts []uint64
		err := tx.Each(storage.PostsByThread, storage.Key(t.ID), func(k, _ []byte) error {
			posts = append(posts, storage.Part(k, 1))
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range posts {
			if err := tx.Delete(storage.Posts, storage.ID(id)); err != nil {
				return err
			}
			if err := tx.Delete(storage.PostSources, storage.ID(id)); err != nil {
				return err
			}
		}
		if err := deleteThreadReports(tx, t); err != nil {
			return err
		}
		for _, b := range []storage.Bucket{storage.PostsByThread, storage.Participants, storage.Subscriptions, storage.ReadStates} {
			if err := tx.DeletePrefix(b, storage.Key(t.ID)); err != nil {
				return err
			}
		}
		if err := tx.Delete(storage.ThreadsByBoard, threadKey(t)); err != nil {
			return err
		}
		return tx.Delete(storage.Threads, storage.ID(t.ID))
	})
}

// Post implements discussion.Store.
func (s *Discussion) Post(ctx context.Context, id uint64) (discussion.PostRecord, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return post(tx, id)
	}
	return view(s, ctx, func(tx *storage.Tx) (discussion.PostRecord, error) { return post(tx, id) })
}

func post(tx *storage.Tx, id uint64) (discussion.PostRecord, error) {
	var p discussion.PostRecord
	err := tx.Get(storage.Posts, storage.ID(id), &p)
	return p, discussionNotFound(err, "post")
}

// Posts implements discussion.Store.
func (s *Discussion) Posts(ctx context.Context, ids []uint64) ([]discussion.PostRecord, error) {
	out := make([]discussion.PostRecord, 0, len(ids))
	err := s.read(ctx, func(tx *storage.Tx) error {
		return eachOf(tx, storage.Posts, nil, storage.ID, ids, func(_ uint64, v []byte) error {
			var p discussion.PostRecord
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// NewPostID implements discussion.Store.
func (s *Discussion) NewPostID(ctx context.Context) (uint64, error) {
	var id uint64
	err := s.write(ctx, func(tx *storage.Tx) error {
		var err error
		id, err = tx.NextID(storage.Posts)
		return err
	})
	return id, err
}

// SavePost implements discussion.Store.
func (s *Discussion) SavePost(ctx context.Context, p discussion.PostRecord, source string) error {
	return s.write(ctx, func(tx *storage.Tx) error { return savePost(tx, p, source) })
}

// savePost stores a post, its source (none once deleted) and its thread
// index entry.
func savePost(tx *storage.Tx, p discussion.PostRecord, source string) error {
	if err := tx.Put(storage.Posts, storage.ID(p.ID), p); err != nil {
		return err
	}
	var err error
	if p.Deleted {
		err = tx.Delete(storage.PostSources, storage.ID(p.ID))
	} else {
		err = tx.PutRaw(storage.PostSources, storage.ID(p.ID), []byte(source))
	}
	if err != nil {
		return err
	}
	return tx.PutRaw(storage.PostsByThread, storage.Key(p.ThreadID, p.ID), postEntry(p.AuthorID, p.Deleted))
}

// UpdatePost implements discussion.Store.
func (s *Discussion) UpdatePost(ctx context.Context, p discussion.PostRecord) error {
	return s.write(ctx, func(tx *storage.Tx) error { return tx.Put(storage.Posts, storage.ID(p.ID), p) })
}

// PostSource implements discussion.Store.
func (s *Discussion) PostSource(ctx context.Context, id uint64) (string, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return postSource(tx, id)
	}
	return view(s, ctx, func(tx *storage.Tx) (string, error) { return postSource(tx, id) })
}

func postSource(tx *storage.Tx, id uint64) (string, error) {
	return string(tx.GetRaw(storage.PostSources, storage.ID(id))), nil
}

// ThreadPosts implements discussion.Store: one walk of the thread's index,
// each post read through the memo.
func (s *Discussion) ThreadPosts(ctx context.Context, thread uint64, max int) ([]discussion.PostRecord, bool, error) {
	var out []discussion.PostRecord
	complete := true
	err := s.read(ctx, func(tx *storage.Tx) error {
		return tx.Each(storage.PostsByThread, storage.Key(thread), func(k, _ []byte) error {
			if max > 0 && len(out) == max {
				complete = false
				return storage.Stop
			}
			p, err := s.sharedPost(tx, storage.Part(k, 1))
			if err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	if !complete {
		out = nil
	}
	return out, complete, err
}

// PostsAfter implements discussion.Store: the page's ids from one walk of
// the thread's index (whose entries carry the authors), then their posts
// through the memo.
func (s *Discussion) PostsAfter(ctx context.Context, thread, after uint64, limit int, keep func(id, author uint64) bool) ([]discussion.PostRecord, bool, error) {
	var out []discussion.PostRecord
	var more bool
	err := s.read(ctx, func(tx *storage.Tx) error {
		var ids []uint64
		err := tx.EachFrom(storage.PostsByThread, storage.Key(thread), storage.Key(thread, after+1), func(k, v []byte) error {
			author, _ := parsePostEntry(v)
			id := storage.Part(k, 1)
			if !keep(id, author) {
				return nil
			}
			if len(ids) == limit {
				more = true
				return storage.Stop
			}
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			return err
		}
		out = make([]discussion.PostRecord, 0, len(ids))
		err = eachOf(tx, storage.Posts, nil, storage.ID, ids, func(id uint64, v []byte) error {
			p, err := decodeWith(s.memo.posts, id, v)
			out = append(out, p)
			return err
		})
		if err == nil && len(out) != len(ids) {
			err = errs.NotFoundf("post") // an index entry without its post
		}
		return err
	})
	return out, more, err
}

// CountUnread implements discussion.Store from the index entries alone,
// without decoding a post.
func (s *Discussion) CountUnread(ctx context.Context, t discussion.ThreadRecord, user, after uint64, seeAll bool) (int, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return countUnread(tx, t, user, after, seeAll)
	}
	return view(s, ctx, func(tx *storage.Tx) (int, error) { return countUnread(tx, t, user, after, seeAll) })
}

func countUnread(tx *storage.Tx, t discussion.ThreadRecord, user, after uint64, seeAll bool) (int, error) {
	n := 0
	err := tx.EachFrom(storage.PostsByThread, storage.Key(t.ID), storage.Key(t.ID, after+1), func(k, v []byte) error {
		author, deleted := parsePostEntry(v)
		if deleted || author == user || (!seeAll && storage.Part(k, 1) != t.OpeningPostID) {
			return nil
		}
		n++
		return nil
	})
	return n, err
}
