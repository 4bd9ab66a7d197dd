package durability_test

import (
	"fmt"
	"strings"
	"testing"

	"pacer/durability"
)

// TestTheCheckerReportsLostDuplicatedAndRefusedWrites checks the checker:
// a ledger claiming writes the server never got, a reply posted twice, a
// refused reply that is present, and a stored submission older than the
// one claimed acknowledged must each be reported.
func TestTheCheckerReportsLostDuplicatedAndRefusedWrites(t *testing.T) {
	bin := pacerBinary(t)
	p, err := durability.Start(bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	c := durability.NewClient(p.Base)
	co, err := durability.Setup(c, 2)
	if err != nil {
		t.Fatal(err)
	}
	s0 := co.Students[0].Token
	reply := func(marker string) {
		t.Helper()
		if err := c.JSON(201, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", co.Thread), s0,
			map[string]string{"body": "Reply " + marker}, nil); err != nil {
			t.Fatal(err)
		}
	}
	l := durability.NewLedger(2)
	reply("dm-7-0-1")
	l.RecordReply("dm-7-0-1", durability.Acked) // present: verified
	l.RecordReply("dm-7-0-2", durability.Acked) // never posted: lost
	reply("dm-7-0-3")
	reply("dm-7-0-3")
	l.RecordReply("dm-7-0-3", durability.Acked) // posted twice: a duplicate
	reply("dm-7-0-4")
	l.RecordReply("dm-7-0-4", durability.Refused) // refused, yet present
	if err := c.JSON(201, "POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", co.ID, co.Assignment), s0,
		map[string]string{"body": "Answer dm-7-0-5"}, nil); err != nil {
		t.Fatal(err)
	}
	l.RecordSubmission(0, "Answer dm-7-0-5", durability.Acked)
	l.RecordSubmission(0, "Answer dm-7-0-6", durability.Acked) // never sent: the stored one is older
	l.RecordWatch(1, 3, 4, durability.Acked)                   // never sent: lost

	res, err := durability.Verify(c, co, l, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", res, strings.Join(res.Problems, "\n"))
	if res.Acks != 6 || res.Verified != 2 || res.Lost != 3 || res.Duplicates != 1 || res.Superseded != 1 {
		t.Errorf("got %s; want acks 6, verified 2, lost 3, duplicates 1, superseded 1", res)
	}
	if !strings.Contains(strings.Join(res.Problems, "\n"), "dm-7-0-4 was refused") {
		t.Error("the refused reply that is present was not reported")
	}
}
