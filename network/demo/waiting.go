package demo

import (
	"context"
	"encoding/json"
	"fmt"
)

// waiting leaves work for the consoles' queues and marks the other states of transfers and licences:
// a transfer of a right pledged at each bank waits for that bank's consent (a bank's "needs my
// consent", GET /v1/transfers?consentOf=), one consented waits for the IP office, one is refused; a
// licence request waits for the IP office, and a recorded licence is terminated early (L3).
func (x *run) waiting(ctx context.Context) error {
	ps := x.ps
	ex, ipo := x.actors[exchange], x.actors[ipoffice]
	year := x.now.Year()
	assign := func(step string, r Right, buyer Party, ref string) (*submitted, error) {
		return x.c.submit(ctx, ex, step, "POST", "/v1/transfers", map[string]any{
			"assetId": r.ID, "kind": "assignment", "origin": "trade", "tradeRef": fmt.Sprintf("WHIPE-%d-ZR-%s", year, ref),
			"newOwners": owners(sole(buyer))})
	}
	// Waiting for a bank's consent: a trademark pledged at each.
	for _, w := range []struct {
		step  string
		p     *pledge
		buyer Party
		ref   string
	}{
		{"transfer.hankou-north", ps.b1Trademark, hubeiIPOps, "0057"},
		{"transfer.qingchuan-ge", ps.b2Trademark, sanxia, "0063"},
	} {
		t, err := assign(w.step, w.p.rights[0], w.buyer, w.ref)
		if err != nil {
			return err
		}
		x.rep.WaitingConsent[w.p.bank] = t.ID
	}
	// Consented by Bank 1 (early repayment from the proceeds), waiting for the IP office to record it.
	t, err := assign("transfer.office-app", ps.b1Software.rights[0], precision, "0071")
	if err != nil {
		return err
	}
	if _, err := x.c.submit(ctx, x.actors[bank1], "consent.office-app", "POST", "/v1/transfers/"+t.ID+"/consent",
		map[string]any{"pledgeId": ps.b1Software.id, "proceedsUse": "early-repayment"}); err != nil {
		return err
	}
	x.rep.Consented = t.ID
	// Refused by the IP office.
	t, err = assign("transfer.changjiang", x.r.changjiangTM, hubeiIPOps, "0078")
	if err != nil {
		return err
	}
	if _, err := x.c.submit(ctx, ipo, "refuse.transfer.changjiang", "POST", "/v1/transfers/"+t.ID+"/refuse",
		map[string]any{"reasons": []string{"other"}, "note": "转让合同未经受让方签章，申请材料不齐全。"}); err != nil {
		return err
	}
	x.rep.RefusedTransfer = t.ID
	return x.licencesWaiting(ctx)
}

// licencesWaiting leaves a licence request for the IP office, and records a licence and terminates it
// early (L3).
func (x *run) licencesWaiting(ctx context.Context) error {
	ex, ipo := x.actors[exchange], x.actors[ipoffice]
	year := x.now.Year()
	licence := func(step string, r Right, licensee Party, filing string) (*submitted, error) {
		return x.c.submit(ctx, ex, step, "POST", "/v1/transfers", map[string]any{
			"assetId": r.ID, "kind": "license", "origin": "trade", "tradeRef": fmt.Sprintf("WHIPE-%d-XK-%s", year, r.Number[len(r.Number)-4:]),
			"newOwners": owners(sole(licensee)),
			"license": map[string]any{"type": "ordinary", "termStart": fmt.Sprintf("%d-01-01", year), "termEnd": fmt.Sprintf("%d-12-31", year+2),
				"territory": []string{"CN"}, "filingNumber": filing}})
	}
	t, err := licence("licence.jiangcheng", x.r.jiangchengTM, futureCity, fmt.Sprintf("%d420000187", year))
	if err != nil {
		return err
	}
	x.rep.LicenceRequested = t.ID
	t, err = licence("licence.cutter-head", x.r.cutterHead, precision, fmt.Sprintf("%d420000142", year))
	if err != nil {
		return err
	}
	if _, err := x.c.submit(ctx, ipo, "record.licence.cutter-head", "POST", "/v1/transfers/"+t.ID+"/record", map[string]any{}); err != nil {
		return err
	}
	if _, err := x.c.submit(ctx, ipo, "terminate.licence.cutter-head", "POST", "/v1/assets/"+x.r.cutterHead.ID+"/licenses/"+t.ID+"/terminate",
		map[string]any{"date": day(x.now), "reason": "许可双方协议提前解除许可合同"}); err != nil {
		return err
	}
	x.rep.LicenceTerminated = t.ID
	x.rep.TerminatedRight = x.r.cutterHead.ID
	return nil
}

// changes files changes and extensions of registered pledges (P6): on Bank 1's registered pledge an
// amendment the IP office records, an extension it refuses and an amendment left waiting, so that its
// change table shows every state; on Bank 2's, an extension left waiting. The IP office's queue lists
// the two waiting.
func (x *run) changes(ctx context.Context) error {
	ps := x.ps
	b1, b2 := ps.b1Registered, ps.b2Registered
	start := x.now.AddDate(0, 0, -7) // as apply
	file := func(p *pledge, step, action string, body map[string]any) (string, error) {
		s, err := x.c.submit(ctx, x.actors[p.bank], step, "POST", "/v1/pledges/"+p.id+"/"+action, body)
		if err != nil {
			return "", err
		}
		var got struct {
			PendingChangeID string `json:"pendingChangeId"`
		}
		if err := json.Unmarshal(s.Result, &got); err != nil {
			return "", fmt.Errorf("%s: answer %.300s: %w", step, s.Result, err)
		}
		if got.PendingChangeID == "" {
			return "", fmt.Errorf("%s: the answer names no pending change: %.300s", step, s.Result)
		}
		return got.PendingChangeID, nil
	}
	decide := func(p *pledge, step, change, decision string, body map[string]any) error {
		_, err := x.c.submit(ctx, x.actors[ipoffice], step, "POST", "/v1/pledges/"+p.id+"/changes/"+change+"/"+decision, body)
		return err
	}
	terms := func(amount, rate string) map[string]any {
		return map[string]any{"amount": amount, "currency": "CNY", "interestRate": rate, "scope": "主债权本金、利息、罚息及实现质权的费用"}
	}
	ch, err := file(b1, "amend."+b1.label+".1", "amend", map[string]any{"terms": terms("9000000", "3.45"),
		"contractHash": hashOf("supplementary contract " + b1.bank + " " + b1.label + " 1")})
	if err != nil {
		return err
	}
	if err := decide(b1, "record-change."+b1.bank+"."+b1.label+".1", ch, "record", map[string]any{}); err != nil {
		return err
	}
	ch, err = file(b1, "extend."+b1.label+".2", "extend", map[string]any{"debtTermEnd": day(start.AddDate(3, 0, -1)),
		"contractHash": hashOf("supplementary contract " + b1.bank + " " + b1.label + " 2")})
	if err != nil {
		return err
	}
	if err := decide(b1, "refuse-change."+b1.bank+"."+b1.label+".2", ch, "refuse",
		map[string]any{"reasons": []string{"other"}, "note": "展期补充协议未经出质人签章。"}); err != nil {
		return err
	}
	if _, err := file(b1, "amend."+b1.label+".3", "amend", map[string]any{"terms": terms("9000000", "3.20"),
		"contractHash": hashOf("supplementary contract " + b1.bank + " " + b1.label + " 3")}); err != nil {
		return err
	}
	if _, err := file(b2, "extend.bank2."+b2.label+".1", "extend", map[string]any{"debtTermEnd": day(start.AddDate(3, 0, -1)),
		"contractHash": hashOf("supplementary contract " + b2.bank + " " + b2.label + " 1")}); err != nil {
		return err
	}
	x.rep.Changed = b1.id
	x.rep.ChangesWaiting = []string{b1.id, b2.id}
	return nil
}
