package storage

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Each record has one owner: only the package that owns a bucket names it,
// and every other package asks the owner (the course service's
// Member, auth.Service.User …). That is what lets a second storage engine implement one package's
// store without chasing its records through the others.
//
// owners maps every bucket to the package (directory) that owns it. A new
// bucket must be added here, with its owner, or this test fails.
var owners = map[Bucket]string{
	Meta: "storage",
	// Settings holds a few named values of several owners (the token
	// signing key, the site settings, one-off migration marks), each
	// package under its own keys.
	Settings: "*",
	// Revisions stamps cached values; each owner bumps and reads its own
	// kinds ("modules.structure", "auth.names" ...) through package cache.
	Revisions: "*",

	Users: "auth", UsersByEmail: "auth", Sessions: "auth", SessionsByUser: "auth", Refresh: "auth",

	Courses: "modules", Members: "modules", MembersByUser: "modules", Modules: "modules", ModulesByCourse: "modules",
	Items: "modules", ItemsByModule: "modules", Progress: "modules", Invitations: "modules",
	InvitationsByEmail: "modules", InvitationsByCourse: "modules", StaffByCourse: "modules",

	Notifications: "notify", NotificationsByUser: "notify", NotificationsUnread: "notify", NotificationCauses: "notify", Outbox: "notify",
	OutboxQueue: "notify", OutboxCauses: "notify", MailBatches: "notify", MailBatchEntries: "notify", EmailPrefs: "notify",

	Audit: "audit",

	Extensions: "deadlines", ExtensionsByLearner: "deadlines", Submissions: "deadlines", SubmissionsByItem: "deadlines",
	CalendarTokens: "deadlines", CalendarEvents: "deadlines", JobMarks: "deadlines", JobRuns: "jobs",
	SubmissionHistory: "deadlines", SubmittedNotes: "deadlines", SubmittedQueue: "deadlines",

	Boards: "discussion", BoardsByCourse: "discussion", Threads: "discussion", ThreadsByBoard: "discussion",
	Posts: "discussion", PostSources: "discussion", PostsByThread: "discussion", Participants: "discussion",
	Subscriptions: "discussion", ReadStates: "discussion", Reports: "discussion", ReportsByCourse: "discussion",
	ReportsByPost: "discussion", SearchTerms: "discussion", ReplyQueue: "discussion", ThreadFollowOff: "discussion",

	ActivityDays: "engagement", Engagement: "engagement",

	Media: "media", MediaByCourse: "media", MediaBlobs: "media", Captions: "media", Watch: "media",
	MediaUsage: "media", MediaUnattached: "media",

	Announcements: "announcements", AnnouncementsByCourse: "announcements",

	QuizQuestions: "quiz", QuestionsByItem: "quiz", QuizAttempts: "quiz", AttemptsByItem: "quiz", AttemptsClosing: "quiz",
}

// trespasses are the places that still name another package's bucket, as
// "package: bucket". The list only shrinks: an entry that no longer
// happens fails the test, so it is removed with the code that needed it.
var trespasses = []string{}

// notDomain are directories whose code may name any bucket: the engine
// itself, tools, and test harnesses.
var notDomain = []string{"storage", "cmd", "durability", "pacertest", "securitytest"}

func TestEveryBucketIsNamedOnlyByItsOwner(t *testing.T) {
	for _, b := range allBuckets {
		if _, ok := owners[b]; !ok {
			t.Errorf("bucket %s has no owner in owners", b)
		}
	}
	found := map[string][]string{} // "package: bucket" -> files
	root := ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") || slices.Contains(notDomain, rel) || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(rel))
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "storage" {
				return true
			}
			owner, ok := owners[Bucket(bucketOf(sel.Sel.Name))]
			if !ok || owner == "*" || owner == pkg {
				return true
			}
			key := pkg + ": " + sel.Sel.Name
			if !slices.Contains(found[key], rel) {
				found[key] = append(found[key], rel)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(trespasses, k) {
			t.Errorf("%s names a bucket another package owns (%s): ask the owner instead", strings.Join(found[k], ", "), k)
		}
	}
	for _, k := range trespasses {
		if _, ok := found[k]; !ok {
			t.Errorf("%q no longer happens: remove it from trespasses", k)
		}
	}
}

// bucketOf maps an identifier of this package to the bucket it names, or
// "" when it names none.
func bucketOf(ident string) string {
	for _, b := range allBuckets {
		if bucketIdent[b] == ident {
			return string(b)
		}
	}
	return ""
}

// bucketIdent is each bucket's Go name, read from schema.go so that the
// test follows the schema.
var bucketIdent = func() map[Bucket]string {
	f, err := parser.ParseFile(token.NewFileSet(), "schema.go", nil, 0)
	if err != nil {
		panic(err)
	}
	out := map[Bucket]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Values) != len(vs.Names) {
			return true
		}
		for i, v := range vs.Values {
			if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				out[Bucket(strings.Trim(lit.Value, `"`))] = vs.Names[i].Name
			}
		}
		return true
	})
	return out
}()
