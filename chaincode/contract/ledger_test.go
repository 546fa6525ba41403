package contract

import (
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
)

// TestI1_KeyPolicyIsWrittenOnlyWhenItChanges: a key keeps its state-based policy; writing the same
// policy again would make every later transaction of the same block that writes the key fail as an
// endorsement-policy failure instead of a read conflict.
func TestI1_KeyPolicyIsWrittenOnlyWhenItChanges(t *testing.T) {
	w := newWorld()
	first := w.stub(nil, nil, "RegisterAsset")
	if err := (stubLedger{stub: first}).SetEndorsement("asset\x00A1\x00", api.RightEndorsement); err != nil {
		t.Fatal(err)
	}
	if len(first.pols) != 1 {
		t.Fatalf("a new key got %d policies, want 1", len(first.pols))
	}
	first.commit()

	again := w.stub(nil, nil, "UpdateAsset")
	if err := (stubLedger{stub: again}).SetEndorsement("asset\x00A1\x00", api.RightEndorsement); err != nil {
		t.Fatal(err)
	}
	if len(again.pols) != 0 {
		t.Errorf("the unchanged policy was written again")
	}
	other := w.stub(nil, nil, "RegisterPledge")
	if err := (stubLedger{stub: other}).SetEndorsement("asset\x00A1\x00", api.PledgeEndorsement(api.MSPBank1)); err != nil {
		t.Fatal(err)
	}
	if len(other.pols) != 1 {
		t.Errorf("a changed policy was not written")
	}
}
