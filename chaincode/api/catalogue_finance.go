package api

// The operations of the IP-finance record (docs/ip-finance.md), part of [Operations]: the contract
// serves them, the gateway routes them, the OpenAPI document describes them. The members that call
// them are valuation agencies (ValuerMSP), insurers (InsurerMSP) and the fund's manager (FundMSP).
var (
	RecordAccreditation = Op{Name: "RecordAccreditation", Payload: "AccreditationInput", Method: "POST",
		Path: "/v1/accreditations/{msp}", Args: []Arg{path("valuerMSP", "msp"), body},
		Summary: "records, or renews with a new period, a valuation agency's accreditation (F1)"}
	SetAccreditationStatus = Op{Name: "SetAccreditationStatus", Payload: "AccreditationStatusInput", Method: "POST",
		Path: "/v1/accreditations/{msp}/status", Args: []Arg{path("valuerMSP", "msp"), body},
		Summary: "suspends or withdraws an agency's accreditation with a reason, or accredits a suspended agency again (F1)"}
	GetAccreditation = Op{Name: "GetAccreditation", ReadOnly: true, Method: "GET", Path: "/v1/accreditations/{msp}",
		Args: []Arg{path("valuerMSP", "msp")}, Summary: "returns a valuation agency's accreditation (F1)"}
	IssueValuationReport = Op{Name: "IssueValuationReport", Payload: "ValuationReportInput", Method: "POST",
		Path: "/v1/valuations", Creates: true, Args: []Arg{body}, Transient: TransientValuationKey,
		Summary: "issues a valuation report of IP rights for a client bank; its value travels in the transient map (F2)"}
	WithdrawValuationReport = Op{Name: "WithdrawValuationReport", Payload: "Reason", Method: "POST",
		Path: "/v1/valuations/{id}/withdraw", Args: []Arg{path("reportID", "id"), body},
		Summary: "withdraws a valuation report no pledge in force cites (F2)"}
	GetValuationReport = Op{Name: "GetValuationReport", ReadOnly: true, Method: "GET", Path: "/v1/valuations/{id}",
		Args: []Arg{path("reportID", "id")}, Summary: "returns the public record of a valuation report (F2)"}
	// GetValuationValue is answered inside GET /v1/valuations/{id}, to the callers entitled to it.
	GetValuationValue = Op{Name: "GetValuationValue", ReadOnly: true, PrivateTerms: true, Args: []Arg{path("reportID", "id")},
		Summary: "returns a valuation report's value to the agency, the client bank, the IP office and the regulator (F2)"}
	ListValuationReports = Op{Name: "ListValuationReports", ReadOnly: true, Method: "GET", Path: "/v1/valuations",
		Args:    append([]Arg{query("valuer", "valuer"), query("clientBank", "clientBank"), query("assetID", "assetId")}, pageQuery...),
		Summary: "lists the valuation reports of an agency, for a bank, or of an IP right, paginated (F2)"}
)

// FinanceOperations lists the IP-finance record's operations, in the order of the contract's
// documentation.
var FinanceOperations = []Op{
	RecordAccreditation, SetAccreditationStatus, GetAccreditation,
	IssueValuationReport, WithdrawValuationReport, GetValuationReport, GetValuationValue, ListValuationReports,
	RecordCover, RecordCoverPayment, GetCover, ListCovers, GetLoss,
	SetFundRules, GetFundRules, GetFundUsage, FileFundClaim, ApproveFundClaim, RefuseFundClaim, PayFundClaim, GetFundClaim, ListFundClaims,
	ApplyForSubsidy, ApproveSubsidy, RefuseSubsidy, PaySubsidy, GetSubsidy, ListSubsidies,
	GetEvaluation,
}

// GetEvaluation is the regulator's evaluation of the province's IP finance (F9).
var GetEvaluation = Op{Name: "GetEvaluation", ReadOnly: true, PrivateTerms: true, Method: "GET", Path: "/v1/evaluation",
	Args: []Arg{query("from", "from"), query("to", "to")},
	Summary: "returns the evaluation of the IP finance over a window of dates: loans and amounts by bank, industry " +
		"and region, valuations against disposal proceeds, insurance and fund payouts, subsidies and the loans " +
		"they supported with their flags (F9); a bank's of its own loans"}

// The covers (F4, F5).
var (
	RecordCover = Op{Name: "RecordCover", Payload: "CoverInput", Method: "POST", Path: "/v1/covers", Creates: true,
		Args: []Arg{body}, Summary: "records an insurer's insurance or guarantee on a registered pledge's loan (F4)"}
	RecordCoverPayment = Op{Name: "RecordCoverPayment", Payload: "CoverPaymentInput", Method: "POST",
		Path: "/v1/covers/{id}/payment", Args: []Arg{path("coverID", "id"), body},
		Summary: "records what the insurer paid on the bank's loss after default and disposal, within the covered share (F5)"}
	GetCover = Op{Name: "GetCover", ReadOnly: true, Method: "GET", Path: "/v1/covers/{id}", Args: []Arg{path("coverID", "id")},
		Summary: "returns a cover with its payment (F4, F5)"}
	ListCovers = Op{Name: "ListCovers", ReadOnly: true, Method: "GET", Path: "/v1/covers",
		Args:    append([]Arg{query("pledgeID", "pledgeId"), query("insurer", "insurer")}, pageQuery...),
		Summary: "lists the covers of a pledge or of an insurer, paginated (F4)"}
	GetLoss = Op{Name: "GetLoss", ReadOnly: true, Method: "GET", Path: "/v1/pledges/{id}/loss", Args: []Arg{pledgeID},
		Summary: "returns the pledgee's loss on a disposed pledge: claim, proceeds, insurance paid, net (F5)"}
)

// The risk-compensation fund (F6, F7) and the subsidies (F8).
var (
	SetFundRules = Op{Name: "SetFundRules", Payload: "FundRulesInput", Method: "POST", Path: "/v1/fund/rules/{year}",
		Args: []Arg{path("year", "year"), body}, Summary: "records the fund's figures for a year, before its first approval (F6)"}
	GetFundRules = Op{Name: "GetFundRules", ReadOnly: true, Method: "GET", Path: "/v1/fund/rules/{year}",
		Args: []Arg{path("year", "year")}, Summary: "returns the fund's figures for a year (F6)"}
	GetFundUsage = Op{Name: "GetFundUsage", ReadOnly: true, Method: "GET", Path: "/v1/fund/usage/{year}",
		Args:    []Arg{path("year", "year"), query("bank", "bank"), query("enterprise", "enterprise")},
		Summary: "returns what the fund approved in a year, in all, for a bank or for an enterprise (F7, F8)"}
	FileFundClaim = Op{Name: "FileFundClaim", Payload: "FundClaimInput", Method: "POST", Path: "/v1/fund/claims", Creates: true,
		Args: []Arg{body}, Summary: "files the pledgee bank's claim on the fund for its loss on a disposed pledge (F7)"}
	ApproveFundClaim = fundAction("ApproveFundClaim", "claims", "approve", "FundDecisionInput",
		"approves a claim within the fund's caps per loan, bank and year (F7)")
	RefuseFundClaim = fundAction("RefuseFundClaim", "claims", "refuse", "Refusal", "refuses a claim with reasons (F7)")
	PayFundClaim    = fundAction("PayFundClaim", "claims", "pay", "FundPaymentInput", "records the payment of an approved claim (F7)")
	GetFundClaim    = Op{Name: "GetFundClaim", ReadOnly: true, Method: "GET", Path: "/v1/fund/claims/{id}",
		Args: []Arg{path("claimID", "id")}, Summary: "returns a claim on the fund (F7)"}
	ListFundClaims = Op{Name: "ListFundClaims", ReadOnly: true, Method: "GET", Path: "/v1/fund/claims",
		Args:    append([]Arg{query("pledgeID", "pledgeId"), query("status", "status")}, pageQuery...),
		Summary: "lists the claims on the fund of a pledge or in a status, paginated (F7)"}
	ApplyForSubsidy = Op{Name: "ApplyForSubsidy", Payload: "SubsidyInput", Method: "POST", Path: "/v1/fund/subsidies", Creates: true,
		Args: []Arg{body}, Summary: "applies for a loan-interest, premium or valuation-fee subsidy on a registered pledge (F8)"}
	ApproveSubsidy = fundAction("ApproveSubsidy", "subsidies", "approve", "FundDecisionInput",
		"approves a subsidy within the enterprise's cap for the year (F8)")
	RefuseSubsidy = fundAction("RefuseSubsidy", "subsidies", "refuse", "Refusal", "refuses a subsidy with reasons (F8)")
	PaySubsidy    = fundAction("PaySubsidy", "subsidies", "pay", "FundPaymentInput", "records the payment of an approved subsidy (F8)")
	GetSubsidy    = Op{Name: "GetSubsidy", ReadOnly: true, Method: "GET", Path: "/v1/fund/subsidies/{id}",
		Args: []Arg{path("subsidyID", "id")}, Summary: "returns a subsidy with the flags of its loan (F8)"}
	ListSubsidies = Op{Name: "ListSubsidies", ReadOnly: true, Method: "GET", Path: "/v1/fund/subsidies",
		Args:    append([]Arg{query("pledgeID", "pledgeId"), query("status", "status")}, pageQuery...),
		Summary: "lists the subsidies of a pledge or in a status, with their loans' flags, paginated (F8)"}
)

// fundAction is the fund manager's decision on a claim or a subsidy (F7, F8).
func fundAction(name, what, verb, payload, summary string) Op {
	return Op{Name: name, Method: "POST", Path: "/v1/fund/" + what + "/{id}/" + verb, Payload: payload,
		Args: []Arg{path("id", "id"), body}, Summary: summary}
}
