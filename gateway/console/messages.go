package console

// Messages says, in a clerk's words, what an error of the API means. The keys are the error codes of
// the API's error JSON (docs/api.md): the generic ones, every rule id, and "<rule>/<reason>" for the
// reason a refusal names in its details. The console shows the words first, then the rule id and the
// API's own message: the chaincode stays the authority, the console only explains.
var Messages = map[string]string{
	"MALFORMED":           "The request could not be read. Please reload the page and try again.",
	"UNAUTHENTICATED":     "This API key is not known at this gateway. Sign in again with a valid key.",
	"FORBIDDEN":           "Your organization or role may not do this.",
	"NOT_FOUND":           "There is no such record on the ledger.",
	"INVALID_ARGUMENT":    "A field is not filled in correctly.",
	"PAYLOAD_TOO_LARGE":   "The application is too large.",
	"METHOD_NOT_ALLOWED":  "This action is not available here.",
	"MVCC_READ_CONFLICT":  "Someone else changed the same record at the same moment. Please try again.",
	"TRANSACTION_INVALID": "The ledger did not accept the change. Please try again.",
	"UNAVAILABLE":         "The ledger cannot be reached right now. Please try again in a minute.",
	"COMMIT_TIMEOUT":      "The change was sent but is not confirmed yet. Look it up by its transaction id before trying again.",
	"INTERNAL":            "Something went wrong in the gateway. Please tell the operator.",
	"BEFORE_SNAPSHOT":     "This organization's ledger copy starts later than this record: another member's gateway can prove it.",
	"CLOCK_SKEW":          "The gateway's clock and the ledger's differ by more than five minutes. Please tell the operator.",
	"NETWORK":             "The gateway did not answer. Check your connection and try again.",

	"A1": "Only the IP office registers IP rights and changes their owners or legal status.",
	"A2": "The IP right's data is incomplete or inconsistent.",
	"A3": "The register is public to members only.",
	"P1": "Every registered owner of the IP right must be a pledgor, and every pledgor a registered owner.",
	"P2": "The application is incomplete.",
	"P3": "Only the IP office decides on an application, and only while it is waiting for examination.",
	"P4": "This IP right cannot be pledged now.",
	"P5": "A patent can carry only one active pledge, and it already has one.",
	"P6": "Only the pledgee bank may file a change or extension of this pledge, or release it, and only while it is registered; a change takes effect when the IP office records it, one at a time, and a new amount needs the supplementary contract.",
	"P7": "A pledged right can be transferred only with the pledgee bank's recorded consent.",
	"P8": "Disposal is possible only after a recorded default, through the exchange.",
	"P9": "The examination time limit applies.",
	"T1": "The transfer request is incomplete or not in a state that allows this.",
	"T2": "The right cannot be transferred now: it is frozen, disputed, or pledged without the bank's consent.",
	"T3": "Another transfer of the same right was recorded since this one was requested.",
	"L1": "The licence cannot be recorded on this right as it stands (not in force, or a term outside the right's life).",
	"L2": "An exclusive or sole licence already covers this term and territory.",
	"L3": "The licence's termination cannot be recorded.",
	"L4": "The licences of the right are shown on its statement.",
	"V1": "This record is not visible to your organization.",
	"V2": "The loan terms are private to the pledgee bank, the IP office and the regulator.",
	"V3": "The regulator reads everything but does not change records.",
	"I1": "This change needs the endorsement of another organization.",
	"I2": "The change could not be recorded in the history.",
	"I3": "This request was already made with different content.",
	"S1": "A party is searched by its unified social credit code or by two or more characters of its name.",
	"S2": "The search extract lists every record of the party, or none.",

	"P1/owner-missing":        "A registered owner of the IP right is not among the pledgors.",
	"P1/not-owner":            "A pledgor is not a registered owner of the IP right.",
	"P1/no-terms-collection":  "Your bank cannot file pledges yet: the chaincode definition does not have its private collection. Please tell the operator.",
	"P4/not-valid":            "The IP right is not in force (lapsed, invalidated, expired or revoked).",
	"P4/fees-unpaid":          "The patent's annual fees have not been paid.",
	"P4/frozen":               "A court has frozen the IP right.",
	"P4/disputed":             "The ownership of the IP right is disputed.",
	"P4/term-after-expiry":    "The loan runs past the day the IP right expires.",
	"P4/invalidation-pending": "An invalidation request is pending; the parties must acknowledge the risk.",
	"P4/similar-marks-missing": "The owner's identical or similar trademarks in the same class must be " +
		"pledged together.",
	"P5/patent-already-pledged":     "A patent can carry only one active pledge, and it already has one.",
	"L1/not-valid":                  "The IP right is not in force: it cannot be licensed.",
	"L1/term-outside-right":         "The licence term must lie between the right's grant and its expiry.",
	"L1/term-ended":                 "The licence term has already ended.",
	"L2/exclusive-license-overlaps": "An exclusive or sole licence already covers part of this term and territory.",
	"L2/exclusive-license-in-force": "An exclusive or sole licence covers this term and territory: no other licence may be granted.",
	"L3/already-terminated":         "The licence is already terminated.",
	"L3/after-term-end":             "The licence term ended before that date: the licence has expired.",
	"S2/too-many-records": "The party has more records than one extract lists (1000): search its " +
		"rights and pledges page by page instead.",
}

// RefusalReasons are the reason codes the IP office's refusal form offers, with their words: the P4
// reasons the chaincode names, and a free "other" for what the note explains.
var RefusalReasons = []struct{ Code, Label string }{
	{"P1-owner-missing", "An owner is not among the pledgors"},
	{"P1-not-owner", "A pledgor is not an owner"},
	{"P4-not-valid", "The right is not in force"},
	{"P4-fees-unpaid", "Patent fees unpaid"},
	{"P4-frozen", "Frozen by a court"},
	{"P4-disputed", "Ownership disputed"},
	{"P4-term-after-expiry", "Loan runs past expiry"},
	{"P4-invalidation-pending", "Invalidation pending"},
	{"P5-patent-already-pledged", "Patent already pledged"},
	{"P2-incomplete", "Documents incomplete"},
	{"other", "Other (see note)"},
}
