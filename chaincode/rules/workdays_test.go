package rules

import (
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// TestP9_WorkingDaysOfTheHolidayNotices: the examination time counts the working days of the State
// Council's holiday notices for 2025 and 2026 — public holidays off, weekend days declared working
// days on — and Monday to Friday for a year whose notice the calendar does not have.
func TestP9_WorkingDaysOfTheHolidayNotices(t *testing.T) {
	patent := []api.AssetKind{api.KindPatentInvention}
	trademark := []api.AssetKind{api.KindTrademark}
	filed := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, chinaTime) }
	endOf := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d+1, 0, 0, 0, 0, chinaTime).UTC() }
	cases := []struct {
		name  string
		filed time.Time
		kinds []api.AssetKind
		want  time.Time
	}{
		// 2025: National Day and Mid-Autumn off 1–8 October; Sunday 28 September and Saturday 11 October worked.
		{"2025 Tue 30 Sep: holidays 1-8 Oct, so Thu 9 and Fri 10", filed(2025, 9, 30), patent, endOf(2025, 10, 10)},
		{"2025 Fri 26 Sep: working Sun 28 and Mon 29", filed(2025, 9, 26), patent, endOf(2025, 9, 29)},
		{"2025 Sat 27 Sep: working Sun 28 and Mon 29", filed(2025, 9, 27), trademark, endOf(2025, 9, 29)},
		{"2025 Mon 29 Sep: Tue 30, then Thu 9 Oct", filed(2025, 9, 29), patent, endOf(2025, 10, 9)},
		{"2025 filed on a holiday, Fri 3 Oct: Thu 9 and Fri 10", filed(2025, 10, 3), trademark, endOf(2025, 10, 10)},
		{"2025 Thu 9 Oct: Fri 10 and working Sat 11", filed(2025, 10, 9), patent, endOf(2025, 10, 11)},
		{"2025 Fri 10 Oct: working Sat 11 and Mon 13", filed(2025, 10, 10), patent, endOf(2025, 10, 13)},
		// 2025: Spring Festival off 28 January–4 February; Sunday 26 January and Saturday 8 February worked.
		{"2025 Fri 24 Jan: working Sun 26 and Mon 27", filed(2025, 1, 24), patent, endOf(2025, 1, 27)},
		{"2025 Mon 27 Jan: holidays 28 Jan-4 Feb, so Wed 5 and Thu 6 Feb", filed(2025, 1, 27), patent, endOf(2025, 2, 6)},
		{"2025 Thu 6 Feb: Fri 7 and working Sat 8", filed(2025, 2, 6), trademark, endOf(2025, 2, 8)},
		// 2025: New Year's Day off (Wednesday 1 January).
		{"2025 Tue 31 Dec 2024: Thu 2 and Fri 3 Jan", filed(2024, 12, 31), patent, endOf(2025, 1, 3)},
		// 2026: Spring Festival off 15–23 February; Saturdays 14 and 28 February worked.
		{"2026 Fri 13 Feb: working Sat 14, then Tue 24", filed(2026, 2, 13), patent, endOf(2026, 2, 24)},
		{"2026 Thu 26 Feb: Fri 27 and working Sat 28", filed(2026, 2, 26), patent, endOf(2026, 2, 28)},
		// 2026: Mid-Autumn off 25–27 September; National Day off 1–7 October; Sunday 20 September and
		// Saturday 10 October worked.
		{"2026 Fri 18 Sep: working Sun 20 and Mon 21", filed(2026, 9, 18), patent, endOf(2026, 9, 21)},
		{"2026 Thu 24 Sep: Mid-Autumn Fri 25 off, so Mon 28 and Tue 29", filed(2026, 9, 24), trademark, endOf(2026, 9, 29)},
		{"2026 Wed 30 Sep: holidays 1-7 Oct, so Thu 8 and Fri 9", filed(2026, 9, 30), patent, endOf(2026, 10, 9)},
		{"2026 Fri 9 Oct: working Sat 10 and Mon 12", filed(2026, 10, 9), patent, endOf(2026, 10, 12)},
		// 2026: New Year off 1–3 January; Sunday 4 January worked.
		{"2026 Wed 31 Dec 2025: working Sun 4 and Mon 5 Jan", filed(2025, 12, 31), patent, endOf(2026, 1, 5)},
		// Copyright counts calendar days, holidays included.
		{"2025 copyright Tue 30 Sep: 10 calendar days", filed(2025, 9, 30), []api.AssetKind{api.KindCopyright}, endOf(2025, 10, 10)},
		// A year the calendar does not cover: Monday to Friday only (1 October 2099 counts as a working Thursday).
		{"uncovered 2099 Wed 30 Sep: Thu 1 and Fri 2 Oct", filed(2099, 9, 30), patent, endOf(2099, 10, 2)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExaminationDueBy(tc.filed, tc.kinds); !got.Equal(tc.want) {
				t.Fatalf("due %v, want %v", got.In(chinaTime), tc.want.In(chinaTime))
			}
		})
	}
	t.Run("years covered", func(t *testing.T) {
		for _, y := range []int{2024, 2025, 2026} {
			if !holidayDataCovers(y) {
				t.Errorf("the holiday calendar lacks %d", y)
			}
		}
		if holidayDataCovers(2099) {
			t.Errorf("2099 is covered: pick another uncovered year for this test")
		}
	})
	t.Run("days of the notices", func(t *testing.T) {
		day := func(s string) time.Time {
			d, err := time.ParseInLocation(time.DateOnly, s, chinaTime)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		for _, s := range []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
			"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10", "2025-09-30", "2026-09-30"} {
			if !isWorkingDay(day(s)) {
				t.Errorf("%s is not a working day", s)
			}
		}
		for _, s := range []string{"2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04", "2025-05-05", "2025-06-02",
			"2025-10-01", "2025-10-08", "2026-01-02", "2026-02-16", "2026-02-23", "2026-04-06", "2026-05-05",
			"2026-06-19", "2026-09-25", "2026-10-07", "2025-10-12", "2026-10-11"} {
			if isWorkingDay(day(s)) {
				t.Errorf("%s is a working day", s)
			}
		}
	})
}
