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

	Notifications       Bucket = "notifications"         // notification -> notify.Notification
	NotificationsByUser Bucket = "notifications_by_user" // user|notification -> nil

	Audit Bucket = "audit" // entry -> audit record
)

// allBuckets is created on open.
var allBuckets = []Bucket{
	Meta, Users, UsersByEmail, Sessions, SessionsByUser, Refresh, Settings,
	Courses, Members, MembersByUser, Modules, ModulesByCourse, Items, ItemsByModule, Progress,
	Notifications, NotificationsByUser, Audit,
}
