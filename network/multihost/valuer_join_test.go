//go:build integration

package multihost

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/netctl"
)

// TestValuationAgencyJoinsRunningConsortium: a valuation agency (ValuerMSP, of kind valuer) joins the
// running consortium of the founding organizations from a host of its own, by the procedure a bank
// follows (docs/operations.md, "A bank joins a running consortium"): every host takes the new plan,
// the agency's host makes its definition, a member proposes the update adding it and a majority signs;
// the agency's `org up` joins its peer from the genesis block and approves the next chaincode
// definition, which the plan gives its valuation collection with each bank
// (valuation-ValuerMSP-Bank1MSP, -Bank2MSP), with three members, a majority of six. Then the IP office
// accredits it (F1), it issues a report for Bank1 (F2), and Bank1's gateway shows the report's value
// verified while Bank2's shows the public record alone.
func TestValuationAgencyJoinsRunningConsortium(t *testing.T) {
	c := bootstrap(t, "valuer")
	right := c.newRightAck(t)

	began := time.Now()
	plan, _ := c.writePlan(t, "topology-with-valuer.yaml", func(top *netctl.Topology) {
		top.Organizations = append(top.Organizations, c.hostOrg(top, "valuer", "ValuerMSP", netctl.OrgKindValuer, 100,
			[]netctl.UserSpec{{Name: "admin", Role: "admin"}, {Name: "appraiser1", Role: string(api.RoleValuer)}}))
	})
	members := slices.Concat(ordererHosts, peerOrgs)
	c.must(t, members, func(h string) []string { return []string{"org", "plan", c.carry(t, plan, h) + "@" + fileSum(t, plan)} })
	c.topology = plan
	if _, err := c.netctl(t, "valuer", "org", "init", "--org", "valuer"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ipledger.block", "orderer.org.json"} {
		if _, err := c.netctl(t, "valuer", "org", "import", c.send(t, "orderer1", f, "valuer")); err != nil {
			t.Fatal(err)
		}
	}
	c.must(t, peerOrgs, func(h string) []string { return []string{"org", "import", c.send(t, "valuer", "valuer.org.json", h)} })
	if _, err := c.netctl(t, "bank1", "channel", "propose", "add-org", c.send(t, "valuer", "valuer.org.json", "bank1")); err != nil {
		t.Fatal(err)
	}
	update := exported(t, c, "bank1", "update-*-add-org-ValuerMSP.pb")
	c.must(t, []string{"bank2", "exchange"}, func(h string) []string { return []string{"channel", "sign", c.send(t, "bank1", update, h)} })
	var sigs []string
	for h, msp := range map[string]string{"bank2": "Bank2MSP", "exchange": "ExchangeMSP"} {
		sigs = append(sigs, c.send(t, h, update+"."+msp+".sig", "bank1"))
	}
	out, err := c.netctl(t, "bank1", "channel", "submit", c.send(t, "bank1", update, "bank1"), "--signatures", strings.Join(sigs, ","))
	if err != nil || !regexp.MustCompile(`committed: config block \d+`).MatchString(out) {
		t.Fatalf("the update adding ValuerMSP: %v\n%s", err, out)
	}

	// The agency's org up approves the next definition, with its collections, while three members
	// define it; the two others approve the committed one.
	var upOut string
	var upErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		upOut, upErr = c.netctl(t, "valuer", "org", "up", "--approval-wait", "5m")
	}()
	c.must(t, []string{"bank1", "ipoffice", "regulator"}, func(string) []string { return []string{"org", "define", "--approval-wait", "5m"} })
	c.must(t, []string{"bank2", "exchange"}, func(string) []string { return []string{"org", "define", "--approval-wait", "5m"} })
	wg.Wait()
	if upErr != nil {
		t.Fatal(upErr)
	}
	if !strings.Contains(upOut, "valuation-ValuerMSP-Bank1MSP") || !strings.Contains(upOut, "approved sequence 2 for ValuerMSP") {
		t.Errorf("the agency's org up did not approve sequence 2 with its collections:\n%s", upOut)
	}
	t.Logf("FIGURE join of a valuation agency: from the new plan to its gateway serving: %v", time.Since(began).Round(100*time.Millisecond))

	// The IP office accredits it; it issues a report for Bank1 of a right registered before it joined.
	acc := c.submit(t, "ipoffice", 200, "POST", "/v1/accreditations/ValuerMSP", map[string]any{"name": "Hubei Zhongxin Assets Appraisal Co.",
		"filingNumber": "HB-PG-LAB", "validFrom": "2025-01-01", "validUntil": "2035-12-31"}, "accreditation", "ValuerMSP")
	c.settle(t, acc, "valuer")
	valued := time.Now().UTC().AddDate(0, 0, -30)
	report := c.submit(t, "valuer", 201, "POST", "/v1/valuations", map[string]any{"assetIds": []string{right.id}, "clientBank": "Bank1MSP",
		"method": "market", "reportNumber": "LAB-" + right.id, "reportHash": strings.Repeat("d", 64),
		"valuationDate": valued.Format(time.DateOnly), "validUntil": valued.AddDate(0, 0, 300).Format(time.DateOnly),
		"valuation": map[string]any{"value": "3000000.00", "currency": "CNY"}}, "valuation", "")
	for _, h := range []string{"bank1", "bank2"} {
		c.settle(t, report, h)
		r := c.as(t, h).Do("GET", "/v1/valuations/"+report.id, nil)
		var got struct {
			ID           string          `json:"id"`
			PrivateValue json.RawMessage `json:"privateValue"`
		}
		if r.Status != 200 || json.Unmarshal(r.Body, &got) != nil || got.ID != report.id {
			t.Fatalf("the report at %s: %s", h, r)
		}
		switch {
		case h == "bank1" && !strings.Contains(string(got.PrivateValue), `"verified":true`):
			t.Errorf("Bank1, the client bank, does not see the value verified: %s", r.Body)
		case h == "bank2" && (len(got.PrivateValue) > 0 || strings.Contains(string(r.Body), "3000000")):
			t.Errorf("Bank2 sees the value: %s", r.Body)
		}
	}
}

// hostOrg is an organization of kind on a host of the lab (name), at port offsets offset … offset+8,
// modelled on bank2 of the plan: with bank2's kind and users unless kind and users are given.
func (c *consortium) hostOrg(top *netctl.Topology, name, mspID, kind string, offset int, users []netctl.UserSpec) *netctl.Organization {
	var o netctl.Organization
	for _, x := range top.Organizations {
		if x.Name == "bank2" {
			o = *x
		}
	}
	o.Name, o.MSPID, o.Host = name, mspID, c.lab.Hosts[name].Addr.String()
	if kind != "" {
		o.Kind = kind
	}
	if users != nil {
		o.Users = users
	}
	o.CA = netctl.CASpec{Port: offset, OpsPort: offset + 1}
	peer := *o.Peer
	peer.Port, peer.ChaincodePort, peer.OpsPort, peer.CCServerPort, peer.CCServerAltPort = offset+2, offset+3, offset+4, offset+6, offset+7
	o.Peer = &peer
	gw := *o.Gateway
	gw.Port, gw.OpsPort = offset+5, offset+8
	o.Gateway = &gw
	return &o
}
