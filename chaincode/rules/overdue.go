package rules

import (
	"fmt"
	"strings"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// idxPledgeOverdue indexes the applications decided after their examination time (P9), once under
// each month (UTC+8) in which they were overdue: month, examinationDueBy, decidedAt, pledgeId. With the
// applications still undecided (the `applied` status index), it answers which were overdue at any
// past instant without reading every pledge. Like the other pledge indexes it has the pledge's policy.
const idxPledgeOverdue = "pledge-by-overdue-month"

// monthOf is the month (UTC+8) of an instant, as the overdue index writes it.
func monthOf(t time.Time) string { return t.In(chinaTime).Format("2006-01") }

// examinationDue is a pledge's examinationDueBy; ok is false when it has none that parses (then it is
// never overdue).
func examinationDue(p *api.Pledge) (time.Time, bool) {
	due, err := time.Parse(time.RFC3339Nano, p.ExaminationDueBy)
	return due, err == nil
}

// recordLateDecision writes the overdue index of an application that leaves `applied` now: an entry
// under every month from its examination time to now, if it is decided late (I1: the pledge's policy).
// An application decided in time was never overdue and gets none.
func (s *Service) recordLateDecision(p *api.Pledge) error {
	due, ok := examinationDue(p)
	if !ok || !s.tx.Time.After(due) {
		return nil
	}
	decided := s.tx.Time.UTC().Format(time.RFC3339Nano)
	dueBy := due.UTC().Format(time.RFC3339Nano)
	last := monthOf(s.tx.Time)
	for m := due.In(chinaTime); ; m = time.Date(m.Year(), m.Month()+1, 1, 0, 0, 0, 0, chinaTime) {
		month := monthOf(m)
		if err := s.putIndex(api.PledgeEndorsement(p.Pledgee.MSP), idxPledgeOverdue, month, dueBy, decided, p.ID); err != nil {
			return err
		}
		if month == last {
			return nil
		}
	}
}

// The overdue list pages first through the applications still undecided, then through those decided
// after the instant asked for. Its bookmark carries the phase and that instant, so that every page of
// one listing answers for the same instant.
const (
	overdueOpen = "open"
	overdueLate = "late"
)

type overdueCursor struct {
	at    time.Time
	phase string
	inner string // the ledger's bookmark within the phase
}

func (c overdueCursor) String() string {
	return c.phase + "|" + c.at.UTC().Format(time.RFC3339Nano) + "|" + c.inner
}

// parseOverdueCursor reads asOf and the bookmark of the overdue list. Without a bookmark, the instant
// is asOf, or the transaction's time; with one, the bookmark's, and an asOf given must be the same.
func parseOverdueCursor(asOf, bookmark string, now time.Time) (overdueCursor, error) {
	var at time.Time
	if asOf != "" {
		t, err := time.Parse(time.RFC3339, asOf)
		if err != nil {
			return overdueCursor{}, api.Invalid("asOf", "must be an RFC 3339 time, e.g. 2025-03-01T09:00:00+08:00")
		}
		at = t
	}
	if bookmark == "" {
		if at.IsZero() {
			at = now
		}
		return overdueCursor{at: at, phase: overdueOpen}, nil
	}
	if len(bookmark) > 1024 {
		return overdueCursor{}, api.Invalid("bookmark", "is too long")
	}
	parts := strings.SplitN(bookmark, "|", 3)
	if len(parts) != 3 || (parts[0] != overdueOpen && parts[0] != overdueLate) {
		return overdueCursor{}, api.Invalid("bookmark", "is not a bookmark of the overdue list")
	}
	t, err := time.Parse(time.RFC3339Nano, parts[1])
	if err != nil {
		return overdueCursor{}, api.Invalid("bookmark", "is not a bookmark of the overdue list")
	}
	if !at.IsZero() && !at.Equal(t) {
		return overdueCursor{}, api.Invalid("bookmark", "belongs to a listing as of another time: give the same asOf, or none")
	}
	return overdueCursor{at: t, phase: parts[0], inner: parts[2]}, nil
}

// ListOverdueExaminations lists the applications whose examination was overdue (P9) at asOf (RFC 3339;
// "" for the transaction time): filed and due before it, and not decided (registered or refused) by
// then, whatever their status now. It reads the applications still `applied` and the index of those
// decided late under asOf's month, never every pledge. A page may hold fewer items than its size;
// continue while the bookmark is not "".
func (s *Service) ListOverdueExaminations(asOf string, size int32, bookmark string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	n, err := pageSize(size)
	if err != nil {
		return "", err
	}
	cur, err := parseOverdueCursor(asOf, bookmark, s.tx.Time)
	if err != nil {
		return "", err
	}
	items := []*api.Pledge{}
	next := ""
	if cur.phase == overdueOpen {
		var scanned int32
		items, scanned, next, err = s.overdueOpen(cur, n)
		if err != nil {
			return "", err
		}
		n -= scanned
		cur = overdueCursor{at: cur.at, phase: overdueLate}
		if next == "" && n == 0 {
			next = cur.String()
		}
	}
	if next == "" && n > 0 {
		late, more, err := s.overdueLate(cur, n)
		if err != nil {
			return "", err
		}
		items, next = append(items, late...), more
	}
	return marshal(api.PledgePage{Bookmark: next, Count: len(items), Items: items})
}

// overdueOpen reads a page of the applications still undecided, keeping those due by cur.at. It
// returns how many it read and the bookmark of the rest ("" when none is left).
func (s *Service) overdueOpen(cur overdueCursor, n int32) ([]*api.Pledge, int32, string, error) {
	keys, more, err := s.l.ScanPage(idxPledgeStatus, []string{string(api.PledgeApplied)}, n, cur.inner)
	if err != nil {
		return nil, 0, "", internal("scan", err)
	}
	items := []*api.Pledge{}
	for _, k := range keys {
		p, err := s.loadIndexed(k)
		if err != nil {
			return nil, 0, "", err
		}
		if due, ok := examinationDue(p); ok && p.Status == api.PledgeApplied && !cur.at.Before(due) {
			items = append(items, p)
		}
	}
	if more != "" {
		return items, int32(len(keys)), overdueCursor{at: cur.at, phase: overdueOpen, inner: more}.String(), nil
	}
	return items, int32(len(keys)), "", nil
}

// overdueLate reads a page of the applications decided late that were overdue in cur.at's month,
// keeping, from the index key alone, those due by cur.at and decided after it.
func (s *Service) overdueLate(cur overdueCursor, n int32) ([]*api.Pledge, string, error) {
	keys, more, err := s.l.ScanPage(idxPledgeOverdue, []string{monthOf(cur.at)}, n, cur.inner)
	if err != nil {
		return nil, "", internal("scan", err)
	}
	items := []*api.Pledge{}
	for _, k := range keys {
		_, parts, err := SplitCompositeKey(k)
		if err != nil || len(parts) != 4 {
			return nil, "", internal("split key", fmt.Errorf("bad index key %q", k))
		}
		due, err1 := time.Parse(time.RFC3339Nano, parts[1])
		decided, err2 := time.Parse(time.RFC3339Nano, parts[2])
		if err1 != nil || err2 != nil {
			return nil, "", internal("split key", fmt.Errorf("bad index key %q", k))
		}
		if cur.at.Before(due) || !cur.at.Before(decided) {
			continue
		}
		p, err := s.loadPledge(parts[3])
		if err != nil {
			return nil, "", err
		}
		items = append(items, p)
	}
	if more != "" {
		return items, overdueCursor{at: cur.at, phase: overdueLate, inner: more}.String(), nil
	}
	return items, "", nil
}

// loadIndexed loads the pledge whose id ends an index key.
func (s *Service) loadIndexed(key string) (*api.Pledge, error) {
	_, parts, err := SplitCompositeKey(key)
	if err != nil || len(parts) == 0 {
		return nil, internal("split key", fmt.Errorf("bad index key %q", key))
	}
	return s.loadPledge(parts[len(parts)-1])
}
