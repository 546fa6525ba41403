//go:build integration

package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestE2E_PledgeWholeLife is the whole life of a pledge (issue 5), each step through the gateway of
// the organization whose job it is, each step logged with what it proves.
func TestE2E_PledgeWholeLife(t *testing.T) {
	ipo, bank1, bank2 := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "Bank2MSP", "officer1")
	exch, reg := as(t, "ExchangeMSP", "trader1"), as(t, "RegulatorMSP", "auditor1")
	steps := map[string]string{} // tx id -> step
	step := func(r reply, name, proves string) reply {
		t.Helper()
		tx := r.str(t, "txId")
		steps[tx] = name
		t.Logf("step %-22s tx %.12s… block %-4d %s", name, tx, r.block(), proves)
		return r
	}

	assetID := uniq("CN-E2E-LIFE")
	step(ipo.write(201, "register patent", "POST", "/v1/assets", patent(assetID)), "IP office registers",
		"A1: the IP office registers the patent (201)")

	app := application(assetID)
	app["terms"] = terms("7300000.00")
	pledgeID := step(bank1.write(201, "apply", "POST", "/v1/pledges", app), "Bank1 applies",
		"P1/P2: Bank1 files with private terms (transient; the answer holds no amount)").str(t, "id")
	regRes := step(ipo.write(200, "register pledge", "POST", "/v1/pledges/"+pledgeID+"/register",
		map[string]any{"registrationNumber": "Y-" + pledgeID}), "IP office registers",
		"P3: the pledge exists from its registration")
	registerTx := regRes.str(t, "txId")

	// The exchange's verification: encumbered, with the proof of the registration.
	v := exch.do("GET", "/v1/verify/"+assetID, nil)
	if v.Status != 200 {
		t.Fatalf("verify: %s", v)
	}
	var ver struct {
		Proof struct {
			VerifiedBy   string `json:"verifiedBy"`
			LedgerHeight uint64 `json:"ledgerHeight"`
			Encumbrances []struct {
				PledgeID      string   `json:"pledgeId"`
				Rank          int      `json:"rank"`
				TxID          string   `json:"txId"`
				BlockNumber   uint64   `json:"blockNumber"`
				Valid         bool     `json:"valid"`
				EndorsingOrgs []string `json:"endorsingOrgs"`
			} `json:"encumbrances"`
		} `json:"proof"`
	}
	if err := json.Unmarshal(v.Body, &ver); err != nil {
		t.Fatal(err)
	}
	enc := ver.Proof.Encumbrances
	if ver.Proof.VerifiedBy != "ExchangeMSP" || len(enc) != 1 || enc[0].PledgeID != pledgeID || enc[0].Rank != 1 ||
		enc[0].TxID != registerTx || enc[0].BlockNumber != regRes.block() || !enc[0].Valid ||
		!contains(enc[0].EndorsingOrgs, "IPOfficeMSP") || !contains(enc[0].EndorsingOrgs, "Bank1MSP") {
		t.Fatalf("verification lacks the encumbrance's proof: %s", v.Body)
	}
	t.Logf("step %-22s encumbered by %s rank %d: tx %.12s… block %d VALID, endorsed by %v (ledger height %d)",
		"exchange verifies", pledgeID, enc[0].Rank, enc[0].TxID, enc[0].BlockNumber, enc[0].EndorsingOrgs, ver.Proof.LedgerHeight)

	transferID := step(exch.write(201, "request transfer", "POST", "/v1/transfers", tradeTransfer(assetID)),
		"exchange requests", "T1: the exchange requests the recording of a trade").str(t, "id")
	writesNothing(t, "transfer without consent", func() {
		e := refused(t, ipo.do("POST", "/v1/transfers/"+transferID+"/record", map[string]any{}), 409, "T2", "record without consent")
		if e.Details["reason"] != "consent-missing" || e.Details["pledgeId"] != pledgeID {
			t.Fatalf("T2 refusal details %v", e.Details)
		}
		t.Logf("step %-22s 409 T2 consent-missing (%s), nothing written", "record refused", e.Message)
	})

	step(bank1.write(200, "consent", "POST", "/v1/transfers/"+transferID+"/consent",
		map[string]any{"pledgeId": pledgeID, "proceedsUse": "escrow"}), "Bank1 consents",
		"P7: the pledgee's consent, proceeds to escrow, is recorded")
	rec := step(ipo.write(200, "record transfer", "POST", "/v1/transfers/"+transferID+"/record", map[string]any{}),
		"IP office records", "T1/P7: with consent the transfer is recorded; the title changes now")
	var tr struct {
		Result struct {
			Status   string `json:"status"`
			Consents []struct {
				PledgeID    string `json:"pledgeId"`
				ProceedsUse string `json:"proceedsUse"`
				MSP         string `json:"msp"`
			} `json:"consents"`
		} `json:"result"`
	}
	_ = json.Unmarshal(rec.Body, &tr)
	if len(tr.Result.Consents) != 1 || tr.Result.Consents[0].ProceedsUse != "escrow" || tr.Result.Consents[0].MSP != "Bank1MSP" {
		t.Fatalf("recorded transfer lacks the escrow consent: %s", rec.Body)
	}
	a := exch.do("GET", "/v1/assets/"+assetID, nil)
	if !strings.Contains(string(a.Body), buyerID) || strings.Contains(string(a.Body), `"id":"`+ownerID+`"`) {
		t.Fatalf("title did not pass to the buyer: %s", a.Body)
	}
	t.Logf("step %-22s owner is now %s; transfer %s recorded with proceedsUse=escrow", "title changed", buyerID, transferID)

	step(bank1.write(200, "release", "POST", "/v1/pledges/"+pledgeID+"/release", map[string]any{"reason": "loan repaid"}),
		"Bank1 releases", "P6: the pledgee releases (注销); the right is free")

	// The regulator: every step in the histories, with its tx id; the private terms.
	seen := map[string]bool{}
	for _, path := range []string{"/v1/assets/" + assetID + "/history", "/v1/pledges/" + pledgeID + "/history",
		"/v1/transfers/" + transferID + "/history"} {
		h := reg.do("GET", path, nil)
		if h.Status != 200 {
			t.Fatalf("regulator %s: %s", path, h)
		}
		var hist struct {
			Items []struct {
				TxID, MSP, Submitter, Action, Time string
			} `json:"items"`
		}
		if err := json.Unmarshal(h.Body, &hist); err != nil {
			t.Fatal(err)
		}
		for _, it := range hist.Items {
			if it.TxID == "" || it.MSP == "" || it.Submitter == "" || it.Time == "" {
				t.Fatalf("history item without tx id, organization, submitter or time: %+v", it)
			}
			seen[it.TxID] = true
		}
		t.Logf("regulator %-40s %d versions", path, len(hist.Items))
	}
	for tx, name := range steps {
		if !seen[tx] {
			t.Fatalf("step %q (tx %s) is in no history the regulator reads", name, tx)
		}
	}
	t.Logf("step %-22s all %d writing steps are in the histories with tx id, time, organization and submitter (I2)", "regulator audits", len(steps))

	p := reg.do("GET", "/v1/pledges/"+pledgeID, nil)
	if p.Status != 200 || !strings.Contains(string(p.Body), `"privateTerms"`) || !strings.Contains(string(p.Body), "7300000.00") ||
		!strings.Contains(string(p.Body), `"verified":true`) {
		t.Fatalf("regulator should read the verified private terms: %s", p)
	}
	t.Logf("step %-22s reads the private terms (amount 7300000.00), verified against the public hash (V2, V3)", "regulator reads terms")
	p = bank2.do("GET", "/v1/pledges/"+pledgeID, nil)
	if p.Status != 200 || strings.Contains(string(p.Body), "privateTerms") || strings.Contains(string(p.Body), "7300000") {
		t.Fatalf("Bank2 reads Bank1's terms: %s", p)
	}
	t.Logf("step %-22s sees the public record only, no terms (V2)", "Bank2 reads")
}
