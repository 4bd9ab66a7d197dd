package discussion

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
)

// Posting limits: a person writes far fewer than this; a script flooding a
// board hits 429.
const (
	DefaultPostLimit  = 60
	DefaultPostWindow = time.Minute
)

// HTTP serves the discussion routes.
type HTTP struct {
	svc *Service
	// posts keeps the JSON of post views, which thread pages repeat.
	posts *encodedPosts
}

// NewHTTP wraps the service.
func NewHTTP(s *Service) *HTTP { return &HTTP{svc: s, posts: newEncodedPosts()} }

// Mount adds the routes under /api/v1. Every route needs a signed-in caller
// (asked for by each handler, so unknown paths stay 404).
func (h *HTTP) Mount(r fiber.Router) {
	r.Get("/courses/:course/boards", h.boards)
	r.Post("/courses/:course/boards", h.createBoard)
	r.Get("/courses/:course/reports", h.reports)
	r.Get("/courses/:course/search", h.search)
	r.Get("/courses/:course/discussion-settings", h.followSettings)
	r.Put("/courses/:course/discussion-settings", h.setFollowSettings)
	r.Get("/boards/:board", h.board)
	r.Get("/boards/:board/threads", h.threads)
	r.Post("/boards/:board/threads", h.createThread)
	r.Get("/threads/:thread", h.thread)
	r.Post("/threads/:thread/replies", h.reply)
	r.Post("/threads/:thread/pin", h.pin(true))
	r.Delete("/threads/:thread/pin", h.pin(false))
	r.Post("/threads/:thread/lock", h.lock(true))
	r.Delete("/threads/:thread/lock", h.lock(false))
	r.Post("/threads/:thread/answer", h.answer)
	r.Delete("/threads/:thread/answer", h.clearAnswer)
	r.Put("/threads/:thread/subscription", h.subscribe(true))
	r.Delete("/threads/:thread/subscription", h.subscribe(false))
	r.Get("/posts/:post", h.post)
	r.Patch("/posts/:post", h.editPost)
	r.Delete("/posts/:post", h.deletePost)
	r.Post("/posts/:post/endorse", h.endorse(true))
	r.Delete("/posts/:post/endorse", h.endorse(false))
	r.Post("/posts/:post/report", h.report)
	r.Post("/reports/:report/resolve", h.resolve)
	r.Post("/markdown/preview", h.preview)
}

// ids parses the caller and one route ID; a bad ID is 404.
func ids(c *fiber.Ctx, name string) (uint64, uint64, error) {
	me, p, err := auth.CallerAndIDs(c, name)
	if err != nil {
		return 0, 0, err
	}
	return me, p[0], nil
}

// LimitPosts counts one new thread or reply of the user against the flood
// limit, answering 429 with Retry-After when it is over. The API and the
// pages both call it before posting.
func (s *Service) LimitPosts(c *fiber.Ctx, user uint64) error {
	return api.Check(c, s.posts, "post:"+strconv.FormatUint(user, 10))
}

func (h *HTTP) boards(c *fiber.Ctx) error {
	me, course, err := ids(c, "course")
	if err != nil {
		return err
	}
	list, err := h.svc.Boards(c.UserContext(), me, course)
	if err != nil {
		return err
	}
	return c.JSON(api.Items(list))
}

func (h *HTTP) createBoard(c *fiber.Ctx) error {
	me, course, err := ids(c, "course")
	if err != nil {
		return err
	}
	var in BoardInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	b, err := h.svc.CreateBoard(c.UserContext(), me, course, in)
	if err != nil {
		return err
	}
	return api.Created(c, b)
}

func (h *HTTP) board(c *fiber.Ctx) error {
	me, board, err := ids(c, "board")
	if err != nil {
		return err
	}
	b, err := h.svc.Board(c.UserContext(), me, board)
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (h *HTTP) threads(c *fiber.Ctx) error {
	me, board, err := ids(c, "board")
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Threads(c.UserContext(), me, board, p)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (h *HTTP) createThread(c *fiber.Ctx) error {
	me, board, err := ids(c, "board")
	if err != nil {
		return err
	}
	var in ThreadInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	if err := h.svc.LimitPosts(c, me); err != nil {
		return err
	}
	t, err := h.svc.CreateThread(c.UserContext(), me, board, in)
	if err != nil {
		return err
	}
	return api.Created(c, t)
}

func (h *HTTP) thread(c *fiber.Ctx) error {
	me, thread, err := ids(c, "thread")
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	page, err := h.svc.Thread(c.UserContext(), me, thread, p)
	if err != nil {
		return err
	}
	// Written into the response's own pooled buffer: a page is tens of
	// kilobytes, and a fresh one per request was a good part of the GC's
	// work.
	res := c.Response()
	res.ResetBody()
	if err := h.posts.page(res.BodyWriter(), page); err != nil {
		res.ResetBody()
		return err
	}
	res.Header.SetContentType(fiber.MIMEApplicationJSON)
	return nil
}

func (h *HTTP) reply(c *fiber.Ctx) error {
	me, thread, err := ids(c, "thread")
	if err != nil {
		return err
	}
	var in ReplyInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	if err := h.svc.LimitPosts(c, me); err != nil {
		return err
	}
	p, err := h.svc.Reply(c.UserContext(), me, thread, in)
	if err != nil {
		return err
	}
	return api.Created(c, p)
}

func (h *HTTP) pin(on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		me, thread, err := ids(c, "thread")
		if err != nil {
			return err
		}
		if err := h.svc.SetPinned(c.UserContext(), me, thread, on); err != nil {
			return err
		}
		return api.NoContent(c)
	}
}

func (h *HTTP) lock(on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		me, thread, err := ids(c, "thread")
		if err != nil {
			return err
		}
		if err := h.svc.SetLocked(c.UserContext(), me, thread, on); err != nil {
			return err
		}
		return api.NoContent(c)
	}
}

func (h *HTTP) subscribe(on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		me, thread, err := ids(c, "thread")
		if err != nil {
			return err
		}
		if err := h.svc.SetSubscribed(c.UserContext(), me, thread, on); err != nil {
			return err
		}
		return api.NoContent(c)
	}
}

func (h *HTTP) answer(c *fiber.Ctx) error {
	me, thread, err := ids(c, "thread")
	if err != nil {
		return err
	}
	var in AnswerInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	if err := h.svc.SetAnswer(c.UserContext(), me, thread, in.PostID, false); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) clearAnswer(c *fiber.Ctx) error {
	me, thread, err := ids(c, "thread")
	if err != nil {
		return err
	}
	if err := h.svc.SetAnswer(c.UserContext(), me, thread, 0, true); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) post(c *fiber.Ctx) error {
	me, post, err := ids(c, "post")
	if err != nil {
		return err
	}
	p, err := h.svc.Post(c.UserContext(), me, post)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *HTTP) editPost(c *fiber.Ctx) error {
	me, post, err := ids(c, "post")
	if err != nil {
		return err
	}
	var in EditInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	p, err := h.svc.EditPost(c.UserContext(), me, post, in)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *HTTP) deletePost(c *fiber.Ctx) error {
	me, post, err := ids(c, "post")
	if err != nil {
		return err
	}
	if err := h.svc.DeletePost(c.UserContext(), me, post); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) endorse(on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		me, post, err := ids(c, "post")
		if err != nil {
			return err
		}
		if err := h.svc.SetEndorsed(c.UserContext(), me, post, on); err != nil {
			return err
		}
		return api.NoContent(c)
	}
}

func (h *HTTP) report(c *fiber.Ctx) error {
	me, post, err := ids(c, "post")
	if err != nil {
		return err
	}
	var in ReportInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	r, err := h.svc.ReportPost(c.UserContext(), me, post, in)
	if err != nil {
		return err
	}
	return api.Created(c, r)
}

func (h *HTTP) reports(c *fiber.Ctx) error {
	me, course, err := ids(c, "course")
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Reports(c.UserContext(), me, course, strings.Clone(c.Query("status")), p)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (h *HTTP) resolve(c *fiber.Ctx) error {
	me, report, err := ids(c, "report")
	if err != nil {
		return err
	}
	if err := h.svc.ResolveReport(c.UserContext(), me, report); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) search(c *fiber.Ctx) error {
	me, course, err := ids(c, "course")
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	hits, err := h.svc.Search(c.UserContext(), me, course, strings.Clone(c.Query("q")), p)
	if err != nil {
		return err
	}
	return c.JSON(hits)
}

type previewBody struct {
	Body string `json:"body"`
}

type previewAnswer struct {
	HTML string `json:"html"`
}

// preview renders Markdown exactly as a post would be, for the editor's
// preview; nothing is stored.
func (h *HTTP) preview(c *fiber.Ctx) error {
	me, err := auth.Caller(c)
	if err != nil {
		return err
	}
	var in previewBody
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	html, err := h.svc.Preview(c.UserContext(), me.UserID, in.Body)
	if err != nil {
		return err
	}
	return c.JSON(previewAnswer{HTML: html})
}

func (h *HTTP) followSettings(c *fiber.Ctx) error {
	me, course, err := ids(c, "course")
	if err != nil {
		return err
	}
	out, err := h.svc.Follow(c.UserContext(), me, course)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (h *HTTP) setFollowSettings(c *fiber.Ctx) error {
	me, course, err := ids(c, "course")
	if err != nil {
		return err
	}
	var in FollowSettingsInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	out, err := h.svc.SetFollow(c.UserContext(), me, course, in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
