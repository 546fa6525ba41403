package api

// Intervals of the regulator's statistics (GetStatistics): a calendar month, quarter or year in
// China time (UTC+8).
const (
	IntervalMonth   = "month"
	IntervalQuarter = "quarter"
	IntervalYear    = "year"
)

// StatisticsIntervals lists the intervals GetStatistics accepts; the first is the default.
var StatisticsIntervals = []string{IntervalMonth, IntervalQuarter, IntervalYear}

// MaxStatisticsPeriods bounds the number of intervals one GetStatistics answer holds.
const MaxStatisticsPeriods = 240

// Statistics is the answer of GetStatistics: what the pledges on the ledger show over a window of
// dates (From to To, both included, China time), per interval and in total. Counts and times come
// from the public records (V1), as every member may read them; amounts come from the private terms
// (V2) of the pledges whose terms the caller's organization holds: a bank's own, all of them for the
// IP office and the regulator. TermsCoverage says how many pledges' terms were read and how many
// were not, and why. Pledgee and Kind are the filters applied, when asked: every figure then counts
// only the pledges of that pledgee bank, or whose rights are of that kind (as ByKind counts them:
// KindMixed for a package of several kinds), and PledgesRead only those.
type Statistics struct {
	AsOf          string             `json:"asOf"`
	ByBank        []BankStatistics   `json:"byBank"`
	ByKind        []KindStatistics   `json:"byKind"`
	Concentration Concentration      `json:"concentration"`
	From          string             `json:"from"`
	Interval      string             `json:"interval"`
	Kind          string             `json:"kind,omitempty"`
	Periods       []StatisticsPeriod `json:"periods"`
	Pledgee       MSPID              `json:"pledgee,omitempty"`
	PledgesRead   int                `json:"pledgesRead"`
	QueriedBy     MSPID              `json:"queriedBy"`
	TermsCoverage TermsCoverage      `json:"termsCoverage"`
	To            string             `json:"to"`
	Totals        StatisticsPeriod   `json:"totals"`
}

// StatisticsPeriod is what happened to the pledges in one interval (Start to End, both included;
// Label "2025-03", "2025-Q1" or "2025"), or over the whole window (Totals). An event counts in the
// interval of its date in China time: an application by appliedAt, a registration by registeredAt,
// a refusal by the decision of a refused pledge, a release, revocation, deregistration, default or
// disposal by the date its record on the pledge holds. DecisionTimes are of the decisions taken in
// the interval. SecuredAmount sums the private terms' amount of the registrations of the interval
// whose terms were read, per currency; DisposalPrice and ProceedsApplied the disposals' price and
// the part of it applied to the pledges, per currency.
type StatisticsPeriod struct {
	Applications    int           `json:"applications"`
	DecisionTimes   DecisionTimes `json:"decisionTimes"`
	Defaults        int           `json:"defaults"`
	Deregistrations int           `json:"deregistrations"`
	DisposalPrice   []Amount      `json:"disposalPrice"`
	Disposals       int           `json:"disposals"`
	End             string        `json:"end"`
	Label           string        `json:"label"`
	ProceedsApplied []Amount      `json:"proceedsApplied"`
	Refusals        int           `json:"refusals"`
	Registrations   int           `json:"registrations"`
	Releases        int           `json:"releases"`
	Revocations     int           `json:"revocations"`
	SecuredAmount   []Amount      `json:"securedAmount"`
	Start           string        `json:"start"`
}

// DecisionTimes is the time from application to decision (registration or refusal) of the
// decisions of an interval, in days (of 24 hours, two decimals): mean, median and 90th percentile
// (nearest rank). Zero when Count is 0.
type DecisionTimes struct {
	Count    int     `json:"count"`
	MeanDays float64 `json:"meanDays"`
	P50Days  float64 `json:"p50Days"`
	P90Days  float64 `json:"p90Days"`
}

// Amount is a sum of money in one currency (canonical money, two decimals) over Count pledges.
type Amount struct {
	Amount   string `json:"amount"`
	Count    int    `json:"count"`
	Currency string `json:"currency"`
}

// BankStatistics is one pledgee bank's registrations in the window, its share of all of them
// (RegistrationShare, percent, two decimals), the amounts of those whose terms were read, per
// currency, and its share of the CNY amounts (AmountShare, percent; absent unless every
// registration's terms of the window were read: a share of a part would mislead).
type BankStatistics struct {
	AmountShare       *float64 `json:"amountShare,omitempty"`
	Amounts           []Amount `json:"amounts"`
	MSP               MSPID    `json:"msp"`
	RegistrationShare float64  `json:"registrationShare"`
	Registrations     int      `json:"registrations"`
}

// KindStatistics is the registrations of the window by the kind of right they hold: a pledge whose
// rights are all of one kind counts under it, a package of several kinds under "mixed". Rights
// counts the rights those pledges hold.
type KindStatistics struct {
	Amounts       []Amount `json:"amounts"`
	Kind          string   `json:"kind"`
	Registrations int      `json:"registrations"`
	Rights        int      `json:"rights"`
}

// KindMixed is the kind under which a package of rights of several kinds counts.
const KindMixed = "mixed"

// StatisticsKinds are the kinds GetStatistics filters by: the kinds of right, and KindMixed.
func StatisticsKinds() []string {
	out := make([]string, 0, len(AssetKinds)+1)
	for _, k := range AssetKinds {
		out = append(out, string(k))
	}
	return append(out, KindMixed)
}

// Concentration is how concentrated the registrations of the window are: the Herfindahl–Hirschman
// index (sum of the squared percent shares, 0 to 10000) of the banks' registrations and, when every
// registration's terms were read, of their CNY amounts; and the owner (a pledgor, by its id) in the
// most of the rights pledged: TopOwnerRights of PledgedRights distinct rights, TopOwnerShare percent.
type Concentration struct {
	AmountHHI       *float64 `json:"amountHhi,omitempty"`
	PledgedRights   int      `json:"pledgedRights"`
	RegistrationHHI float64  `json:"registrationHhi"`
	TopOwnerID      string   `json:"topOwnerId,omitempty"`
	TopOwnerName    string   `json:"topOwnerName,omitempty"`
	TopOwnerRights  int      `json:"topOwnerRights"`
	TopOwnerShare   float64  `json:"topOwnerShare"`
}

// TermsCoverage says whose private terms the amounts of a Statistics answer include: of the
// Registrations of the window, Read had their terms read; NotEntitled belong to another bank than
// the caller's (V2: never read); Unavailable could not be read on the peer that answered (not a
// member of the collection, or the terms not there). Complete is Read == Registrations.
type TermsCoverage struct {
	Complete      bool `json:"complete"`
	NotEntitled   int  `json:"notEntitled"`
	Read          int  `json:"read"`
	Registrations int  `json:"registrations"`
	Unavailable   int  `json:"unavailable"`
}
