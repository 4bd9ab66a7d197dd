package storage

// Bucket names a top-level bbolt bucket. Every bucket Pacer uses is declared
// here, with the shape of its keys, so that the layout of the file can be read
// in one place.
type Bucket string

// SchemaVersion is the layout version this binary writes. Open migrates an
// older file in place and refuses a newer one.
const SchemaVersion = 1

// Records are keyed by their 8-byte big-endian ID unless noted. Index buckets
// have fixed-width composite keys built by Key and hold no value (or a small
// one), written in the same transaction as the record they index.
const (
	Meta Bucket = "meta" // "schema_version" -> uint64

	Users          Bucket = "users"            // user -> auth.User
	UsersByEmail   Bucket = "users_by_email"   // lower(email) -> user id
	Sessions       Bucket = "sessions"         // family -> auth.session (refresh-token family)
	SessionsByUser Bucket = "sessions_by_user" // user|family -> nil
	Refresh        Bucket = "refresh"          // sha256(token) -> auth.refreshRecord
	Settings       Bucket = "settings"         // name -> raw bytes (signing key checks, etc.)

	Courses         Bucket = "courses"           // course -> modules.Course
	Members         Bucket = "members"           // course|user -> modules.Member
	MembersByUser   Bucket = "members_by_user"   // user|course -> nil
	Modules         Bucket = "modules"           // module -> modules.Module
	ModulesByCourse Bucket = "modules_by_course" // course|position|module -> nil
	Items           Bucket = "items"             // item -> modules.Item
	ItemsByModule   Bucket = "items_by_module"   // module|position|item -> nil
	Progress        Bucket = "progress"          // course|user|item -> modules.ItemProgress
	// Invitations wait for the invitee's answer; the address is the
	// normalized e-mail, so one who registers later finds theirs.
	Invitations         Bucket = "invitations"           // invitation -> modules.Invitation
	InvitationsByEmail  Bucket = "invitations_by_email"  // lower(email)|0x00|invitation -> nil
	InvitationsByCourse Bucket = "invitations_by_course" // course|invitation -> nil

	Notifications       Bucket = "notifications"         // notification -> notify.Notification
	NotificationsByUser Bucket = "notifications_by_user" // user|notification -> nil
	NotificationsUnread Bucket = "notifications_unread"  // user|notification -> nil, only while unread
	// NotificationCauses holds the cause of each notification that has one
	// (notify.Notification.Cause), so that a cause is told once.
	NotificationCauses Bucket = "notification_causes" // cause -> notification id (8)

	Extensions          Bucket = "extensions"            // extension -> deadlines.Extension
	ExtensionsByLearner Bucket = "extensions_by_learner" // course|user|module -> extension id (8) | due unix nanos (8)
	Submissions         Bucket = "submissions"           // submission -> deadlines.Submission
	SubmissionsByItem   Bucket = "submissions_by_item"   // course|item|user -> submission id (one current per learner)
	CalendarTokens      Bucket = "calendar_tokens"       // user -> token generation (8); feed tokens are signed with it
	CalendarEvents      Bucket = "calendar_events"       // user|course|module|kind -> instant nanos (8) | sequence (8) | changed nanos (8)
	JobMarks            Bucket = "job_marks"             // course|user|module|job -> instant unix nanos (8) | outcome (1)
	JobRuns             Bucket = "job_runs"              // job name -> jobs.Status

	// SubmissionHistory keeps the attempts a resubmission superseded, so
	// that no work handed in and no grade is ever lost.
	SubmissionHistory Bucket = "submission_history" // course|item|user|submission -> nil (earlier attempts)
	// SubmittedNotes is each staff member's unread "submitted" notification
	// of an item, which new work updates instead of adding another.
	SubmittedNotes Bucket = "submitted_notes" // user|course|item -> notification id (8) | count (8)
	// SubmittedQueue holds submissions stored but whose staff notification
	// is not yet delivered (deadlines' deliver.go); the id is the bucket's
	// sequence, so an item's entries are in arrival order.
	SubmittedQueue Bucket = "submitted_queue" // course|item|id -> learner (8) | submitted unix nanos (8)

	Audit Bucket = "audit" // entry -> audit record

	// Discussion boards (package discussion). Activity order uses the last
	// post id, which grows with every post, so ties never depend on the clock.
	Boards          Bucket = "boards"            // board -> discussion.boardRec
	BoardsByCourse  Bucket = "boards_by_course"  // course|board -> nil
	Threads         Bucket = "threads"           // thread -> discussion.threadRec
	ThreadsByBoard  Bucket = "threads_by_board"  // board|unpinned(0/1)|^last_post|thread -> nil
	Posts           Bucket = "posts"             // post -> discussion.postRec (no Markdown source)
	PostSources     Bucket = "post_sources"      // post -> the Markdown source as written
	PostsByThread   Bucket = "posts_by_thread"   // thread|post -> author(8)|flags(1), flag 1 = deleted
	Participants    Bucket = "participants"      // thread|user -> nil (the user has replied there)
	Subscriptions   Bucket = "subscriptions"     // thread|user -> 1 subscribed, 0 opted out; then (8) the id of the subscriber's unread reply notification, if any
	ReadStates      Bucket = "read_states"       // thread|user -> last read post id (8)
	Reports         Bucket = "reports"           // report -> discussion.reportRec
	ReportsByCourse Bucket = "reports_by_course" // course|resolved(0/1)|report -> nil
	ReportsByPost   Bucket = "reports_by_post"   // post|reporter -> report id (8)
	SearchTerms     Bucket = "search_terms"      // course|term|0x00|^post -> thread(8)
	// ReplyQueue holds replies stored but not yet delivered: their
	// subscribers' notifications and their search postings (discussion's
	// deliver.go).
	ReplyQueue Bucket = "reply_queue" // thread|post -> nil

	// Engagement (package engagement) and e-mail (notify's outbox). Activity
	// days are UTC days; a day's value is a big-endian action count.
	ActivityDays Bucket = "activity_days" // course|user|unix day -> action count (4)
	Engagement   Bucket = "engagement"    // course|user -> engagement.state (flags and the nudge ladder)
	Outbox       Bucket = "outbox"        // mail -> notify.Email
	OutboxQueue  Bucket = "outbox_queue"  // state (1 pending, 2 sending)|Int(unix nanos)|mail -> nil
	MailBatches  Bucket = "mail_batches"  // user -> notify.batch (replies and mentions mailed together)
	// OutboxCauses holds the cause of each mail that has one, so that a
	// cause is queued once.
	OutboxCauses Bucket = "outbox_causes" // cause -> mail id (8)
	// MailBatchEntries holds a batch's notifications, one key each.
	MailBatchEntries Bucket = "mail_batch_entries" // user|seq -> notify.Notification
	EmailPrefs       Bucket = "email_prefs"        // user -> notify.Prefs

	// Media (package media). The bytes live in <data>/media/, named by their
	// SHA-256; these buckets hold only what describes and uses them.
	Media         Bucket = "media"           // media -> media.Media
	MediaByCourse Bucket = "media_by_course" // course|media -> nil
	MediaBlobs    Bucket = "media_blobs"     // sha256 (32 bytes)|media|lang ("" for the file itself) -> nil: who uses a blob
	Captions      Bucket = "media_captions"  // media|lang (string, last) -> media.Caption
	Watch         Bucket = "watch"           // course|user|item -> media.WatchState (spans, resume position)
	// MediaUsage holds the bytes counted against the storage quotas: a
	// course's course files, a user's submission uploads.
	MediaUsage Bucket = "media_usage" // 'c'|course or 'u'|user -> bytes (8); "counted" -> 1 once the totals were first made
	// MediaUnattached lists submission uploads no submission uses yet, by
	// upload time, for the sweep that removes those left a day.
	MediaUnattached Bucket = "media_unattached" // created unix nanos|media -> nil

	// StaffByCourse indexes the staff (instructors and TAs) of each course,
	// written with the member record (package modules), so that the few
	// staff of a course are found without reading every member.
	StaffByCourse Bucket = "staff_by_course" // course|user -> nil
	// ThreadFollowOff holds the staff who turned off following every
	// thread of a course's boards (package discussion).
	ThreadFollowOff Bucket = "thread_follow_off" // course|user -> nil

	// Announcements (package announcements).
	Announcements         Bucket = "announcements"           // announcement -> announcements.record
	AnnouncementsByCourse Bucket = "announcements_by_course" // course|announcement -> nil

	// Quizzes (package quiz): questions of quiz items, and attempts.
	QuizQuestions   Bucket = "quiz_questions"    // question -> quiz.QuestionRecord
	QuestionsByItem Bucket = "questions_by_item" // course|item|question -> nil
	QuizAttempts    Bucket = "quiz_attempts"     // attempt -> quiz.Attempt
	AttemptsByItem  Bucket = "attempts_by_item"  // course|item|user|attempt -> nil
	// AttemptsClosing holds the open timed attempts by closing time, for
	// the job that submits those whose time ran out.
	AttemptsClosing Bucket = "attempts_closing" // Int(closes unix nanos)|attempt -> nil

	// Revisions stamps the sources of cached values (package cache): each
	// owner bumps its kinds in the transaction that changes the source.
	// Entries are never deleted.
	Revisions Bucket = "revisions" // kind|0x00|id(8)|sub(8) -> revision (8)
)

// allBuckets is created on open.
var allBuckets = []Bucket{
	Meta, Users, UsersByEmail, Sessions, SessionsByUser, Refresh, Settings,
	Courses, Members, MembersByUser, Modules, ModulesByCourse, Items, ItemsByModule, Progress,
	Invitations, InvitationsByEmail, InvitationsByCourse,
	Notifications, NotificationsByUser, Audit,
	NotificationsUnread, NotificationCauses,
	Extensions, ExtensionsByLearner, Submissions, SubmissionsByItem, CalendarTokens, CalendarEvents, JobMarks, JobRuns,
	SubmissionHistory, SubmittedNotes, SubmittedQueue,
	Boards, BoardsByCourse, Threads, ThreadsByBoard, Posts, PostSources, PostsByThread,
	Participants, Subscriptions, ReadStates, Reports, ReportsByCourse, ReportsByPost, SearchTerms, ReplyQueue,
	ActivityDays, Engagement, Outbox, OutboxQueue, OutboxCauses, MailBatches, MailBatchEntries, EmailPrefs,
	Media, MediaByCourse, MediaBlobs, Captions, Watch, MediaUsage, MediaUnattached,
	StaffByCourse, ThreadFollowOff,
	Announcements, AnnouncementsByCourse,
	QuizQuestions, QuestionsByItem, QuizAttempts, AttemptsByItem, AttemptsClosing,
	Revisions,
}
