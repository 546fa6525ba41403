package rules

import (
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Statutory examination times (P9): 2 working days for an online patent filing, 2 working days for a
// trademark, 10 calendar days for copyright. Working days are Monday to Friday on the register's
// calendar (UTC+8); public holidays and make-up working days are not modelled. The day of filing does
// not count. A package of several kinds gets the shortest time of its rights.
const (
	patentWorkingDays    = 2
	trademarkWorkingDays = 2
	copyrightDays        = 10
)

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

// addWorkingDays returns the date n working days (Monday to Friday) after day.
func addWorkingDays(day time.Time, n int) time.Time {
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return day
}
