package netctl

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The field names are the file format: a state.json with a package id per organization loads.
func TestLoadState_ReadsTheFileFormat(t *testing.T) {
	n := &Network{Dir: t.TempDir()}
	raw := `{"enrolled":true,"genesis":true,"orderersJoined":true,"peersJoined":false,"packageIds":{"bank1":"ipledger_1.0:ab","ipoffice":"ipledger_1.0:cd"},"chaincodeCommitted":false}`
	if err := os.WriteFile(n.stateFile(), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := n.loadState()
	if err != nil {
		t.Fatal(err)
	}
	want := state{Enrolled: true, Genesis: true, OrderersJoined: true,
		PackageIDs: map[string]string{"bank1": "ipledger_1.0:ab", "ipoffice": "ipledger_1.0:cd"}}
	if !reflect.DeepEqual(*st, want) {
		t.Errorf("loaded %+v, want %+v", *st, want)
	}
}

// A state.json of the time when one chaincode server served every peer (one "packageId") still
// loads, and up refuses it with what to do rather than running with packages that carry a server key.
func TestUp_RefusesAStateWithOneChaincodeServer(t *testing.T) {
	n := &Network{Top: loadTestTopology(t, 7000), Dir: t.TempDir()}
	raw := `{"enrolled":true,"genesis":true,"orderersJoined":true,"peersJoined":true,"packageId":"ipledger_1.0:ab","chaincodeCommitted":true}`
	if err := os.WriteFile(n.stateFile(), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := n.loadState()
	if err != nil || st.LegacyPackageID != "ipledger_1.0:ab" || len(st.PackageIDs) != 0 {
		t.Fatalf("loaded %+v, %v", st, err)
	}
	if _, err := n.beginUp(); !errors.Is(err, errLegacyState) || !strings.Contains(err.Error(), "down --purge") {
		t.Errorf("up on an old data directory: %v", err)
	}
}

func TestPackaged_NeedsEveryPeerOrganization(t *testing.T) {
	n := &Network{Top: loadTestTopology(t, 7000)}
	st := &state{PackageIDs: map[string]string{}}
	for _, o := range n.Top.PeerOrgs() {
		if n.packaged(st) {
			t.Errorf("packaged before %s has its package", o.Name)
		}
		st.PackageIDs[o.Name] = "ipledger_1.0:" + o.Name
	}
	if !n.packaged(st) {
		t.Error("not packaged with every organization's package id")
	}
}

func TestRunStep_ResumableStepRunsOnceAndIsSaved(t *testing.T) {
	n := &Network{Dir: t.TempDir()}
	st := &state{}
	runs := 0
	s := upStep{name: "genesis", run: func() error { runs++; return nil },
		done: func(st *state) bool { return st.Genesis }, mark: func(st *state) { st.Genesis = true }}
	for range 2 {
		if err := n.runStep(s, st); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 1 {
		t.Errorf("a resumable step ran %d times", runs)
	}
	saved, err := n.loadState()
	if err != nil {
		t.Fatal(err)
	}
	if !saved.Genesis {
		t.Error("the step was not saved as done")
	}
}

func TestRunStep_FailedStepIsNotMarkedAndNamesItself(t *testing.T) {
	n := &Network{Dir: t.TempDir()}
	st := &state{}
	s := upStep{name: "peers joined channel c", run: func() error { return errors.New("boom") },
		done: func(st *state) bool { return st.PeersJoined }, mark: func(st *state) { st.PeersJoined = true }}
	err := n.runStep(s, st)
	if err == nil || !strings.HasPrefix(err.Error(), "peers joined channel c: ") {
		t.Fatalf("error %v does not name the step", err)
	}
	if st.PeersJoined {
		t.Error("a failed step was marked done")
	}
	if _, err := os.Stat(n.stateFile()); err == nil {
		t.Error("state saved after a failed step")
	}
}

func TestRunStep_StepWithoutDoneRunsEveryTimeAndSavesNothing(t *testing.T) {
	n := &Network{Dir: t.TempDir()}
	st := &state{Enrolled: true}
	runs := 0
	s := upStep{name: "certificate authorities started", run: func() error { runs++; return nil }}
	for range 2 {
		if err := n.runStep(s, st); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 2 {
		t.Errorf("an always-run step ran %d times in two ups", runs)
	}
	if _, err := os.Stat(n.stateFile()); err == nil {
		t.Error("state saved by a step without done")
	}
}

// The order of up: one-time steps between the steps that run on every up, as before the table.
func TestUpSteps_Order(t *testing.T) {
	t.Setenv("IPLEDGER_NO_GATEWAY", "1")
	n := &Network{Top: loadTestTopology(t, 7000), Dir: t.TempDir()}
	var got []string
	for _, s := range n.upSteps(&upRun{st: &state{}}) {
		name := s.name
		if name == "" {
			name = "-"
		}
		if s.done != nil {
			name += " (once)"
		}
		got = append(got, name)
	}
	want := []string{
		"certificate authorities started",
		"identities enrolled (no cryptogen) (once)",
		"channel genesis block made (once)",
		"-",
		"orderers and peers started",
		"orderers joined channel " + n.Top.Channel + " (once)",
		"peers joined channel " + n.Top.Channel + " (once)",
		"- (once)",
		"chaincode program is the committed one (or none is)",
		"chaincode servers started, one per organization",
		"chaincode installed, approved by all, committed (once)",
		"-",
		"ready: every peer reaches every org; a submit committed",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// An orderer's own host: no step about peers, chaincode or gateways; its last named step joins its
	// orderer to the channel, then its description (system.json, for status) is written.
	if err := n.Scope(&Scope{Org: "orderer", Orderers: []string{"orderer3"}, RemoteCA: true}); err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, s := range n.upSteps(&upRun{st: &state{}}) {
		if s.peers {
			t.Errorf("an orderer host runs %q", s.name)
		}
		if s.name != "" {
			named = append(named, s.name)
		}
	}
	if last := named[len(named)-1]; last != "orderers joined channel "+n.Top.Channel {
		t.Errorf("an orderer host's last step is %q", last)
	}
}

// A one-machine network made before the topology named the IP-finance members is not brought up as if
// it had them (its enrolment, genesis block and chaincode definition are done and would not be made
// again): up names the members it lacks and says what to do. Made with every member, it goes on.
func TestUp_RefusesATopologyWithMembersTheNetworkWasNotMadeWith(t *testing.T) {
	n := &Network{Top: loadTestTopology(t, 7000), Dir: t.TempDir()}
	if err := n.saveState(&state{Enrolled: true, Genesis: true}); err != nil {
		t.Fatal(err)
	}
	for _, o := range n.Top.Organizations {
		if o.MSPID != "ValuerMSP" && o.MSPID != "FundMSP" {
			if err := os.MkdirAll(n.orgDir(o), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, err := n.beginUp()
	if err == nil || !strings.Contains(err.Error(), "ValuerMSP, FundMSP") || !strings.Contains(err.Error(), "down --purge") ||
		strings.Contains(err.Error(), "InsurerMSP") {
		t.Fatalf("up on a network made without two members: %v", err)
	}
	for _, msp := range []string{"ValuerMSP", "FundMSP"} {
		if err := os.MkdirAll(n.orgDir(n.Top.Org(msp)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.checkMadeWith(&state{Enrolled: true}); err != nil {
		t.Fatalf("made with every member: %v", err)
	}
}
