package discussion

import (
	"context"

	"pacer/errs"
	"pacer/modules"
)

// itemPrompt opens the thread of a discussion item that has no text of its
// own.
const itemPrompt = "Share your thoughts on this item and reply to your classmates."

// itemCreatedTx gives a new discussion item its thread, on the course's
// board of item threads, inside the item's own transaction. The item's body
// is the opening post, written in the name of the course's creator; that
// nominal author is not subscribed, so a busy item does not flood them.
func (s *Service) itemCreatedTx(ctx context.Context, c modules.Course, it *modules.Item) error {
	b, err := s.ensureBoard(ctx, c, KindItems)
	if err != nil {
		return err
	}
	// The course service has rendered the item's body already.
	body, html := it.Body, it.BodyHTML
	if isBlank(body) {
		body, html = itemPrompt, s.md.HTML(itemPrompt)
	}
	t, _, err := s.createThread(ctx, b, c.CreatedBy, it.Title, body, html, it.ID)
	if err != nil {
		return err
	}
	it.ThreadID = t.ID
	return nil
}

// itemDeletedTx removes a deleted item's thread with everything that hangs
// off it: posts, their sources and postings, read states, subscriptions,
// participation and reports.
func (s *Service) itemDeletedTx(ctx context.Context, it modules.Item) error {
	if it.ThreadID == 0 {
		return nil
	}
	t, err := s.store.Thread(ctx, it.ThreadID)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.deleteThread(ctx, t)
}

// deleteThread removes a thread with its posts' search postings and
// everything the store keeps of it.
func (s *Service) deleteThread(ctx context.Context, t ThreadRecord) error {
	posts, _, err := s.store.ThreadPosts(ctx, t.ID, 0)
	if err != nil {
		return err
	}
	var ps []Posting
	for _, p := range posts {
		ps = append(ps, postings(t, p)...)
	}
	if err := s.store.RemovePostings(ctx, ps); err != nil {
		return err
	}
	return s.store.DeleteThread(ctx, t)
}
