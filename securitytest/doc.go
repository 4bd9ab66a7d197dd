// Package securitytest holds Pacer's security suites (issue 7, OWASP ASVS 5.0
// level 2 as the reference). It has no code of its own: the suites are
// tests that run the whole application through pacertest (real bbolt in a
// temporary directory, a pinned clock) and, where a real connection
// matters, on a real listener. They reach the application only as a client
// would: through the HTTP API, the web pages with a session cookie, and the
// e-mail outbox.
//
// Every suite builds the same world (world_test.go): a published and an
// unpublished course, each with an instructor, a TA and two students, plus
// an outsider, an administrator, an anonymous caller and two people who are
// staff in one course and students in the other; and in each course
// modules (open, not yet open, unpublished), items of every kind, a
// lecture with captions, files (some shown only by hidden or locked items,
// one by no item), a student's submission file, submissions,
// extensions, boards (a Q&A one too), threads, posts, reports and
// notifications.
//
// The suites:
//
//   - authz_test.go: every API route as every actor on every object,
//     compared with an oracle written from the role rules of
//     ../shared/API.md (401 without a token, 404 for courses and objects the
//     caller may not see, 403 for a member whose role may not), including
//     objects of one course under the other's URL and in request bodies.
//   - pages_authz_test.go: the same rules for every page (the
//     administrators' console included), every form posted with the other
//     course's objects, and the course lifecycle and console forms as every
//     actor.
//   - malformed_test.go: hostile JSON bodies, path IDs, queries, Range
//     headers, WebVTT, Markdown, uploads and page forms: never a 5xx, API
//     errors in the contract's shape, no internal text in any answer; JSON
//     names in another case and cursors beyond any ID are 400.
//   - xss_test.go (corpus in payloads_test.go): more than a hundred evasion
//     payloads through every place that renders user text, checked in the
//     API's *_html fields, the pages and the e-mails with an HTML parser.
//   - headers_test.go: security headers on every page and API answer, HSTS
//     over TLS only, CSRF on every cookie-authenticated form and API write
//     (whatever the case or spelling of the path, and never from another
//     site), JSON routes taking only application/json, large and forged
//     upload forms refused before they are read, and the rate limits.
//   - logs_test.go: no secret that travels in a URL (the calendar feed's
//     token) reaches the logs.
//   - members_test.go: membership only by consent and enrolment keys that
//     cannot be guessed (issue 12): no member added by account number, no
//     address shown to staff who did not have it, invitations answered
//     only by their invitee, staff free to leave, short keys refused and
//     wrong keys limited per account and per address.
//   - limits_test.go: the client address behind trusted proxies (rate
//     limits and audit entries), the per-account limit on password checks,
//     the Markdown preview's limits, and the audit of password changes and
//     refresh-token reuse.
//   - singleline_test.go: control characters and bidirectional overrides
//     refused in every name and title.
//   - fuzz_test.go: go test -fuzz targets for the features' JSON bodies and
//     list queries, media Range headers, page forms and Markdown.
//
// Each suite logs how many requests it tried and fails on any mismatch,
// printing "actor METHOD path: got X want Y". Run them with
//
//	go test ./securitytest/ -count=1
//
// and one fuzz target at a time with, for example,
//
//	go test ./securitytest/ -run '^$' -fuzz FuzzMarkdownRendersNothingExecutable -fuzztime 1m
package securitytest
