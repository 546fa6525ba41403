package rules

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

var (
	guanggu   = api.Owner{ID: "91420100MA4KGG0001", Name: "武汉光谷光电科技有限公司", Share: 10000}
	guangguP  = api.Party{ID: guanggu.ID, Name: guanggu.Name}
	donghu    = api.Owner{ID: "91420100MA4KDH0002", Name: "武汉东湖光电有限公司", Share: 10000}
	lookalike = api.Owner{ID: "91420100MA4KLK0003", Name: "光谷电子谷光", Share: 10000}
)

func (e *env) search(c Caller, id, name string, size int32, bookmark string) (api.PartyPage, error) {
	e.t.Helper()
	var page api.PartyPage
	out, err := e.query(c, func(s *Service) (string, error) { return s.SearchParties(id, name, size, bookmark) })
	if err == nil {
		mustDecode(e.t, out, &page)
	}
	return page, err
}

// found is what a search found: each party id with its right ids and pledge ids, all pages read.
func (e *env) found(id, name string, size int32) map[string][]string {
	e.t.Helper()
	out := map[string][]string{}
	bookmark := ""
	for range 1000 {
		page, err := e.search(trader, id, name, size, bookmark)
		if err != nil {
			e.t.Fatalf("search %q %q: %v", id, name, err)
		}
		for _, h := range page.Items {
			for _, r := range h.Rights {
				out[h.ID] = append(out[h.ID], r.ID)
			}
			for _, p := range h.Pledges {
				out[h.ID] = append(out[h.ID], p.ID)
			}
			for _, p := range h.Debts {
				out[h.ID] = append(out[h.ID], "debt:"+p.ID)
			}
			if _, ok := out[h.ID]; !ok {
				e.t.Fatalf("party %s listed without records", h.ID)
			}
		}
		if bookmark = page.Bookmark; bookmark == "" {
			return out
		}
	}
	e.t.Fatal("the bookmarks never end")
	return nil
}

// pledgedAs registers a pledge of bank, given by pledgors, on the rights.
func (e *env) pledgedAs(bank Caller, pledgors []api.Party, regNo string, assetIDs ...string) *api.Pledge {
	e.t.Helper()
	p, err := e.registerPledge(e.applyAs(bank, pledgors, assetIDs...).ID, regNo)
	if err != nil {
		e.t.Fatalf("register: %v", err)
	}
	return p
}

func (e *env) applyAs(bank Caller, pledgors []api.Party, assetIDs ...string) *api.Pledge {
	e.t.Helper()
	app := application(assetIDs...)
	app.Pledgors = pledgors
	p, err := e.apply(bank, app)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return p
}

// TestS1_APartyIsFoundByItsUnifiedSocialCreditCode: a search by id lists the rights the party owns
// and the pledges in which it is a pledgor, whatever their status, and nothing of other parties; a
// co-owned right is listed with the party's share. GetParty answers the same party, NOT_FOUND for an
// id no record names; the search then finds nothing.
func TestS1_APartyIsFoundByItsUnifiedSocialCreditCode(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1", guanggu))
	e.register(patent("P2", donghu))
	half, otherHalf := guanggu, donghu
	half.Share, otherHalf.Share = 5000, 5000
	e.register(patent("P3", half, otherHalf))
	p1 := e.pledgedAs(bank1, []api.Party{guangguP}, "R-P1", "P1")
	p2 := e.applyAs(bank2, []api.Party{{ID: donghu.ID, Name: donghu.Name}}, "P2")

	page, err := e.search(bank2, guanggu.ID, "", 0, "")
	wantCode(t, err, "")
	if page.Count != 1 || page.Bookmark != "" || page.Items[0].ID != guanggu.ID ||
		!slices.Equal(page.Items[0].Names, []string{guanggu.Name}) {
		t.Fatalf("page %+v", page)
	}
	h := page.Items[0]
	if len(h.Rights) != 2 || h.Rights[0].ID != "P1" || h.Rights[1].ID != "P3" || h.Rights[1].Share != 5000 ||
		h.Rights[0].Encumbrances != 1 || h.Rights[0].Number != "ZLP1" || h.Rights[0].Kind != api.KindPatentInvention ||
		h.Rights[0].LegalStatus != api.LegalValid || h.Rights[0].TitleTxID == "" || h.Rights[0].LastTxID == "" {
		t.Fatalf("rights %+v", h.Rights)
	}
	if len(h.Pledges) != 1 || h.Pledges[0].ID != p1.ID || h.Pledges[0].Status != api.PledgeRegistered ||
		h.Pledges[0].RegistrationNumber != "R-P1" || h.Pledges[0].Pledgee.MSP != api.MSPBank1 || h.Pledges[0].RegistrationTxID == "" {
		t.Fatalf("pledges %+v", h.Pledges)
	}
	if got := e.found(donghu.ID, "", 0); !slices.Equal(got[donghu.ID], []string{"P2", "P3", p2.ID}) || len(got) != 1 {
		t.Fatalf("the other party: %v", got)
	}

	var view api.PartyView
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.GetParty(guanggu.ID, 0, "") })), &view)
	if view.ID != guanggu.ID || len(view.Rights) != 2 || len(view.Pledges) != 1 || view.Bookmark != "" {
		t.Fatalf("GetParty %+v", view)
	}
	_, err = e.query(auditor, func(s *Service) (string, error) { return s.GetParty("91420100NOBODY", 0, "") })
	wantCode(t, err, api.CodeNotFound)
	if page, err := e.search(trader, "91420100NOBODY", "", 0, ""); err != nil || page.Count != 0 || page.Items == nil {
		t.Fatalf("unknown id: %+v %v", page, err)
	}
	_, err = e.search(stranger, guanggu.ID, "", 0, "")
	wantCode(t, err, api.CodeForbidden, "A3")
}

// TestS1_APartyIsFoundByAPartOfItsChineseName: a name query of two or more characters finds every
// party whose name holds it, wherever in the name; the posting lists of its bigrams are intersected
// and the name is then checked, so that a name with all the bigrams but not the query is not found.
// Case, full-width forms and white space do not matter. One character, more than 32, both id and
// name or neither are invalid.
func TestS1_APartyIsFoundByAPartOfItsChineseName(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1", guanggu))
	e.register(patent("P2", donghu))
	e.register(patent("P3", lookalike))
	e.register(patent("P4", acme))
	pl := e.applyAs(bank1, []api.Party{guangguP}, "P1")
	for _, tc := range []struct {
		name string
		want map[string][]string
	}{
		{"光谷", map[string][]string{guanggu.ID: {"P1", pl.ID}, lookalike.ID: {"P3"}}},
		{"光谷光电", map[string][]string{guanggu.ID: {"P1", pl.ID}}},
		{"武汉光谷光电科技有限公司", map[string][]string{guanggu.ID: {"P1", pl.ID}}},
		{"光电", map[string][]string{guanggu.ID: {"P1", pl.ID}, donghu.ID: {"P2"}}},
		{"有限公司", map[string][]string{guanggu.ID: {"P1", pl.ID}, donghu.ID: {"P2"}}},
		{"谷光谷", map[string][]string{}}, // every bigram is in 光谷电子谷光, the query is not
		{"光谷科技", map[string][]string{}},
		{"东湖 光电", map[string][]string{donghu.ID: {"P2"}}},
		{"ＡＣＭＥ optics", map[string][]string{acme.ID: {"P4"}}},
		{"ac\U0010FFFFme", map[string][]string{acme.ID: {"P4"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []int32{0, 1} {
				if got := e.found("", tc.name, size); fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Fatalf("page size %d: found %v, want %v", size, got, tc.want)
				}
			}
		})
	}
	for _, tc := range []struct{ id, name, field string }{
		{"", "光", "name"},
		{"", " 光 ", "name"},
		{"", strings.Repeat("光谷", 17), "name"},
		{guanggu.ID, "光谷", "id"},
		{"", "", "id"},
		{"bad id!", "", "id"},
	} {
		_, err := e.search(trader, tc.id, tc.name, 0, "")
		wantCode(t, err, api.CodeInvalidArgument, tc.field)
	}
}

// TestS1_AnOwnerWhoSoldARightNoLongerListsIt: a recorded assignment takes the right off the old
// owner's entries, by id and by name, and puts it under the new owner's; the pledgors of its pledges
// follow the right (P7) and the search follows them. A licence changes no owner.
func TestS1_AnOwnerWhoSoldARightNoLongerListsIt(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1", guanggu))
	e.register(trademark("T1", "", 9))
	e.register(patent("P2", guanggu))
	pl := e.pledged(bank2, "R-T1", "T1")
	sell := func(assetID string, consent *api.Pledge) {
		t.Helper()
		tr, err := e.requestTransfer(trader, trade(assetID))
		wantCode(t, err, "")
		if consent != nil {
			e.must(e.submit(bank2, nil, func(s *Service) (string, error) {
				return s.ConsentToTransfer(e.req(), tr.ID, js(api.ConsentInput{PledgeID: consent.ID, ProceedsUse: "escrow"}))
			}))
		}
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") }))
	}
	sell("P1", nil)
	sell("T1", pl)
	lic := trade("P2", buyer)
	lic.Kind, lic.License = "license", ordinaryLicense()
	tr, err := e.requestTransfer(trader, lic)
	wantCode(t, err, "")
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") }))

	if got := e.found(guanggu.ID, "", 0); fmt.Sprint(got) != fmt.Sprint(map[string][]string{guanggu.ID: {"P2"}}) {
		t.Fatalf("the seller lists %v", got)
	}
	if got := e.found("", "光谷", 0); fmt.Sprint(got) != fmt.Sprint(map[string][]string{guanggu.ID: {"P2"}}) {
		t.Fatalf("the seller's name lists %v", got)
	}
	// The seller no longer owns or pledges anything; the pledge that followed the right still secures
	// its debt (P12: the debtors stay when the pledgors change), and it is found as such.
	if got := e.found(acme.ID, "", 0); fmt.Sprint(got) != fmt.Sprint(map[string][]string{acme.ID: {"debt:" + pl.ID}}) {
		t.Fatalf("the pledgor who sold the pledged right lists %v", got)
	}
	want := map[string][]string{buyer.ID: {"P1", "T1", pl.ID}}
	if got := e.found(buyer.ID, "", 0); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the buyer lists %v, want %v", got, want)
	}
	if got := e.found("", "buyer", 2); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the buyer's name lists %v, want %v", got, want)
	}
	for _, k := range e.l.Keys() {
		if typ, attrs, _ := SplitCompositeKey(k); strings.Contains(typ, "-by-owner") || strings.Contains(typ, "-by-pledgor") {
			if slices.Contains(attrs, acme.ID) || slices.Contains(attrs, guanggu.ID) && slices.Contains(attrs, "P1") {
				t.Fatalf("stale index key %s %v", typ, attrs)
			}
		}
	}
}

// TestS1_RenamedPledgorsAreFoundByTheirRecordedName: a renaming of the pledgors (P6) changes the name
// index when the IP office records it, not when it is filed.
func TestS1_RenamedPledgorsAreFoundByTheirRecordedName(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1", guanggu))
	p := e.pledgedAs(bank1, []api.Party{guangguP}, "R1", "P1")
	var filed api.Pledge
	mustDecode(t, e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), p.ID, js(api.Amendment{Pledgors: []api.Party{{ID: guanggu.ID, Name: "湖北光谷集团"}}}))
	})), &filed)
	if got := e.found("", "集团", 0); len(got) != 0 {
		t.Fatalf("a filed renaming is found: %v", got)
	}
	e.recordChange(p.ID, filed.PendingChangeID)
	if got := e.found("", "湖北光谷", 0); fmt.Sprint(got) != fmt.Sprint(map[string][]string{guanggu.ID: {p.ID}}) {
		t.Fatalf("the recorded name finds %v", got)
	}
	// The right keeps its owner's name as the register gives it; the pledge no longer has the old one.
	if got := e.found("", "光电科技", 0); fmt.Sprint(got) != fmt.Sprint(map[string][]string{guanggu.ID: {"P1"}}) {
		t.Fatalf("the old name finds %v", got)
	}
	page, _ := e.search(trader, guanggu.ID, "", 0, "")
	if names := page.Items[0].Names; !slices.Equal(names, []string{guanggu.Name, "湖北光谷集团"}) {
		t.Fatalf("names %v", names)
	}
}

// TestS1_ASearchIsReadAPageAtATime: the pages of a search, at any page size, list every record once;
// a bookmark that the search did not make is invalid.
func TestS1_ASearchIsReadAPageAtATime(t *testing.T) {
	e := newEnv(t)
	var batch []api.AssetInput
	for i := range 7 {
		batch = append(batch, patent(fmt.Sprintf("B%d", i), guanggu))
	}
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.ImportAssets(e.req(), importPayload(t, batch...)) }))
	e.register(patent("D1", donghu))
	pa := e.applyAs(bank1, []api.Party{guangguP}, "B0")
	pb := e.applyAs(bank2, []api.Party{guangguP}, "B1")
	want := []string{"B0", "B1", "B2", "B3", "B4", "B5", "B6", pa.ID, pb.ID}
	slices.Sort(want[7:])
	for _, size := range []int32{1, 2, 3, 7, 9, 100} {
		if got := e.found(guanggu.ID, "", size); !slices.Equal(got[guanggu.ID], want) || len(got) != 1 {
			t.Fatalf("by id, page size %d: %v", size, got)
		}
		if got := e.found("", "光谷光电", size); !slices.Equal(got[guanggu.ID], want) || len(got) != 1 {
			t.Fatalf("by name, page size %d: %v", size, got)
		}
	}
	page, _ := e.search(trader, "", "光谷光电", 7, "")
	if page.Bookmark != "p" {
		t.Fatalf("after every right, the next page starts on the pledges: %q", page.Bookmark)
	}
	for _, bad := range []string{"x", "r光谷", "r光谷x1", "rzz|1", strings.Repeat("r", 2000)} {
		_, err := e.search(trader, "", "光谷光电", 2, bad)
		wantCode(t, err, api.CodeInvalidArgument, "bookmark")
	}
	_, err := e.search(trader, guanggu.ID, "", 500, "")
	wantCode(t, err, api.CodeInvalidArgument, "pageSize")
}

// TestS1_IndexKeysHaveThePolicyOfTheRecordTheyIndex: the party index keys of a right need the IP
// office's endorsement, those of a pledge the IP office's and its pledgee's (I1); their cost is
// bounded whatever the length of a name.
func TestS1_IndexKeysHaveThePolicyOfTheRecordTheyIndex(t *testing.T) {
	e := newEnv(t)
	long := api.Owner{ID: "91420100MA4KLONG01", Name: strings.Repeat("长名字有限公司", 28), Share: 10000}
	e.register(patent("P1", guanggu))
	e.register(patent("P2", long))
	e.applyAs(bank2, []api.Party{guangguP}, "P1")
	counts := map[string]int{}
	for _, k := range e.l.Keys() {
		typ, attrs, _ := SplitCompositeKey(k)
		want := api.RightEndorsement
		switch typ {
		case idxPledgePledgor, idxPledgePledgorName:
			want = api.PledgeEndorsement(api.MSPBank2)
		case idxAssetOwner, idxAssetOwnerName:
		default:
			continue
		}
		if pol, ok := e.l.Policy(k); !ok || pol.String() != want.String() {
			t.Fatalf("key %s %v: policy %v, want %v", typ, attrs, pol, want)
		}
		counts[typ+"/"+attrs[len(attrs)-1]]++
	}
	// 武汉光谷光电科技有限公司: 12 characters, 11 bigrams, and the key by id.
	if counts[idxAssetOwnerName+"/P1"] != 11 || counts[idxAssetOwner+"/P1"] != 1 || counts[idxPledgePledgorName+"/"+lastPledgeID(e)] != 11 {
		t.Fatalf("index keys %v", counts)
	}
	if n := counts[idxAssetOwnerName+"/P2"]; n > api.MaxIndexedName-1 {
		t.Fatalf("a 196-character name has %d bigram keys", n)
	}
}

func lastPledgeID(e *env) string {
	for _, k := range slices.Backward(e.l.Keys()) {
		if typ, attrs, _ := SplitCompositeKey(k); typ == keyPledge {
			return attrs[0]
		}
	}
	return ""
}

// TestS2_TheExtractListsEveryRecordOfTheParty: the extract lists every right the party owns and every
// pledge it gave, at the query's time and for the querying organization; NOT_FOUND for an id no
// record names; a party with more records than an extract lists is refused (S2, too-many-records).
func TestS2_TheExtractListsEveryRecordOfTheParty(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1", guanggu))
	e.register(patent("P2", guanggu))
	p := e.pledgedAs(bank1, []api.Party{guangguP}, "R1", "P1")
	refused := e.applyAs(bank1, []api.Party{guangguP}, "P2")
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RefusePledge(e.req(), refused.ID, `{"reasons":["not-owner"]}`)
	}))
	var x api.PartyExtract
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) { return s.GetPartyExtract(guanggu.ID) })), &x)
	if x.ID != guanggu.ID || x.QueriedBy != api.MSPBank2 || x.AsOf != e.now.UTC().Format("2006-01-02T15:04:05Z07:00") ||
		len(x.Rights) != 2 || len(x.Pledges) != 2 || !slices.Equal(x.Names, []string{guanggu.Name}) {
		t.Fatalf("extract %+v", x)
	}
	byID := map[string]api.PartyPledge{}
	for _, pl := range x.Pledges {
		byID[pl.ID] = pl
	}
	if byID[p.ID].RegistrationTxID == "" || byID[refused.ID].Status != api.PledgeRefused || byID[refused.ID].RegistrationTxID != "" {
		t.Fatalf("pledges %+v", x.Pledges)
	}
	_, err := e.query(bank2, func(s *Service) (string, error) { return s.GetPartyExtract("91420100NOBODY") })
	wantCode(t, err, api.CodeNotFound)
	_, err = e.query(stranger, func(s *Service) (string, error) { return s.GetPartyExtract(guanggu.ID) })
	wantCode(t, err, api.CodeForbidden, "A3")

	e.l.Begin("seed", e.now)
	for i := range api.MaxExtractRecords {
		if err := e.l.PutState(CompositeKey(idxAssetOwner, donghu.ID, fmt.Sprintf("X%04d", i)), []byte{0}); err != nil {
			t.Fatal(err)
		}
	}
	e.l.Commit()
	e.register(patent("D1", donghu))
	_, err = e.query(bank2, func(s *Service) (string, error) { return s.GetPartyExtract(donghu.ID) })
	wantCode(t, err, "S2", "too-many-records")
}

// TestS1_TheBuyerInADisposalIsFoundWhenItsTitleIsRecorded: a disposal's transfer to the buyer moves
// the right to the buyer's entries when the IP office records it; the disposed pledge stays the
// pledgor's, in its status.
func TestS1_TheBuyerInADisposalIsFoundWhenItsTitleIsRecorded(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	p := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	wantCode(t, e.declareDefault(bank1, p.ID, "600000"), "")
	got, err := e.dispose(p.ID, sold("600000", "0", p.ID, "600000"))
	wantCode(t, err, "")
	if found := e.found(buyer.ID, "", 0); len(found) != 0 {
		t.Fatalf("the buyer is found before its title is recorded: %v", found)
	}
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), got.Disposal.TransferIDs[0], "{}") }))
	if found := e.found(buyer.ID, "", 0); fmt.Sprint(found) != fmt.Sprint(map[string][]string{buyer.ID: {"T1"}}) {
		t.Fatalf("the buyer lists %v", found)
	}
	page, _ := e.search(trader, acme.ID, "", 0, "")
	if h := page.Items[0]; len(h.Rights) != 0 || len(h.Pledges) != 1 || h.Pledges[0].Status != api.PledgeDisposed {
		t.Fatalf("the pledgor after the disposal: %+v", h)
	}
}

// TestS1_ADebtorWhoIsNotThePledgorIsFoundWithTheDebtsSecured: a third party whose debt a pledge secures
// (P12) is found by its code and by a part of its name, with that pledge among its debts, not its
// pledges; its extract lists it too (S2).
func TestS1_ADebtorWhoIsNotThePledgorIsFoundWithTheDebtsSecured(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	debtor := api.Party{ID: "91420100MA4KDB0001", Name: "湖北江城激光设备有限公司"}
	app := application("P1")
	app.Debtor = &debtor
	p, err := e.apply(bank1, app)
	wantCode(t, err, "")
	want := map[string][]string{debtor.ID: {"debt:" + p.ID}}
	if got := e.found(debtor.ID, "", 0); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("by code: %v, want %v", got, want)
	}
	if got := e.found("", "江城激光", 0); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("by name: %v, want %v", got, want)
	}
	if got := e.found(acme.ID, "", 0); fmt.Sprint(got) != fmt.Sprint(map[string][]string{acme.ID: {"P1", p.ID}}) {
		t.Fatalf("the pledgor: %v", got)
	}
	var x api.PartyExtract
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.GetPartyExtract(debtor.ID) })), &x)
	if len(x.Debts) != 1 || x.Debts[0].ID != p.ID || len(x.Pledges) != 0 || len(x.Rights) != 0 {
		t.Fatalf("the debtor's extract: %+v", x)
	}
}
