package postgres

import (
	"fmt"
	"strings"

	"pacer/discussion"
)

// threadChanges is the SET list of the columns of t that differ from
// old, with its arguments after t's id; rev is always set, so that the
// row is written even when nothing else changed.
func threadChanges(old, t discussion.ThreadRecord) (string, []any) {
	var set strings.Builder
	args := []any{t.ID}
	col := func(name string, changed bool, v any) {
		if !changed {
			return
		}
		args = append(args, v)
		fmt.Fprintf(&set, "%s = $%d, ", name, len(args))
	}
	col("course_id", old.CourseID != t.CourseID, t.CourseID)
	col("board_id", old.BoardID != t.BoardID, t.BoardID)
	col("item_id", old.ItemID != t.ItemID, t.ItemID)
	col("title", old.Title != t.Title, t.Title)
	col("author_id", old.AuthorID != t.AuthorID, t.AuthorID)
	col("opening_post_id", old.OpeningPostID != t.OpeningPostID, t.OpeningPostID)
	col("answer_post_id", old.AnswerPostID != t.AnswerPostID, t.AnswerPostID)
	col("last_post_id", old.LastPostID != t.LastPostID, t.LastPostID)
	col("pinned", old.Pinned != t.Pinned, t.Pinned)
	col("locked", old.Locked != t.Locked, t.Locked)
	col("reply_count", old.ReplyCount != t.ReplyCount, t.ReplyCount)
	col("created_at", !old.CreatedAt.Equal(t.CreatedAt), t.CreatedAt)
	col("last_activity_at", !old.LastActivityAt.Equal(t.LastActivityAt), t.LastActivityAt)
	args = append(args, t.Rev)
	fmt.Fprintf(&set, "rev = $%d", len(args))
	return set.String(), args
}
