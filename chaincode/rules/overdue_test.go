package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// TestP9_OverdueListAsOfAPastDay: asked for a past instant, the overdue list gives the applications
// whose examination was overdue then — filed and due before it, not decided by then — whatever their
// status now: one decided later is listed, one decided before it is not, one not yet due is not.
func TestP9_OverdueListAsOfAPastDay(t *testing.T) {
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2025, month, day, hour, 0, 0, 0, chinaTime)
	}
	e := newEnv(t)
	for _, id := range []string{"P1", "P2", "P3", "P4", "P5", "P6"} {
		e.register(patent(id))
	}
	apply := func(when time.Time, asset string) *api.Pledge {
		e.now = when
		p, err := e.apply(bank1, application(asset))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	refuse := func(when time.Time, p *api.Pledge) {
		e.now = when
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RefusePledge(e.req(), p.ID, `{"reasons":["x"]}`) }))
	}
	register := func(when time.Time, p *api.Pledge, regNo string) {
		e.now = when
		if _, err := e.registerPledge(p.ID, regNo); err != nil {
			t.Fatal(err)
		}
	}
	feb := apply(at(2, 25, 10), "P6") // Tuesday: due by the end of Thursday 27 February
	late := apply(at(3, 3, 10), "P1") // Monday: due by the end of Wednesday 5 March
	inTime := apply(at(3, 3, 10), "P2")
	earlier := apply(at(3, 3, 10), "P3")
	open := apply(at(3, 3, 10), "P4")
	refuse(at(3, 4, 10), inTime)        // decided in time: never overdue
	notDue := apply(at(3, 6, 10), "P5") // Thursday: due by the end of Monday 10 March
	refuse(at(3, 7, 9), earlier)        // decided late, on Friday morning
	register(at(3, 10, 12), late, "R1")
	register(at(3, 11, 10), feb, "R2") // decided late, in the month after it fell due
	e.now = at(3, 12, 10)

	ids := func(ps ...*api.Pledge) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		slices.Sort(out)
		return out
	}
	cases := []struct {
		name string
		asOf string
		want []string
	}{
		{"Friday noon: decided later listed, decided that morning not, not yet due not", "2025-03-07T12:00:00+08:00", ids(late, open, feb)},
		{"Friday 8:00, before the late refusal", "2025-03-07T00:00:00Z", ids(late, earlier, open, feb)},
		{"at the deadline's instant", "2025-03-06T00:00:00+08:00", ids(late, earlier, open, feb)},
		{"a moment before it", "2025-03-05T23:59:59+08:00", ids(feb)},
		{"in February", "2025-02-28T12:00:00+08:00", ids(feb)},
		{"before anything was due", "2025-02-27T23:00:00+08:00", nil},
		{"Tuesday 11 March 0:00: one due at that instant", "2025-03-11T00:00:00+08:00", ids(open, notDue, feb)},
		{"the transaction's time", "", ids(open, notDue)},
		{"a later year", "2026-01-01T00:00:00+08:00", ids(open, notDue)},
	}
	list := func(asOf string, size int32, bookmark string) (api.PledgePage, error) {
		out, err := e.query(auditor, func(s *Service) (string, error) { return s.ListOverdueExaminations(asOf, size, bookmark) })
		var p api.PledgePage
		if err == nil {
			mustDecode(t, out, &p)
		}
		return p, err
	}
	// all reads every page, giving asOf with the first only when onlyFirst is set.
	all := func(t *testing.T, asOf string, size int32, onlyFirst bool) []string {
		var got []string
		bookmark, pages := "", 0
		for {
			q := asOf
			if onlyFirst && bookmark != "" {
				q = ""
			}
			p, err := list(q, size, bookmark)
			if err != nil {
				t.Fatal(err)
			}
			if p.Count != len(p.Items) || p.Count > int(size) {
				t.Fatalf("page of %d items, count %d, size %d", len(p.Items), p.Count, size)
			}
			for _, it := range p.Items {
				got = append(got, it.ID)
			}
			if pages++; p.Bookmark == "" || pages > 50 {
				break
			}
			bookmark = p.Bookmark
		}
		slices.Sort(got)
		return got
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := all(t, tc.asOf, 20, false); !slices.Equal(got, tc.want) {
				t.Fatalf("overdue as of %q: %v, want %v", tc.asOf, got, tc.want)
			}
			if got := all(t, tc.asOf, 1, false); !slices.Equal(got, tc.want) {
				t.Fatalf("overdue as of %q, a page of one at a time: %v, want %v", tc.asOf, got, tc.want)
			}
			if got := all(t, tc.asOf, 1, true); !slices.Equal(got, tc.want) {
				t.Fatalf("overdue as of %q, then by the bookmark alone: %v, want %v", tc.asOf, got, tc.want)
			}
		})
	}
	t.Run("the decided ones are indexed under each month they were overdue, with the pledge's policy", func(t *testing.T) {
		var months []string
		for _, k := range e.l.Keys() {
			if typ, parts, err := SplitCompositeKey(k); err == nil && typ == idxPledgeOverdue {
				months = append(months, parts[0]+":"+parts[3])
				if pol, ok := e.l.Policy(k); !ok || pol.String() != api.PledgeEndorsement(api.MSPBank1).String() {
					t.Errorf("%q: policy %+v", k, pol)
				}
			}
		}
		slices.Sort(months)
		want := []string{"2025-02:" + feb.ID, "2025-03:" + earlier.ID, "2025-03:" + feb.ID, "2025-03:" + late.ID}
		slices.Sort(want)
		if !slices.Equal(months, want) {
			t.Fatalf("overdue index %v, want %v", months, want)
		}
	})
	t.Run("bad asOf and bookmarks", func(t *testing.T) {
		first, err := list("2025-03-07T12:00:00+08:00", 1, "")
		if err != nil || first.Bookmark == "" {
			t.Fatalf("first page %+v %v", first, err)
		}
		for _, tc := range []struct{ asOf, bookmark, field string }{
			{"yesterday", "", "asOf"},
			{"2025-03-07", "", "asOf"},
			{"2025-03-08T12:00:00+08:00", first.Bookmark, "bookmark"},
			{"", "open|x|", "bookmark"},
			{"", "closed|2025-03-07T04:00:00Z|", "bookmark"},
			{"", strings.Repeat("b", 1025), "bookmark"},
		} {
			_, err := list(tc.asOf, 1, tc.bookmark)
			wantCode(t, err, api.CodeInvalidArgument, tc.field)
		}
		_, err = e.query(stranger, func(s *Service) (string, error) { return s.ListOverdueExaminations("", 0, "") })
		wantCode(t, err, api.CodeForbidden)
	})
}
