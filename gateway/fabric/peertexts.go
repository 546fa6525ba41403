package fabric

import "regexp"

// PeerText is a text of the peer's that the adapter has to recognise because neither the gRPC status
// code nor fabric-gateway's error types (EndorseError, SubmitError, CommitStatusError) carry its
// meaning. Every entry of [PeerTexts] is provoked from a real peer by an integration test (Test names
// it), so that a Fabric upgrade that rewords it fails that test instead of silently changing what the
// gateway answers.
type PeerText struct {
	Pattern *regexp.Regexp
	// Test is the integration test that proves the pattern against a real peer.
	Test string
}

// In says whether msg holds the text.
func (p PeerText) In(msg string) bool { return p.Pattern.MatchString(msg) }

var (
	// CollectFailed: the gateway peer could not gather every named organization's endorsement
	// (status Aborted, like a refusal by the first endorser, which says "failed to endorse").
	CollectFailed = PeerText{regexp.MustCompile(`failed to collect enough transaction endorsements`),
		"gateway/fabric TestPeerText_CollectFailed"}
	// ChaincodeUnreachable: a peer could not reach its chaincode server (a per-peer detail of an
	// Aborted status, as any chaincode error is).
	ChaincodeUnreachable = PeerText{
		regexp.MustCompile(`(?s)could not launch chaincode|chaincode.*(connection refused|cannot create connection)|(connection refused|cannot create connection).*chaincode`),
		"network/faulttest TestFault_ChaincodeServerKilled"}
	// NoSuchTransaction: qscc has no transaction with this id (status Unknown, as every qscc error).
	NoSuchTransaction = PeerText{regexp.MustCompile(`no such transaction ID`),
		"gateway/fabric TestPeerText_NoSuchTransaction"}
	// BeforeSnapshot: the peer joined the channel from a snapshot and has no block before it (qscc,
	// blkstorage's "details for the TXID [...] not available"); the first group is its first block.
	BeforeSnapshot = PeerText{regexp.MustCompile(`Ledger bootstrapped from a snapshot\. First available block = \[(\d+)\]`),
		"network/netctl TestRejoin_FromGenesisAndBySnapshot"}
)

// PeerTexts lists every text of the peer's that the adapter matches; nothing else is matched as text.
var PeerTexts = []PeerText{CollectFailed, ChaincodeUnreachable, NoSuchTransaction, BeforeSnapshot}
