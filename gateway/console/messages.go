package console

// The words for the API's errors are in the catalogues, under "error.<code>": the generic codes of the
// API's error JSON (docs/api.md), every rule id, and "error.<rule>/<reason>" for the reason a refusal
// names in its details ("error.P4/fees-unpaid"). The console shows the words first, then the rule id
// and the API's own message: the chaincode stays the authority, the console only explains.

// ErrorCodes are the error codes the console has words for beside the rule ids: the API's, and NETWORK
// (the gateway did not answer at all).
var ErrorCodes = []string{
	"MALFORMED", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "INVALID_ARGUMENT", "PAYLOAD_TOO_LARGE",
	"METHOD_NOT_ALLOWED", "MVCC_READ_CONFLICT", "TRANSACTION_INVALID", "UNAVAILABLE", "COMMIT_TIMEOUT",
	"INTERNAL", "BEFORE_SNAPSHOT", "RATE_LIMITED", "CLOCK_SKEW", "NETWORK",
}

// RefusalReasons are the reason codes the IP office's refusal form offers (their words are
// "refusal.<code>"): the P4 reasons the chaincode names, and a free "other" for what the note explains.
var RefusalReasons = []string{
	"P1-owner-missing", "P1-not-owner", "P4-not-valid", "P4-fees-unpaid", "P4-frozen", "P4-disputed",
	"P4-term-after-expiry", "P4-invalidation-pending", "P5-patent-already-pledged", "P2-incomplete", "other",
}
