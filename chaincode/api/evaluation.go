package api

// IndustryPattern is the form of a borrower's industry (F9): a code of GB/T 4754-2017 (国民经济行业分类),
// its section letter alone (C) or with its division, group or class (C39, C391, C3911).
const IndustryPattern = `^[A-T]([0-9]{2}([0-9]{1,2})?)?$`

// RegionPattern is the form of a borrower's region (F9): a six-digit code of GB/T 2260 (行政区划代码),
// e.g. 420106 (Wuchang District, Wuhan).
const RegionPattern = `^[1-9][0-9]{5}$`

// Unstated is the group of the loans whose application gave no industry, or no region (F9).
const Unstated = "unstated"

// Evaluation is the answer of GetEvaluation (F9): what the province's IP finance did over a window of
// dates (From to To, both included, China time), as the guideline's performance evaluation asks. The
// loans are the pledges registered in the window: in all, by pledgee bank, by the borrower's industry
// (its GB/T 4754 section letter) and by its region (its prefecture, the GB/T 2260 code's first four
// digits followed by 00; a county-level unit directly under its province, xx90xx, by its own code). Amounts come from the private terms the caller's organization holds (V2),
// as the statistics' do; TermsCoverage counts them. Valuations are the disposals of the window of
// pledges that cited a report, their values (as the caller may read them, F2) against the proceeds
// the pledges received. Cover, Fund and Subsidies are the insurers', the fund's and the subsidies'
// figures of the window. Pledgee is set when the figures are one bank's own (a bank asking).
type Evaluation struct {
	AsOf          string            `json:"asOf"`
	ByBank        []EvaluationGroup `json:"byBank"`
	ByIndustry    []EvaluationGroup `json:"byIndustry"`
	ByRegion      []EvaluationGroup `json:"byRegion"`
	Covers        []CoverFigures    `json:"covers"`
	From          string            `json:"from"`
	Fund          FundFigures       `json:"fund"`
	Loans         EvaluationGroup   `json:"loans"`
	Pledgee       MSPID             `json:"pledgee,omitempty"`
	QueriedBy     MSPID             `json:"queriedBy"`
	Subsidies     []SubsidyFigures  `json:"subsidies"`
	TermsCoverage TermsCoverage     `json:"termsCoverage"`
	To            string            `json:"to"`
	Valuations    ValuationFigures  `json:"valuations"`
}

// EvaluationGroup is the loans registered in the window of one group (Key: a bank's MSP id, an
// industry's section letter, a prefecture's code, or "all"): how many, their secured amounts per
// currency (of the terms read), how many of them cited a valuation report, are covered by insurance or
// a guarantee, and have defaulted since (their bank declared a default, whatever came after; a pledge
// ended by another pledge's sale without a default of its own is not one).
type EvaluationGroup struct {
	Amounts   []Amount `json:"amounts"`
	Covered   int      `json:"covered"`
	Defaulted int      `json:"defaulted"`
	Key       string   `json:"key"`
	Loans     int      `json:"loans"`
	Valued    int      `json:"valued"`
}

// ValuationFigures set the valuations against what the rights brought when sold (F9): the sales of the
// window (each report and sale once) of exactly the rights a cited report valued (Sales), how many of
// those reports' values the caller's organization read (ValuesRead; F2: the agency, the client bank,
// the IP office and the regulator), the values read and the sales' prices, per currency, of those whose
// value is in the sale's currency; and Recovery, 100 × CNY price ÷ CNY value, when every value of Sales
// was read and in the sale's currency (absent otherwise). PartSales are sales of more rights than a
// cited report valued (a pledge discharged by the sale of a larger package): the price is not the
// report's rights' alone, so they are counted, not compared.
type ValuationFigures struct {
	PartSales  int      `json:"partSales"`
	Price      []Amount `json:"price"`
	Recovery   *float64 `json:"recovery,omitempty"`
	Sales      int      `json:"sales"`
	Value      []Amount `json:"value"`
	ValuesRead int      `json:"valuesRead"`
}

// CoverFigures are one kind of cover's figures in the window (F4, F5): the covers recorded and their
// premiums, the payments made and their amounts, per currency.
type CoverFigures struct {
	Kind     string   `json:"kind"`
	Paid     []Amount `json:"paid"`
	Payments int      `json:"payments"`
	Premiums []Amount `json:"premiums"`
	Recorded int      `json:"recorded"`
}

// FundFigures are the risk-compensation fund's claims decided or paid in the window (F7): approved
// (with the amounts approved), refused, and paid (with the amounts of the claims paid).
type FundFigures struct {
	Approved       int      `json:"approved"`
	ApprovedAmount []Amount `json:"approvedAmount"`
	Paid           int      `json:"paid"`
	PaidAmount     []Amount `json:"paidAmount"`
	Refused        int      `json:"refused"`
}

// SubsidyFigures are one kind of subsidy's figures in the window (F8): approved and paid, with their
// amounts; the loans the approved ones supported (Loans), and how many of those loans are flagged since
// (Flagged: defaulted, released early, revoked or deregistered: the whole-process tracking).
type SubsidyFigures struct {
	Approved       int      `json:"approved"`
	ApprovedAmount []Amount `json:"approvedAmount"`
	Flagged        int      `json:"flagged"`
	Kind           string   `json:"kind"`
	Loans          int      `json:"loans"`
	Paid           int      `json:"paid"`
	PaidAmount     []Amount `json:"paidAmount"`
}
