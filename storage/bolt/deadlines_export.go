package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"pacer/deadlines"
	"pacer/storage"
	"pacer/storage/records"
)

// Export implements migrate.Exporter: extensions, every attempt of every
// submission (Current decided by SubmissionsByItem, as reads decide it,
// never by the stored record), the staff's submitted notices and the
// submissions queued for them (with their ids, in queue order), calendar
// token generations and event states, and the jobs' marks. The indexes
// (ExtensionsByLearner, SubmissionsByItem, SubmissionHistory) follow from
// the records. Raw values of a length the store's reads refuse are skipped,
// since those reads already treat them as absent.
func (s *Deadlines) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		err := tx.Each(storage.Extensions, nil, func(k, v []byte) error {
			var e deadlines.Extension
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode extension %d: %w", storage.Part(k, 0), err)
			}
			return put("extensions", e)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.Submissions, nil, func(k, v []byte) error {
			var sub deadlines.Submission
			if err := json.Unmarshal(v, &sub); err != nil {
				return fmt.Errorf("decode submission %d: %w", storage.Part(k, 0), err)
			}
			cur := tx.GetRaw(storage.SubmissionsByItem, storage.Key(sub.CourseID, sub.ItemID, sub.UserID))
			sub.Current = len(cur) == 8 && storage.Part(cur, 0) == sub.ID
			return put("submissions", sub)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.SubmittedNotes, nil, func(k, v []byte) error {
			if len(v) != 16 || len(k) != 24 {
				return nil
			}
			return put("submitted_notes", records.SubmittedNote{
				Staff: storage.Part(k, 0), Course: storage.Part(k, 1), Item: storage.Part(k, 2),
				SubmittedNote: deadlines.SubmittedNote{Notification: binary.BigEndian.Uint64(v), Count: binary.BigEndian.Uint64(v[8:])},
			})
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.SubmittedQueue, nil, func(k, v []byte) error {
			q, ok := parseQueuedSubmitted(k, v)
			if !ok {
				return nil
			}
			return put("submitted_queue", q)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.CalendarTokens, nil, func(k, v []byte) error {
			if len(v) != 8 || len(k) != 8 {
				return nil
			}
			return put("calendar_tokens", records.CalendarToken{User: storage.Part(k, 0), Generation: binary.BigEndian.Uint64(v)})
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.CalendarEvents, nil, func(k, v []byte) error {
			if len(v) != 24 || len(k) != 32 {
				return nil
			}
			return put("calendar_events", records.CalendarEvent{
				User:       storage.Part(k, 0),
				Key:        deadlines.EventKey{Course: storage.Part(k, 1), Module: storage.Part(k, 2), Kind: uint8(storage.Part(k, 3))},
				EventState: deadlines.EventState{At: nanos(v), Sequence: binary.BigEndian.Uint64(v[8:]), Modified: nanos(v[16:])},
			})
		})
		if err != nil {
			return err
		}
		return tx.Each(storage.JobMarks, nil, func(k, v []byte) error {
			if len(k) != 32 {
				return nil
			}
			m := deadlines.Mark{Course: storage.Part(k, 0), User: storage.Part(k, 1), Module: storage.Part(k, 2), Job: uint8(storage.Part(k, 3))}
			if !parseMark(v, &m) {
				return nil
			}
			return put("job_marks", m)
		})
	})
}
