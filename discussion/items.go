package discussion

import (
	"pacer/errs"
	"pacer/modules"
	"pacer/storage"
)

// itemPrompt opens the thread of a discussion item that has no text of its
// own.
const itemPrompt = "Share your thoughts on this item and reply to your classmates."

// itemCreatedTx gives a new discussion item its thread, on the course's
// board of item threads, inside the item's own transaction. The item's body
// is the opening post, written in the name of the course's creator; that
// nominal author is not subscribed, so a busy item does not flood them.
func (s *Service) itemCreatedTx(tx *storage.Tx, c modules.Course, it *modules.Item) error {
	b, err := s.ensureBoardTx(tx, c, KindItems)
	if err != nil {
		return err
	}
	// The course service has rendered the item's body already.
	body, html := it.Body, it.BodyHTML
	if isBlank(body) {
		body, html = itemPrompt, s.md.HTML(itemPrompt)
	}
	t, _, err := s.createThreadTx(tx, b, c.CreatedBy, it.Title, body, html, it.ID)
	if err != nil {
		return err
	}
	it.ThreadID = t.ID
	return nil
}

// itemDeletedTx removes a deleted item's thread with everything that hangs
// off it: posts, their sources and postings, read states, subscriptions,
// participation and reports.
func (s *Service) itemDeletedTx(tx *storage.Tx, it modules.Item) error {
	if it.ThreadID == 0 {
		return nil
	}
	t, err := getThread(tx, it.ThreadID)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var posts []postRec
	err = tx.Each(storage.PostsByThread, storage.Key(t.ID), func(k, _ []byte) error {
		p, err := getPost(tx, storage.Part(k, 1))
		if err != nil {
			return err
		}
		posts = append(posts, p)
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range posts {
		if err := indexTx(tx, t, p, false); err != nil {
			return err
		}
		if err := tx.Delete(storage.Posts, storage.ID(p.ID)); err != nil {
			return err
		}
		if err := tx.Delete(storage.PostSources, storage.ID(p.ID)); err != nil {
			return err
		}
	}
	if err := deleteReportsTx(tx, t); err != nil {
		return err
	}
	for _, b := range []storage.Bucket{storage.PostsByThread, storage.Participants, storage.Subscriptions, storage.ReadStates} {
		if err := tx.DeletePrefix(b, storage.Key(t.ID)); err != nil {
			return err
		}
	}
	if err := tx.Delete(storage.ThreadsByBoard, threadOrderKey(t)); err != nil {
		return err
	}
	return tx.Delete(storage.Threads, storage.ID(t.ID))
}
