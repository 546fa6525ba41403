package api

import "encoding/json"

// Op is one chaincode transaction as every part of IPLedger knows it: the contract publishes its
// read-only ones, the gateway routes and endorses by it, the tests and the benchmark call it by Name.
type Op struct {
	// Name is the chaincode transaction's name.
	Name string
	// Summary says in one line what it does, with the rules it applies.
	Summary string
	// ReadOnly: the transaction is evaluated, never submitted; it writes nothing.
	ReadOnly bool
	// Anyone: it admits any caller and reads nothing, not even the transaction or its creator, so the
	// contract answers without building the rules of a transaction (readiness checks).
	Anyone bool
	// PrivateTerms: a submission carries private terms in the transient map under
	// [TransientTermsKey]; a query answers with them.
	PrivateTerms bool
	// Method and Path are the HTTP route that serves it (OpenAPI path syntax, e.g.
	// "/v1/pledges/{id}/register"); "" when no route serves it alone. Several list transactions may
	// share a route; GetPledgeTerms is answered inside GET /v1/pledges/{id}.
	Method, Path string
	// Payload names the api type of the JSON payload argument, if any.
	Payload string
	// Creates: a submission makes a new record, whose id is the result's "id", found under Path + "/".
	Creates bool
	// Transient names the field of a submission's JSON body that travels in the transient map under
	// the same key, never in its arguments or its block: [TransientValuationKey] for
	// IssueValuationReport. An operation with PrivateTerms carries "terms" ([Op.TransientField]).
	Transient string
	// Args are the chaincode arguments, in order; a submission's request id (rule I3) comes first and
	// is not listed.
	Args []Arg
}

// TransientField is the field of a submission's body that travels in the transient map: Transient,
// or [TransientTermsKey] for a submission with private terms; "" for none.
func (o Op) TransientField() string {
	if o.Transient == "" && o.PrivateTerms && !o.ReadOnly {
		return TransientTermsKey
	}
	return o.Transient
}

// Arg is one chaincode argument and where the HTTP request carries it.
type Arg struct {
	// Name is the argument's name in the contract.
	Name string
	// In says where the HTTP route carries it; Param is its name there.
	In    ArgIn
	Param string
	// Int: the argument is an integer (a page size); absent or not a number, it is 0.
	Int bool
	// Optional: an argument added to a deployed operation, after all the others. During an upgrade a
	// caller of the older rules (a gateway) sends the arguments without it: the contract gives it ""
	// ([Op.Padded]). A chaincode of the older rules ignores it when it is sent (fabric-contract-api-go
	// reads as many arguments as the function takes), so an answer names each optional argument it
	// applied under its Param: the gateway refuses an answer that does not ([Op.Unapplied]).
	Optional bool
}

// ArgIn is where an HTTP request carries an argument.
type ArgIn int

// Places of an argument.
const (
	InPath  ArgIn = iota // a path parameter
	InQuery              // a query parameter
	InBody               // the JSON body: the payload
)

func path(name, param string) Arg  { return Arg{Name: name, In: InPath, Param: param} }
func query(name, param string) Arg { return Arg{Name: name, In: InQuery, Param: param} }

// optional is a query argument added to a deployed operation (Arg.Optional).
func optional(name, param string) Arg {
	return Arg{Name: name, In: InQuery, Param: param, Optional: true}
}

// Padded is args with the optional arguments a caller left out given "" (what an absent query
// parameter is): a caller of older rules sends the operation's arguments without the optional ones
// added since. Any other count is returned as it is (and refused by the contract API).
func (o Op) Padded(args []string) []string {
	if len(args) >= len(o.Args) {
		return args
	}
	out := append(make([]string, 0, len(o.Args)), args...)
	for _, a := range o.Args[len(args):] {
		if !a.Optional {
			return args
		}
		v := ""
		if a.Int {
			v = "0"
		}
		out = append(out, v)
	}
	return out
}

// Unapplied names the first optional argument given (not "") in args that the answer does not state
// under its Param with the same value: a chaincode of older rules, which ignored it. "" when the
// answer states every one given (or is not a JSON object: the caller's own decoding fails then).
func (o Op) Unapplied(args []string, answer []byte) string {
	var doc map[string]json.RawMessage
	for i, a := range o.Args {
		if !a.Optional || i >= len(args) || args[i] == "" {
			continue
		}
		if doc == nil {
			if json.Unmarshal(answer, &doc) != nil {
				return ""
			}
		}
		var v string
		if json.Unmarshal(doc[a.Param], &v) != nil || v != args[i] {
			return a.Param
		}
	}
	return ""
}

var (
	body      = Arg{Name: "payload", In: InBody}
	pageSize  = Arg{Name: "pageSize", In: InQuery, Param: "pageSize", Int: true}
	bookmark  = query("bookmark", "bookmark")
	assetID   = path("assetID", "id")
	pledgeID  = path("pledgeID", "id")
	transfer  = path("transferID", "id")
	pageQuery = []Arg{pageSize, bookmark}
)

// The catalogue. Every chaincode transaction is here, and nothing else is one.
var (
	Ping = Op{Name: "Ping", ReadOnly: true, Anyone: true,
		Summary: "returns the chaincode version; reads nothing and admits any caller: readiness checks use it"}
	// PlanSubmission is evaluated by the gateway before every submission; no HTTP route serves it.
	PlanSubmission = Op{Name: "PlanSubmission", ReadOnly: true, Args: []Arg{{Name: "function"}, {Name: "args"}},
		Summary: "dry-runs a submission (its request id first in the JSON array args) and answers a Plan: " +
			"the organizations whose endorsement its writes need, or the decision of a repeated request (I1, I3)"}

	RegisterAsset = Op{Name: "RegisterAsset", Payload: "AssetInput", Method: "POST", Path: "/v1/assets", Creates: true, Args: []Arg{body},
		Summary: "registers an IP right (A1, A2)"}
	ImportAssets = Op{Name: "ImportAssets", Payload: "ImportInput", Args: []Arg{body},
		Summary: "registers a batch of up to MaxImportAssets IP rights in one transaction (A1, A2)"}
	UpdateAsset = Op{Name: "UpdateAsset", Payload: "AssetPatch", Method: "PATCH", Path: "/v1/assets/{id}", Args: []Arg{assetID, body},
		Summary: "changes an IP right's legal status, fees, dispute or invalidation flag, expiry, title or mark family (A1)"}
	RecordFreeze = Op{Name: "RecordFreeze", Payload: "FreezeInput", Method: "POST", Path: "/v1/assets/{id}/freezes",
		Args:    []Arg{assetID, body},
		Summary: "records a court's freeze of an IP right: in effect, or waiting behind earlier ones in order of arrival (C1)"}
	LiftFreeze = Op{Name: "LiftFreeze", Payload: "LiftInput", Method: "POST", Path: "/v1/assets/{id}/freezes/{n}/lift",
		Args:    []Arg{assetID, path("n", "n"), body},
		Summary: "lifts a court's freeze; when it was in effect, the first waiting one takes effect now (C2)"}
	GetAsset = Op{Name: "GetAsset", ReadOnly: true, Method: "GET", Path: "/v1/assets/{id}", Args: []Arg{assetID},
		Summary: "returns an IP right with its active encumbrances (A3)"}
	FindAssetsByNumber = Op{Name: "FindAssetsByNumber", ReadOnly: true, Method: "GET", Path: "/v1/assets",
		Args: []Arg{query("number", "number")}, Summary: "finds the IP rights with an official number (A3)"}
	GetAssetHistory = Op{Name: "GetAssetHistory", ReadOnly: true, Method: "GET", Path: "/v1/assets/{id}/history",
		Args: []Arg{assetID}, Summary: "returns every version of an IP right with tx id, time, MSP and submitter (I2)"}
	GetStatement = Op{Name: "GetStatement", ReadOnly: true, Method: "GET", Path: "/v1/verify/{assetId}",
		Args: []Arg{path("assetID", "assetId")}, Summary: "returns the title-and-encumbrance statement of an IP right"}

	ApplyPledge = Op{Name: "ApplyPledge", Payload: "PledgeApplication", Method: "POST", Path: "/v1/pledges", Creates: true, PrivateTerms: true,
		Args: []Arg{body}, Summary: "files a pledge application (P1, P2, P4, P5)"}
	RegisterPledge = pledgeAction("RegisterPledge", "register", "Registration", "registers an applied pledge (P3)")
	RefusePledge   = pledgeAction("RefusePledge", "refuse", "Refusal", "refuses an applied pledge (P3)")
	RevokePledge   = pledgeAction("RevokePledge", "revoke", "Reason", "revokes an improper registration (P6)")
	AmendPledge    = withTerms(pledgeAction("AmendPledge", "amend", "Amendment",
		"files a change of names, debt kind, contract or private terms, in force once recorded (P6)"))
	ExtendPledge = pledgeAction("ExtendPledge", "extend", "Extension",
		"files an extension of the debt term, in force once recorded (P6)")
	RecordPledgeChange = changeAction("RecordPledgeChange", "record", "",
		"records a filed change or extension: it takes effect now (P6)")
	RefusePledgeChange = changeAction("RefusePledgeChange", "refuse", "Refusal",
		"refuses a filed change or extension: the pledge stays as it was (P6)")
	ReleasePledge = pledgeAction("ReleasePledge", "release", "Reason", "releases a pledge (P6)")
	// DeregisterPledge is the IP office's deregistration (注销登记) of a pledge on the pledgor's request
	// or a court's or arbitration body's decision (P13).
	DeregisterPledge = pledgeAction("DeregisterPledge", "deregister", "Deregistration",
		"deregisters a pledge on the pledgor's request with the pledgee's release document, or on a judgment or arbitral award (P13)")
	DeclareDefault = pledgeAction("DeclareDefault", "default", "DefaultInput",
		"records the debtor's default and the outstanding secured claim (P8)")
	StateClaim = pledgeAction("StateClaim", "claim", "ClaimInput",
		"states the outstanding secured claim of an active pledge, to be paid from a disposal (P8)")
	DisposePledge = pledgeAction("DisposePledge", "dispose", "DisposalInput",
		"records the disposal of a defaulted pledge (P8)")
	GetPledge = Op{Name: "GetPledge", ReadOnly: true, Method: "GET", Path: "/v1/pledges/{id}", Args: []Arg{pledgeID},
		Summary: "returns the public record of a pledge (V1)"}
	GetPledgeTerms = Op{Name: "GetPledgeTerms", ReadOnly: true, PrivateTerms: true, Args: []Arg{pledgeID},
		Summary: "returns the private terms to an entitled caller (V2)"}
	GetPledgeHistory = Op{Name: "GetPledgeHistory", ReadOnly: true, Method: "GET", Path: "/v1/pledges/{id}/history",
		Args: []Arg{pledgeID}, Summary: "returns every version of a pledge's public record (I2)"}
	ListPledgesByAsset = pledgeList("ListPledgesByAsset", query("assetID", "assetId"),
		"lists the pledges on an IP right, paginated")
	ListPledgesByPledgee = pledgeList("ListPledgesByPledgee", query("pledgeeMSP", "pledgee"),
		"lists a bank's pledges, paginated")
	ListPledgesByStatus = pledgeList("ListPledgesByStatus", query("status", "status"),
		"lists the pledges in a status, paginated")
	ListOverdueExaminations = pledgeList("ListOverdueExaminations", query("asOf", "asOf"), // HTTP: overdue=true
		"lists the applications overdue for examination (P9) at an instant, now by default, paginated")

	RequestTransfer = Op{Name: "RequestTransfer", Payload: "TransferRequest", Method: "POST", Path: "/v1/transfers", Creates: true,
		Args: []Arg{body}, Summary: "requests a transfer or licence of an IP right, or a court-ordered transfer (T1, C3)"}
	ConsentToTransfer = transferAction("ConsentToTransfer", "consent", "ConsentInput",
		"records a pledgee's consent (P7)")
	RecordTransfer = transferAction("RecordTransfer", "record", "",
		"records a transfer: the title changes (T1, T2, T3, C3)")
	RefuseTransfer = transferAction("RefuseTransfer", "refuse", "Refusal", "refuses a transfer (T1)")
	GetTransfer    = Op{Name: "GetTransfer", ReadOnly: true, Method: "GET", Path: "/v1/transfers/{id}",
		Args: []Arg{transfer}, Summary: "returns a transfer (V1)"}
	GetTransferHistory = Op{Name: "GetTransferHistory", ReadOnly: true, Method: "GET",
		Path: "/v1/transfers/{id}/history", Args: []Arg{transfer},
		Summary: "returns every version of a transfer (I2)"}
	TerminateLicense = Op{Name: "TerminateLicense", Payload: "TerminationInput", Method: "POST",
		Path: "/v1/assets/{id}/licenses/{transferId}/terminate", Args: []Arg{assetID, path("transferID", "transferId"), body},
		Summary: "records the early termination of a licence, named by the transfer that recorded it (L3)"}
	SearchParties = Op{Name: "SearchParties", ReadOnly: true, Method: "GET", Path: "/v1/parties",
		Args:    append([]Arg{query("id", "id"), query("name", "name")}, pageQuery...),
		Summary: "finds parties by unified social credit code or part of a name, with the rights they own and the pledges they gave, paginated (S1)"}
	GetParty = Op{Name: "GetParty", ReadOnly: true, Method: "GET", Path: "/v1/parties/{id}",
		Args:    append([]Arg{path("partyID", "id")}, pageQuery...),
		Summary: "returns a party's rights and the pledges it gave, paginated (S1)"}
	GetPartyExtract = Op{Name: "GetPartyExtract", ReadOnly: true, Method: "GET", Path: "/v1/parties/{id}/extract",
		Args:    []Arg{path("partyID", "id")},
		Summary: "returns the search extract of a party: every right it owns and every pledge it gave, as of now (S2)"}

	// GetStatistics is sealed to the caller's key like GetPledgeTerms: its amounts are sums of private
	// terms, which a submitted query would otherwise write into a block every member reads.
	GetStatistics = Op{Name: "GetStatistics", ReadOnly: true, PrivateTerms: true, Method: "GET", Path: "/v1/statistics",
		Args: []Arg{query("from", "from"), query("to", "to"), query("interval", "interval"),
			optional("pledgee", "pledgee"), optional("kind", "kind")},
		Summary: "returns the regulator's statistics of the pledges over a window of dates, by month, quarter or year: " +
			"registrations, releases, refusals, revocations, times to decision, defaults and disposals, amounts secured " +
			"by bank and kind of right (of the terms the caller's organization holds), concentration; " +
			"of one pledgee bank's pledges, or one kind of right's, when asked"}
	// ListStateKeys and GetStateDigests let a checker compare a read model with the chaincode's state.
	ListStateKeys = Op{Name: "ListStateKeys", ReadOnly: true, Args: []Arg{{Name: "family"}, pageSize, bookmark},
		Summary: "lists one page of the keys of one family of the public state (or the simple keys), with the SHA-256 of each value"}
	GetStateDigests = Op{Name: "GetStateDigests", ReadOnly: true, Args: []Arg{{Name: "keys"}, {Name: "collections"}},
		Summary: "returns the SHA-256 of the public value of given keys and the hash of their private values in the collections named"}

	ListTransfers = Op{Name: "ListTransfers", ReadOnly: true, Method: "GET", Path: "/v1/transfers",
		Args: append(append([]Arg{query("assetID", "assetId"), query("status", "status"),
			query("requestedBy", "requestedBy")}, pageQuery...), optional("kind", "kind"), optional("consentOf", "consentOf")),
		Summary: "lists transfers by IP right, status, requesting organization, kind, and the bank whose consent they wait for (P7), " +
			"in id order, paginated (T1)"}
)

func pledgeAction(name, verb, payload string, summary string) Op {
	return Op{Name: name, Method: "POST", Path: "/v1/pledges/{id}/" + verb, Payload: payload,
		Args: []Arg{pledgeID, body}, Summary: summary}
}

// changeAction is the IP office's decision on a change filed on a pledge (P6).
func changeAction(name, verb, payload, summary string) Op {
	return Op{Name: name, Method: "POST", Path: "/v1/pledges/{id}/changes/{changeId}/" + verb, Payload: payload,
		Args: []Arg{pledgeID, path("changeID", "changeId"), body}, Summary: summary}
}

func withTerms(o Op) Op { o.PrivateTerms = true; return o }

func transferAction(name, verb, payload string, summary string) Op {
	return Op{Name: name, Method: "POST", Path: "/v1/transfers/{id}/" + verb, Payload: payload,
		Args: []Arg{transfer, body}, Summary: summary}
}

func pledgeList(name string, by Arg, summary string) Op {
	return Op{Name: name, ReadOnly: true, Method: "GET", Path: "/v1/pledges",
		Args: append([]Arg{by}, pageQuery...), Summary: summary}
}

// Operations lists the catalogue, in the order of the contract's documentation: the register's
// operations, then the IP-finance record's ([FinanceOperations]).
var Operations = append([]Op{
	Ping, PlanSubmission,
	RegisterAsset, ImportAssets, UpdateAsset, RecordFreeze, LiftFreeze, GetAsset, FindAssetsByNumber, GetAssetHistory, GetStatement,
	ApplyPledge, RegisterPledge, RefusePledge, RevokePledge, AmendPledge, ExtendPledge, RecordPledgeChange,
	RefusePledgeChange, ReleasePledge, DeregisterPledge, DeclareDefault, StateClaim, DisposePledge, GetPledge, GetPledgeTerms, GetPledgeHistory,
	ListPledgesByAsset, ListPledgesByPledgee, ListPledgesByStatus, ListOverdueExaminations,
	RequestTransfer, ConsentToTransfer, RecordTransfer, RefuseTransfer, GetTransfer, GetTransferHistory,
	ListTransfers, TerminateLicense,
	SearchParties, GetParty, GetPartyExtract,
	GetStatistics, ListStateKeys, GetStateDigests,
}, FinanceOperations...)

// ReadOnlyNames lists the names of the read-only transactions.
func ReadOnlyNames() []string {
	var out []string
	for _, o := range Operations {
		if o.ReadOnly {
			out = append(out, o.Name)
		}
	}
	return out
}
