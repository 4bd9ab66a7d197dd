package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"pacer/modules"
)

// A course's modules are rows of table modules and a module's items rows of
// table items. Each row's position column is its place in its course's
// (module's) order as the last SetModules (SetItems) gave it, 1..n; a row
// that call left out keeps its record with a NULL position and is no
// longer listed, as a bbolt record whose order entry went. Listing is one
// query on the unique (course_id, position) or (module_id, position) index.

const moduleColumns = "id, course_id, position, title, summary, summary_html, week, opens_at, due_at, prerequisites, published, created_at"

func scanModule(row interface{ Scan(...any) error }) (modules.Module, error) {
	var m modules.Module
	var id, course int64
	var pos *int32
	var week int32
	var prereq []int64
	err := row.Scan(&id, &course, &pos, &m.Title, &m.Summary, &m.SummaryHTML, &week, &m.OpensAt, &m.DueAt,
		&prereq, &m.Published, &m.CreatedAt)
	m.ID, m.CourseID, m.Week = uint64(id), uint64(course), int(week)
	if pos != nil {
		m.Position = int(*pos)
	}
	if prereq != nil {
		m.Prerequisites = make([]uint64, len(prereq))
		for i, p := range prereq {
			m.Prerequisites[i] = uint64(p)
		}
	}
	m.OpensAt, m.DueAt, m.CreatedAt = utcPtr(m.OpensAt), utcPtr(m.DueAt), m.CreatedAt.UTC()
	return m, err
}

// int64s converts ids for a bigint[] column, keeping nil apart from empty
// (NULL from '{}').
func int64s(ids []uint64) []int64 {
	if ids == nil {
		return nil
	}
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

const itemColumns = "id, course_id, module_id, position, kind, title, body, body_html, media_id, points, published, thread_id, quiz, rubric, created_at, updated_at"

func scanItem(row interface{ Scan(...any) error }) (modules.Item, error) {
	var it modules.Item
	var id, course, module, media, thread int64
	var pos *int32
	err := row.Scan(&id, &course, &module, &pos, &it.Kind, &it.Title, &it.Body, &it.BodyHTML, &media, &it.Points,
		&it.Published, &thread, &it.Quiz, &it.Rubric, &it.CreatedAt, &it.UpdatedAt)
	it.ID, it.CourseID, it.ModuleID, it.MediaID, it.ThreadID = uint64(id), uint64(course), uint64(module), uint64(media), uint64(thread)
	if pos != nil {
		it.Position = int(*pos)
	}
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	return it, err
}

// itemHeadColumns are what an outline lists of an item: no body, no
// kind settings.
const itemHeadColumns = "i.id, i.course_id, i.module_id, i.position, i.kind, i.title, i.media_id, i.points, i.published, i.thread_id"

func scanItemHead(row interface{ Scan(...any) error }) (modules.Item, error) {
	var it modules.Item
	var id, course, module, media, thread int64
	var pos int32
	err := row.Scan(&id, &course, &module, &pos, &it.Kind, &it.Title, &media, &it.Points, &it.Published, &thread)
	it.ID, it.CourseID, it.ModuleID, it.MediaID, it.ThreadID = uint64(id), uint64(course), uint64(module), uint64(media), uint64(thread)
	it.Position = int(pos)
	return it, err
}

// collect reads every row of rows with scan and closes rows.
func collect[T any](rows pgx.Rows, err error, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

const (
	sqlCourseModules = "SELECT " + moduleColumns + ` FROM modules
		WHERE course_id = $1 AND position IS NOT NULL ORDER BY position`
	// The items of a course's listed modules, module by module in order.
	sqlCourseItemsFrom = ` FROM modules m JOIN items i ON i.module_id = m.id
		WHERE m.course_id = $1 AND m.position IS NOT NULL AND i.position IS NOT NULL
		ORDER BY m.position, i.position`
)

// Outline implements modules.Store: the course, its modules and its item
// heads in one batch (one round trip) in one snapshot.
func (s *Modules) Outline(ctx context.Context, courseID uint64) (modules.Outline, error) {
	o := modules.Outline{Items: map[uint64][]modules.Item{}}
	err := s.db.Read(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue("SELECT "+courseColumns+" FROM courses WHERE id = $1", int64(courseID))
		b.Queue(sqlCourseModules, int64(courseID))
		b.Queue("SELECT "+itemHeadColumns+sqlCourseItemsFrom, int64(courseID))
		br := s.db.q(ctx).SendBatch(ctx, b)
		defer br.Close()
		c, err := scanCourse(br.QueryRow())
		if noRows(err) {
			return modules.ErrNoRecord
		}
		if err != nil {
			return err
		}
		rows, err := br.Query()
		mods, err := collect(rows, err, scanModule)
		if err != nil {
			return err
		}
		rows, err = br.Query()
		heads, err := collect(rows, err, scanItemHead)
		if err != nil {
			return err
		}
		o.Course, o.Modules = c, mods
		for _, m := range mods {
			o.Items[m.ID] = nil
		}
		for _, h := range heads {
			o.Items[h.ModuleID] = append(o.Items[h.ModuleID], h)
		}
		return br.Close()
	})
	if err != nil {
		return modules.Outline{}, err
	}
	return o, nil
}

// Modules implements modules.Store.
func (s *Modules) Modules(ctx context.Context, courseID uint64) ([]modules.Module, error) {
	rows, err := s.db.q(ctx).Query(ctx, sqlCourseModules, int64(courseID))
	return collect(rows, err, scanModule)
}

// Module implements modules.Store.
func (s *Modules) Module(ctx context.Context, id uint64) (modules.Module, error) {
	m, err := scanModule(s.db.q(ctx).QueryRow(ctx, "SELECT "+moduleColumns+" FROM modules WHERE id = $1", int64(id)))
	if noRows(err) {
		return modules.Module{}, modules.ErrNoRecord
	}
	return m, err
}

// NextModuleID implements modules.Store: the identity's next value, so
// that ids given out here and by a plain insert never meet. A sequence is
// not rolled back: a transaction run again takes a new id, as the
// contract allows.
func (s *Modules) NextModuleID(ctx context.Context) (uint64, error) {
	return s.nextID(ctx, "modules")
}

// NextItemID implements modules.Store (as NextModuleID).
func (s *Modules) NextItemID(ctx context.Context) (uint64, error) {
	return s.nextID(ctx, "items")
}

func (s *Modules) nextID(ctx context.Context, table string) (uint64, error) {
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, "SELECT nextval(pg_get_serial_sequence($1, 'id'))", table).Scan(&id)
	return uint64(id), err
}

// SetModules implements modules.Store: the course's modules left out lose
// their place, and each given one is written with position i+1, in one
// batch. The unique (course_id, position) constraint is checked at commit,
// so modules may pass through each other's positions meanwhile.
func (s *Modules) SetModules(ctx context.Context, courseID uint64, mods []modules.Module) error {
	ids := make([]int64, len(mods))
	for i, m := range mods {
		ids[i] = int64(m.ID)
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue("UPDATE modules SET position = NULL WHERE course_id = $1 AND position IS NOT NULL AND id <> ALL($2)",
			int64(courseID), ids)
		for i, m := range mods {
			b.Queue(`INSERT INTO modules (`+moduleColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
				ON CONFLICT (id) DO UPDATE SET course_id = excluded.course_id, position = excluded.position,
					title = excluded.title, summary = excluded.summary, summary_html = excluded.summary_html,
					week = excluded.week, opens_at = excluded.opens_at, due_at = excluded.due_at,
					prerequisites = excluded.prerequisites, published = excluded.published, created_at = excluded.created_at`,
				int64(m.ID), int64(courseID), int32(i+1), m.Title, m.Summary, m.SummaryHTML, int32(m.Week), m.OpensAt, m.DueAt,
				int64s(m.Prerequisites), m.Published, m.CreatedAt)
		}
		return s.db.q(ctx).SendBatch(ctx, b).Close()
	})
}

// DeleteModule implements modules.Store. Its row goes, and with it its
// place in the order and any item still in it (the foreign key's cascade;
// the domain deletes the items first).
func (s *Modules) DeleteModule(ctx context.Context, id uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM modules WHERE id = $1", int64(id))
	return err
}

// Items implements modules.Store.
func (s *Modules) Items(ctx context.Context, moduleID uint64) ([]modules.Item, error) {
	rows, err := s.db.q(ctx).Query(ctx, "SELECT "+itemColumns+` FROM items
		WHERE module_id = $1 AND position IS NOT NULL ORDER BY position`, int64(moduleID))
	return collect(rows, err, scanItem)
}

// CourseItems implements modules.Store: one join of the course's listed
// modules and their listed items.
func (s *Modules) CourseItems(ctx context.Context, courseID uint64) ([]modules.Item, error) {
	rows, err := s.db.q(ctx).Query(ctx, "SELECT i."+itemColumnsAliased+sqlCourseItemsFrom, int64(courseID))
	return collect(rows, err, scanItem)
}

// itemColumnsAliased is itemColumns for a query where items is i.
const itemColumnsAliased = `id, i.course_id, i.module_id, i.position, i.kind, i.title, i.body, i.body_html, i.media_id,
	i.points, i.published, i.thread_id, i.quiz, i.rubric, i.created_at, i.updated_at`

// Item implements modules.Store.
func (s *Modules) Item(ctx context.Context, id uint64) (modules.Item, error) {
	it, err := scanItem(s.db.q(ctx).QueryRow(ctx, "SELECT "+itemColumns+" FROM items WHERE id = $1", int64(id)))
	if noRows(err) {
		return modules.Item{}, modules.ErrNoRecord
	}
	return it, err
}

// SetItems implements modules.Store (as SetModules, within the module).
// An item moved from another module takes its place here; the other
// module's SetItems leaves it alone, whichever runs first, since it is no
// longer that module's row.
func (s *Modules) SetItems(ctx context.Context, moduleID uint64, items []modules.Item) error {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = int64(it.ID)
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue("UPDATE items SET position = NULL WHERE module_id = $1 AND position IS NOT NULL AND id <> ALL($2)",
			int64(moduleID), ids)
		for i, it := range items {
			b.Queue(`INSERT INTO items (`+itemColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
				ON CONFLICT (id) DO UPDATE SET course_id = excluded.course_id, module_id = excluded.module_id,
					position = excluded.position, kind = excluded.kind, title = excluded.title, body = excluded.body,
					body_html = excluded.body_html, media_id = excluded.media_id, points = excluded.points,
					published = excluded.published, thread_id = excluded.thread_id, quiz = excluded.quiz,
					rubric = excluded.rubric, created_at = excluded.created_at, updated_at = excluded.updated_at`,
				int64(it.ID), int64(it.CourseID), int64(moduleID), int32(i+1), it.Kind, it.Title, it.Body, it.BodyHTML,
				int64(it.MediaID), it.Points, it.Published, int64(it.ThreadID), it.Quiz, it.Rubric, it.CreatedAt, it.UpdatedAt)
		}
		return s.db.q(ctx).SendBatch(ctx, b).Close()
	})
}

// DeleteItem implements modules.Store: the row holds its place in the
// order, so it goes with it.
func (s *Modules) DeleteItem(ctx context.Context, it modules.Item) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM items WHERE id = $1", int64(it.ID))
	return err
}

// DeleteCourseContent implements modules.Store: the course's modules, and
// by the foreign key's cascade their items, in one statement.
func (s *Modules) DeleteCourseContent(ctx context.Context, courseID uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM modules WHERE course_id = $1", int64(courseID))
	return err
}
