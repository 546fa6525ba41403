package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// ParseAssetInput decodes and validates a RegisterAsset payload (A2).
func ParseAssetInput(payload string) (api.AssetInput, error) {
	var in api.AssetInput
	if err := DecodeStrict("asset", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.id("id", in.ID)
	enum(&c, "kind", in.Kind, api.AssetKinds)
	c.text("number", in.Number, 1, 64)
	c.text("title", in.Title, 1, 500)
	c.owners("owners", in.Owners)
	c.date("applicationDate", in.ApplicationDate)
	c.date("grantDate", in.GrantDate)
	c.date("expiryDate", in.ExpiryDate)
	if in.LegalStatus != "" {
		enum(&c, "legalStatus", in.LegalStatus, api.LegalStatuses)
	}
	if c.err == nil && in.GrantDate < in.ApplicationDate {
		c.fail("grantDate", "must not be before applicationDate")
	}
	if c.err == nil && in.ExpiryDate <= in.GrantDate {
		c.fail("expiryDate", "must be after grantDate")
	}
	if in.Kind.IsPatent() {
		c.date("feesPaidThrough", in.FeesPaidThrough)
	} else if in.FeesPaidThrough != "" {
		c.fail("feesPaidThrough", "applies to patents only")
	}
	if in.Kind == api.KindTrademark {
		if in.NiceClass < 1 || in.NiceClass > 45 {
			c.fail("niceClass", "must be a Nice class from 1 to 45")
		}
		if in.MarkFamily != "" {
			c.id("markFamily", in.MarkFamily)
		}
	} else {
		if in.NiceClass != 0 {
			c.fail("niceClass", "applies to trademarks only")
		}
		if in.MarkFamily != "" {
			c.fail("markFamily", "applies to trademarks only")
		}
	}
	return in, c.err
}

// ParseAssetPatch decodes and validates an UpdateAsset payload.
func ParseAssetPatch(payload string) (api.AssetPatch, error) {
	var p api.AssetPatch
	if err := DecodeStrict("patch", payload, &p); err != nil {
		if e, ok := api.AsError(err); ok && e.Details["field"] == "freeze" {
			return p, api.Invalid("freeze", "a court's freeze is recorded with RecordFreeze (POST /v1/assets/{id}/freezes) "+
				"and lifted with LiftFreeze (POST /v1/assets/{id}/freezes/{n}/lift)")
		}
		return p, err
	}
	var c check
	if p == (api.AssetPatch{}) {
		c.fail("", "at least one field must be given")
	}
	if p.LegalStatus != nil {
		enum(&c, "legalStatus", *p.LegalStatus, api.LegalStatuses)
	}
	if p.ExpiryDate != nil {
		c.date("expiryDate", *p.ExpiryDate)
	}
	if p.FeesPaidThrough != nil {
		c.date("feesPaidThrough", *p.FeesPaidThrough)
	}
	if p.Title != nil {
		c.text("title", *p.Title, 1, 500)
	}
	if p.MarkFamily != nil && *p.MarkFamily != "" {
		c.id("markFamily", *p.MarkFamily)
	}
	for i, f := range []*api.FlagInput{p.Dispute, p.Invalidation} {
		if f != nil {
			c.text([]string{"dispute", "invalidation"}[i]+".ref", f.Ref, 0, 200)
		}
	}
	return p, c.err
}

func assetKey(id string) string { return CompositeKey(keyAsset, id) }

// loadAsset reads an IP right or fails with NOT_FOUND.
func (s *Service) loadAsset(id string) (*api.Asset, error) {
	var a api.Asset
	found, err := s.get(assetKey(id), &a)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, api.NotFound("asset", id)
	}
	migrateFreeze(&a)
	return &a, nil
}

func (s *Service) saveAsset(a *api.Asset, action string) error {
	a.Version++
	a.LastChange = s.change(action)
	return s.put(assetKey(a.ID), a, api.RightEndorsement)
}

// RegisterAsset puts an IP right on the register (A1, A2). IP office only.
func (s *Service) RegisterAsset(requestID, payload string) (string, error) {
	return s.submit(api.RegisterAsset.Name, requestID, payload,
		func() error { return requireOrg(s.tx.Caller, "A1", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			in, err := ParseAssetInput(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			a, err := s.registerAsset(in)
			if err != nil {
				return nil, api.Event{}, err
			}
			return a, api.Event{Type: "AssetRegistered", ID: a.ID, AssetIDs: []string{a.ID}, Status: string(a.LegalStatus)}, nil
		})
}

// registerAsset checks that a right is new (A2: id, and kind with official number) and writes it with
// its indexes.
func (s *Service) registerAsset(in api.AssetInput) (*api.Asset, error) {
	if found, err := s.exists(assetKey(in.ID)); err != nil {
		return nil, err
	} else if found {
		return nil, api.Conflict("A2", "an IP right with this id is already registered",
			"assetId", in.ID, "reason", "id-registered")
	}
	taken, err := s.l.Scan(idxAssetNumber, []string{string(in.Kind), in.Number})
	if err != nil {
		return nil, internal("scan", err)
	}
	if len(taken) > 0 {
		return nil, api.Conflict("A2", "an IP right of this kind and official number is already registered",
			"number", in.Number, "reason", "number-registered")
	}
	status := in.LegalStatus
	if status == "" {
		status = api.LegalValid
	}
	a := &api.Asset{ApplicationDate: in.ApplicationDate, CourtMeasures: []api.CourtMeasure{}, DocType: keyAsset, Encumbrances: []api.Encumbrance{},
		ExpiryDate: in.ExpiryDate, FeesPaidThrough: in.FeesPaidThrough, GrantDate: in.GrantDate, ID: in.ID,
		Kind: in.Kind, LegalStatus: status, Licenses: []api.License{}, MarkFamily: in.MarkFamily, NextRank: 1,
		NiceClass: in.NiceClass, Number: in.Number, Owners: in.Owners, Title: in.Title, TitleTxID: s.tx.ID}
	if err := s.saveAsset(a, "AssetRegistered"); err != nil {
		return nil, err
	}
	if err := s.putIndex(api.RightEndorsement, idxAssetNumber, string(in.Kind), in.Number, in.ID); err != nil {
		return nil, err
	}
	if in.MarkFamily != "" {
		if err := s.putIndex(api.RightEndorsement, idxAssetFamily, in.MarkFamily, in.ID); err != nil {
			return nil, err
		}
	}
	if err := s.reindex(api.RightEndorsement, nil, ownerKeys(a.ID, a.Owners)); err != nil { // S1
		return nil, err
	}
	return a, nil
}

// ImportAssets puts a batch of IP rights on the register in one transaction (A1, A2): the IP office's
// migration of its existing register, and how a large ledger is seeded for benchmarks. Every right is
// checked as RegisterAsset checks it, and also against the others of the batch, whose writes the
// transaction cannot read back; the batch is all or nothing. IP office only.
func (s *Service) ImportAssets(requestID, payload string) (string, error) {
	return s.submit(api.ImportAssets.Name, requestID, payload,
		func() error { return requireOrg(s.tx.Caller, "A1", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			var batch api.ImportInput
			if err := DecodeStrict("assets", payload, &batch); err != nil {
				return nil, api.Event{}, err
			}
			if len(batch.Assets) == 0 || len(batch.Assets) > api.MaxImportAssets {
				return nil, api.Event{}, api.Invalid("assets", fmt.Sprintf("must hold 1 to %d rights", api.MaxImportAssets))
			}
			ids := map[string]bool{}
			numbers := map[string]bool{}
			res := api.ImportResult{AssetIDs: make([]string, 0, len(batch.Assets))}
			for i, raw := range batch.Assets {
				field := fmt.Sprintf("assets[%d]", i)
				in, err := ParseAssetInput(string(raw))
				if err != nil {
					return nil, api.Event{}, prefixField(err, field)
				}
				number := string(in.Kind) + "\x00" + in.Number
				if ids[in.ID] || numbers[number] {
					return nil, api.Event{}, api.Conflict("A2", "the batch holds this IP right twice",
						"assetId", in.ID, "number", in.Number, "reason", "duplicate-in-batch")
				}
				ids[in.ID], numbers[number] = true, true
				a, err := s.registerAsset(in)
				if err != nil {
					return nil, api.Event{}, err
				}
				res.AssetIDs = append(res.AssetIDs, a.ID)
			}
			res.Count = len(res.AssetIDs)
			return res, api.Event{Type: "AssetsImported", ID: res.AssetIDs[0], AssetIDs: res.AssetIDs}, nil
		})
}

// prefixField puts the path of a batch element before an invalid field's path.
func prefixField(err error, prefix string) error {
	var e *api.Error
	if !errors.As(err, &e) || e.Details == nil || e.Details["field"] == "" {
		return err
	}
	out := *e
	out.Details = map[string]string{}
	for k, v := range e.Details {
		out.Details[k] = v
	}
	out.Details["field"] = prefix + "." + e.Details["field"]
	out.Message = prefix + "." + e.Message // the message leads with the field's path
	return &out
}

// UpdateAsset changes the legal status, fees, flags, expiry, title or mark family of an IP right
// (A1, A2). IP office only. Owners change only through a recorded transfer (T1).
func (s *Service) UpdateAsset(requestID, assetID, payload string) (string, error) {
	return s.submit(api.UpdateAsset.Name, requestID, assetID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "A1", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			var c check
			if c.id("assetId", assetID); c.err != nil {
				return nil, api.Event{}, c.err
			}
			p, err := ParseAssetPatch(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			a, err := s.loadAsset(assetID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := checkPatchFits(a, p); err != nil {
				return nil, api.Event{}, err
			}
			before := a.LegalStatus
			// The changed fields name the change in the record, in this fixed order.
			changed := patchStatusAndDates(a, p)
			changed = append(changed, s.patchFlags(a, p)...)
			if moved, err := s.patchMarkFamily(a, p.MarkFamily); err != nil {
				return nil, api.Event{}, err
			} else if moved {
				changed = append(changed, "markFamily")
			}
			if err := s.saveAsset(a, "AssetUpdated:"+strings.Join(changed, ",")); err != nil {
				return nil, api.Event{}, err
			}
			ev := api.Event{Type: "AssetUpdated", ID: a.ID, AssetIDs: []string{a.ID}, Status: string(a.LegalStatus)}
			if ev.PledgeIDs, ev.PledgeeMSPs, err = s.recordCollateralStatus(a, before); err != nil {
				return nil, api.Event{}, err
			}
			return a, ev, nil
		})
}

// recordCollateralStatus tells every active pledge on a right that its collateral was lost, or came
// back (P10): when the right leaves the valid status (or moves to another status that is not valid),
// each pledge records a [api.CollateralLoss] with the right, the new status, the time and the
// transaction; when it is valid again, the pledge's open losses of that right are marked restored. It
// returns the pledges changed and their pledgee banks, for the event. Each pledge key is written under
// its own pledgee's policy.
func (s *Service) recordCollateralStatus(a *api.Asset, before api.LegalStatus) ([]string, []api.MSPID, error) {
	if a.LegalStatus == before {
		return nil, nil, nil
	}
	var ids []string
	var banks []api.MSPID
	for _, e := range a.Encumbrances {
		p, err := s.loadPledge(e.PledgeID)
		if err != nil {
			return nil, nil, err
		}
		action := "CollateralLost:" + a.ID
		if a.LegalStatus == api.LegalValid {
			action = "CollateralRestored:" + a.ID
			if !s.restoreCollateral(p, a.ID) {
				continue // it never recorded a loss of this right
			}
		} else {
			p.CollateralLosses = append(p.CollateralLosses, api.CollateralLoss{AssetID: a.ID, At: s.now(),
				LegalStatus: a.LegalStatus, TxID: s.tx.ID})
		}
		if err := s.savePledge(p, action); err != nil {
			return nil, nil, err
		}
		ids = append(ids, p.ID)
		if !slices.Contains(banks, p.Pledgee.MSP) {
			banks = append(banks, p.Pledgee.MSP)
		}
	}
	return ids, banks, nil
}

// restoreCollateral marks a pledge's open losses of a right restored now; false when it has none.
func (s *Service) restoreCollateral(p *api.Pledge, assetID string) bool {
	restored := false
	for i := range p.CollateralLosses {
		if l := &p.CollateralLosses[i]; l.AssetID == assetID && l.RestoredAt == "" {
			l.RestoredAt, l.RestoredTxID = s.now(), s.tx.ID
			restored = true
		}
	}
	return restored
}

// checkPatchFits refuses what ParseAssetPatch cannot see without the right itself: a mark family for
// a right that is no trademark, fees for one that is no patent, an expiry not after the grant.
func checkPatchFits(a *api.Asset, p api.AssetPatch) error {
	if p.MarkFamily != nil && *p.MarkFamily != "" && a.Kind != api.KindTrademark {
		return api.Invalid("markFamily", "applies to trademarks only")
	}
	if p.FeesPaidThrough != nil && !a.Kind.IsPatent() {
		return api.Invalid("feesPaidThrough", "applies to patents only")
	}
	if p.ExpiryDate != nil && *p.ExpiryDate <= a.GrantDate {
		return api.Invalid("expiryDate", "must be after grantDate")
	}
	return nil
}

// patchStatusAndDates sets the legal status, expiry, fees and title a patch gives and returns the
// fields it set.
func patchStatusAndDates(a *api.Asset, p api.AssetPatch) []string {
	var changed []string
	patchField(&changed, "legalStatus", &a.LegalStatus, p.LegalStatus)
	patchField(&changed, "expiryDate", &a.ExpiryDate, p.ExpiryDate)
	patchField(&changed, "feesPaidThrough", &a.FeesPaidThrough, p.FeesPaidThrough)
	patchField(&changed, "title", &a.Title, p.Title)
	return changed
}

// patchField sets *dst to *src when the patch gives it (src not nil), and names it in changed.
func patchField[T any](changed *[]string, name string, dst, src *T) {
	if src != nil {
		*dst = *src
		*changed = append(*changed, name)
	}
}

// patchFlags raises or clears the dispute and invalidation flags a patch gives and returns the flags
// it touched. A flag raised again keeps the day it was first raised. The freeze flag follows the court
// measures (RecordFreeze, LiftFreeze).
func (s *Service) patchFlags(a *api.Asset, p api.AssetPatch) []string {
	var changed []string
	// Flags in a fixed order: no map iteration reaches what is written.
	for _, f := range []struct {
		name string
		in   *api.FlagInput
		flag *api.Flag
	}{{"dispute", p.Dispute, &a.Dispute}, {"invalidation", p.Invalidation, &a.Invalidation}} {
		if f.in == nil {
			continue
		}
		if f.in.Active {
			since := f.flag.Since
			if !f.flag.Active {
				since = s.today()
			}
			*f.flag = api.Flag{Active: true, Ref: f.in.Ref, Since: since}
		} else {
			*f.flag = api.Flag{}
		}
		changed = append(changed, f.name)
	}
	return changed
}

// patchMarkFamily moves a trademark to the mark family a patch gives ("" takes it out of any), keeping
// the family index in step, and reports whether the family changed. A nil family leaves it as it is.
func (s *Service) patchMarkFamily(a *api.Asset, family *string) (bool, error) {
	if family == nil || *family == a.MarkFamily {
		return false, nil
	}
	if a.MarkFamily != "" {
		if err := s.delIndex(idxAssetFamily, a.MarkFamily, a.ID); err != nil {
			return false, err
		}
	}
	if *family != "" {
		if err := s.putIndex(api.RightEndorsement, idxAssetFamily, *family, a.ID); err != nil {
			return false, err
		}
	}
	a.MarkFamily = *family
	return true, nil
}

// FindAssetsByNumber finds the IP rights with an official number (A3: the register is public), one
// per kind at most, from the kind-and-number index: how a clerk looks a right up by its number.
func (s *Service) FindAssetsByNumber(number string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	var c check
	if c.text("number", number, 1, 64); c.err != nil {
		return "", c.err
	}
	out := api.AssetsByNumber{Items: []*api.Asset{}}
	for _, kind := range api.AssetKinds {
		keys, err := s.l.Scan(idxAssetNumber, []string{string(kind), number})
		if err != nil {
			return "", internal("scan", err)
		}
		for _, k := range keys {
			_, attrs, err := SplitCompositeKey(k)
			if err != nil || len(attrs) != 3 {
				return "", internal("split key", fmt.Errorf("bad index key %q", k))
			}
			a, err := s.loadAsset(attrs[2])
			if err != nil {
				return "", err
			}
			out.Items = append(out.Items, a)
		}
	}
	out.Count = len(out.Items)
	return marshal(out)
}

// GetAsset returns an IP right with its active encumbrances (A3): public to every member.
func (s *Service) GetAsset(assetID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	var c check
	if c.id("assetId", assetID); c.err != nil {
		return "", c.err
	}
	a, err := s.loadAsset(assetID)
	if err != nil {
		return "", err
	}
	return marshal(a)
}
