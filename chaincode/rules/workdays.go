package rules

import (
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Statutory examination times (P9): 2 working days for an online patent filing, 2 working days for a
// trademark, 10 calendar days for copyright. Working days are those of the register's calendar (UTC+8)
// as the State Council's annual holiday notices make them: Monday to Friday, less the public holidays,
// plus the weekend days a notice declares working days (调休). The day of filing does not count. A
// package of several kinds gets the shortest time of its rights.
const (
	patentWorkingDays    = 2
	trademarkWorkingDays = 2
	copyrightDays        = 10
)

// ExaminationLimits are P9's statutory examination times as ExaminationDueBy counts them: working days
// for a patent and for a trademark, calendar days for copyright. For those who draw them beside the
// measured times (the regulator's dashboard); the due time of an application is ExaminationDueBy's.
func ExaminationLimits() (patent, trademark, copyright int) {
	return patentWorkingDays, trademarkWorkingDays, copyrightDays
}

// ExaminationDueBy returns the instant at which the examination of an application filed at filed, for
// rights of the given kinds, becomes overdue: midnight (UTC+8) at the end of its last allowed day.
func ExaminationDueBy(filed time.Time, kinds []api.AssetKind) time.Time {
	local := filed.In(chinaTime)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, chinaTime)
	var due time.Time
	for _, k := range kinds {
		var last time.Time
		switch k {
		case api.KindCopyright:
			last = day.AddDate(0, 0, copyrightDays)
		case api.KindTrademark:
			last = addWorkingDays(day, trademarkWorkingDays)
		default:
			last = addWorkingDays(day, patentWorkingDays)
		}
		end := last.AddDate(0, 0, 1)
		if due.IsZero() || end.Before(due) {
			due = end
		}
	}
	return due.UTC()
}

// addWorkingDays returns the date n working days after day (a midnight in UTC+8).
func addWorkingDays(day time.Time, n int) time.Time {
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if isWorkingDay(day) {
			n--
		}
	}
	return day
}

// holidayCalendar is the State Council's holiday arrangements (国务院办公厅关于…部分节假日安排的通知)
// as github.com/6tail/lunar-go carries them (pinned in go.mod, pure Go). They are copied once, when
// the chaincode starts, so that nothing changing the library's tables at run time (its HolidayUtil.Fix)
// could make two peers count differently.
var holidayCalendar = loadHolidayCalendar(2001, 2100)

// calendarDays is the holiday calendar of a range of years.
type calendarDays struct {
	// working says, for each date (YYYY-MM-DD) a notice names, whether it is a working day: false for
	// a public holiday, true for a weekend day declared a working day.
	working map[string]bool
	// years are the years for which the library has a notice's arrangements.
	years map[int]bool
}

func loadHolidayCalendar(from, to int) calendarDays {
	c := calendarDays{working: map[string]bool{}, years: map[int]bool{}}
	for y := from; y <= to; y++ {
		l := HolidayUtil.GetHolidaysByYear(y)
		for e := l.Front(); e != nil; e = e.Next() {
			h, ok := e.Value.(*HolidayUtil.Holiday)
			if !ok {
				continue
			}
			c.working[h.GetDay()] = h.IsWork()
			c.years[y] = true
		}
	}
	return c
}

// holidayDataCovers says whether the holiday calendar has the arrangements of a year. A year it does
// not have (one whose notice was not yet published when the library was released) counts Monday to
// Friday only.
func holidayDataCovers(year int) bool { return holidayCalendar.years[year] }

// isWorkingDay says whether a date (UTC+8) is a working day: as the year's holiday notice says, or, for
// a year the calendar does not cover, Monday to Friday.
func isWorkingDay(day time.Time) bool {
	day = day.In(chinaTime)
	if holidayDataCovers(day.Year()) {
		if work, ok := holidayCalendar.working[day.Format(time.DateOnly)]; ok {
			return work
		}
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}
