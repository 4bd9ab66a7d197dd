package bolt

import (
	"context"

	"pacer/discussion"
	"pacer/errs"
	"pacer/storage"
)

// ReaderThread implements discussion.Store: key lookups in one
// transaction, the thread and board through the memo.
func (s *Discussion) ReaderThread(ctx context.Context, thread, user uint64) (discussion.ReaderThread, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return s.readerThread(tx, thread, user)
	}
	return view(s, ctx, func(tx *storage.Tx) (discussion.ReaderThread, error) { return s.readerThread(tx, thread, user) })
}

func (s *Discussion) readerThread(tx *storage.Tx, thread, user uint64) (discussion.ReaderThread, error) {
	var r discussion.ReaderThread
	var err error
	if r.Thread, err = s.thread(tx, thread); err != nil {
		return discussion.ReaderThread{}, err
	}
	if r.Board, err = s.board(tx, r.Thread.BoardID); err != nil {
		if errs.Is(err, errs.NotFound) {
			err = errs.NotFoundf("thread")
		}
		return discussion.ReaderThread{}, err
	}
	if r.ReadMark, err = readMark(tx, thread, user); err != nil {
		return discussion.ReaderThread{}, err
	}
	if r.Subscription, err = subscription(tx, thread, user); err != nil {
		return discussion.ReaderThread{}, err
	}
	if r.Participant, err = participant(tx, thread, user); err != nil {
		return discussion.ReaderThread{}, err
	}
	if r.Follows, err = follows(tx, r.Thread.CourseID, user); err != nil {
		return discussion.ReaderThread{}, err
	}
	return r, nil
}

// PostSources implements discussion.Store: a key lookup per post, in one
// transaction.
func (s *Discussion) PostSources(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	return view(s, ctx, func(tx *storage.Tx) (map[uint64]string, error) {
		out := make(map[uint64]string, len(ids))
		for _, id := range ids {
			src, err := postSource(tx, id)
			if err != nil {
				return nil, err
			}
			if src != "" {
				out[id] = src
			}
		}
		return out, nil
	})
}
