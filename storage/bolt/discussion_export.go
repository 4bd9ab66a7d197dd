package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	"pacer/discussion"
	"pacer/storage"
	"pacer/storage/records"
)

// Export implements migrate.Exporter: in one read transaction, every
// board, thread, post (with its source), participant, subscription, read
// mark, follow setting, report, search posting and queued reply, parents
// before children (boards, threads, posts, then what hangs off threads
// and posts). The index buckets built from records (boards_by_course,
// threads_by_board, posts_by_thread, reports_by_course, reports_by_post)
// are left out: the PostgreSQL tables answer them from the rows. The
// search postings are not derived there (the domain decides the words),
// so they travel one by one.
func (s *Discussion) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		steps := []func() error{
			func() error { return exportJSON[discussion.BoardRecord](tx, storage.Boards, "discussion_boards", put) },
			func() error {
				return exportJSON[discussion.ThreadRecord](tx, storage.Threads, "discussion_threads", put)
			},
			func() error { return exportPosts(tx, put) },
			func() error {
				return tx.Each(storage.Participants, nil, func(k, _ []byte) error {
					return put("discussion_participants", records.DiscussionParticipant{Thread: storage.Part(k, 0), User: storage.Part(k, 1)})
				})
			},
			func() error {
				return tx.Each(storage.Subscriptions, nil, func(k, v []byte) error {
					sub := parseSubEntry(v)
					if sub.State == discussion.SubNone {
						// An entry with no state byte reads as no
						// subscription; there is nothing to carry.
						return nil
					}
					return put("discussion_subscriptions", records.DiscussionSubscription{Thread: storage.Part(k, 0),
						Subscriber: discussion.Subscriber{User: storage.Part(k, 1), Subscription: sub}})
				})
			},
			func() error {
				return tx.Each(storage.ReadStates, nil, func(k, v []byte) error {
					return put("discussion_read_marks", discussion.ReadMark{Thread: storage.Part(k, 0), User: storage.Part(k, 1), Post: readU64(v)})
				})
			},
			func() error {
				return tx.Each(storage.ThreadFollowOff, nil, func(k, _ []byte) error {
					return put("discussion_follows_off", records.DiscussionFollowOff{Course: storage.Part(k, 0), User: storage.Part(k, 1)})
				})
			},
			func() error {
				return exportJSON[discussion.ReportRecord](tx, storage.Reports, "discussion_reports", put)
			},
			func() error { return exportPostings(tx, put) },
			func() error {
				return tx.Each(storage.ReplyQueue, nil, func(k, _ []byte) error {
					return put("discussion_reply_queue", discussion.QueuedReply{Thread: storage.Part(k, 0), Post: storage.Part(k, 1)})
				})
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}

// exportJSON puts every JSON record of bucket b, in id order.
func exportJSON[V any](tx *storage.Tx, b storage.Bucket, kind string, put func(string, any) error) error {
	return tx.Each(b, nil, func(k, v []byte) error {
		var rec V
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode %s/%x: %w", b, k, err)
		}
		return put(kind, rec)
	})
}

// exportPosts puts every post with its source, if it has one.
func exportPosts(tx *storage.Tx, put func(string, any) error) error {
	return tx.Each(storage.Posts, nil, func(k, v []byte) error {
		var rec records.DiscussionPost
		if err := json.Unmarshal(v, &rec.Post); err != nil {
			return fmt.Errorf("decode %s/%x: %w", storage.Posts, k, err)
		}
		if tx.Has(storage.PostSources, k) {
			rec.Source, rec.HasSource = string(tx.GetRaw(storage.PostSources, k)), true
		}
		return put("discussion_posts", rec)
	})
}

// exportPostings puts every search posting. A key is course(8), the term,
// a zero byte, then the inverted post id(8); its value is the thread.
// The term is read between the fixed-width ends, so it is taken whole
// whatever bytes it holds. A posting of the empty word is left out: no
// search asks for it (discussion.Terms never gives one), and PostgreSQL
// has no empty lexeme to keep it as.
func exportPostings(tx *storage.Tx, put func(string, any) error) error {
	return tx.Each(storage.SearchTerms, nil, func(k, v []byte) error {
		if len(k) < 8+1+8 || k[len(k)-9] != 0 {
			return fmt.Errorf("malformed search posting %x", k)
		}
		term := string(k[8 : len(k)-9])
		if term == "" {
			return nil
		}
		return put("discussion_search", discussion.Posting{Course: storage.Part(k, 0), Term: term,
			Post: ^storage.Part(k[len(k)-8:], 0), Thread: readU64(v)})
	})
}
