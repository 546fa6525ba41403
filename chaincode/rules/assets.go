package rules

import (
	"strings"
)

// AssetInput is the payload of RegisterAsset (A2).
type AssetInput struct {
	ApplicationDate string  `json:"applicationDate"`
	ExpiryDate      string  `json:"expiryDate"`
	FeesPaidThrough string  `json:"feesPaidThrough"`
	GrantDate       string  `json:"grantDate"`
	ID              string  `json:"id"`
	Kind            string  `json:"kind"`
	LegalStatus     string  `json:"legalStatus"`
	MarkFamily      string  `json:"markFamily"`
	NiceClass       int     `json:"niceClass"`
	Number          string  `json:"number"`
	Owners          []Owner `json:"owners"`
	Title           string  `json:"title"`
}

// FlagInput raises (Active) or lifts a flag of an IP right; Ref is the court's or case reference.
type FlagInput struct {
	Active bool   `json:"active"`
	Ref    string `json:"ref"`
}

// AssetPatch is the payload of UpdateAsset: the fields to change; absent fields stay as they are.
type AssetPatch struct {
	Dispute         *FlagInput `json:"dispute"`
	ExpiryDate      *string    `json:"expiryDate"`
	FeesPaidThrough *string    `json:"feesPaidThrough"`
	Freeze          *FlagInput `json:"freeze"`
	Invalidation    *FlagInput `json:"invalidation"`
	LegalStatus     *string    `json:"legalStatus"`
	MarkFamily      *string    `json:"markFamily"`
	Title           *string    `json:"title"`
}

// ParseAssetInput decodes and validates a RegisterAsset payload (A2).
func ParseAssetInput(payload string) (AssetInput, error) {
	var in AssetInput
	if err := DecodeStrict("asset", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.id("id", in.ID)
	c.enum("kind", in.Kind, AssetKinds)
	c.text("number", in.Number, 1, 64)
	c.text("title", in.Title, 1, 500)
	c.owners("owners", in.Owners)
	c.date("applicationDate", in.ApplicationDate)
	c.date("grantDate", in.GrantDate)
	c.date("expiryDate", in.ExpiryDate)
	if in.LegalStatus != "" {
		c.enum("legalStatus", in.LegalStatus, LegalStatuses)
	}
	if c.err == nil && in.GrantDate < in.ApplicationDate {
		c.fail("grantDate", "must not be before applicationDate")
	}
	if c.err == nil && in.ExpiryDate <= in.GrantDate {
		c.fail("expiryDate", "must be after grantDate")
	}
	if IsPatent(in.Kind) {
		c.date("feesPaidThrough", in.FeesPaidThrough)
	} else if in.FeesPaidThrough != "" {
		c.fail("feesPaidThrough", "applies to patents only")
	}
	if in.Kind == KindTrademark {
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
func ParseAssetPatch(payload string) (AssetPatch, error) {
	var p AssetPatch
	if err := DecodeStrict("patch", payload, &p); err != nil {
		return p, err
	}
	var c check
	if p == (AssetPatch{}) {
		c.fail("", "at least one field must be given")
	}
	if p.LegalStatus != nil {
		c.enum("legalStatus", *p.LegalStatus, LegalStatuses)
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
	for i, f := range []*FlagInput{p.Freeze, p.Dispute, p.Invalidation} {
		name := []string{"freeze", "dispute", "invalidation"}[i]
		if f == nil {
			continue
		}
		c.text(name+".ref", f.Ref, 0, 200)
		if name == "freeze" && f.Active && f.Ref == "" {
			c.fail("freeze.ref", "a court freeze needs the court's reference")
		}
	}
	return p, c.err
}

func assetKey(id string) string { return CompositeKey(keyAsset, id) }

// loadAsset reads an IP right or fails with NOT_FOUND.
func (s *Service) loadAsset(id string) (*Asset, error) {
	var a Asset
	found, err := s.get(assetKey(id), &a)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, NotFound("asset", id)
	}
	return &a, nil
}

func (s *Service) saveAsset(a *Asset, action string) error {
	a.Version++
	a.LastChange = s.change(action)
	return s.put(assetKey(a.ID), a, RightPolicy)
}

// RegisterAsset puts an IP right on the register (A1, A2). IP office only.
func (s *Service) RegisterAsset(requestID, payload string) (string, error) {
	return s.submit("RegisterAsset", requestID, payload,
		func() error { return requireOrg(s.tx.Caller, "A1", MSPIPOffice) },
		func() (any, Event, error) {
			in, err := ParseAssetInput(payload)
			if err != nil {
				return nil, Event{}, err
			}
			if found, err := s.exists(assetKey(in.ID)); err != nil {
				return nil, Event{}, err
			} else if found {
				return nil, Event{}, Conflict("A2", "an IP right with this id is already registered",
					"assetId", in.ID, "reason", "id-registered")
			}
			taken, err := s.l.Scan(idxAssetNumber, []string{in.Kind, in.Number})
			if err != nil {
				return nil, Event{}, internal("scan", err)
			}
			if len(taken) > 0 {
				return nil, Event{}, Conflict("A2", "an IP right of this kind and official number is already registered",
					"number", in.Number, "reason", "number-registered")
			}
			status := in.LegalStatus
			if status == "" {
				status = LegalValid
			}
			a := &Asset{ApplicationDate: in.ApplicationDate, DocType: keyAsset, Encumbrances: []Encumbrance{},
				ExpiryDate: in.ExpiryDate, FeesPaidThrough: in.FeesPaidThrough, GrantDate: in.GrantDate, ID: in.ID,
				Kind: in.Kind, LegalStatus: status, Licenses: []License{}, MarkFamily: in.MarkFamily, NextRank: 1,
				NiceClass: in.NiceClass, Number: in.Number, Owners: in.Owners, Title: in.Title, TitleTxID: s.tx.ID}
			if err := s.saveAsset(a, "AssetRegistered"); err != nil {
				return nil, Event{}, err
			}
			if err := s.putIndex(RightPolicy, idxAssetNumber, in.Kind, in.Number, in.ID); err != nil {
				return nil, Event{}, err
			}
			if in.MarkFamily != "" {
				if err := s.putIndex(RightPolicy, idxAssetFamily, in.MarkFamily, in.ID); err != nil {
					return nil, Event{}, err
				}
			}
			return a, Event{Type: "AssetRegistered", ID: a.ID, AssetIDs: []string{a.ID}, Status: a.LegalStatus}, nil
		})
}

// UpdateAsset changes the legal status, fees, flags, expiry, title or mark family of an IP right
// (A1, A2). IP office only. Owners change only through a recorded transfer (T1).
func (s *Service) UpdateAsset(requestID, assetID, payload string) (string, error) {
	return s.submit("UpdateAsset", requestID, assetID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "A1", MSPIPOffice) },
		func() (any, Event, error) {
			var c check
			if c.id("assetId", assetID); c.err != nil {
				return nil, Event{}, c.err
			}
			p, err := ParseAssetPatch(payload)
			if err != nil {
				return nil, Event{}, err
			}
			a, err := s.loadAsset(assetID)
			if err != nil {
				return nil, Event{}, err
			}
			if p.MarkFamily != nil && *p.MarkFamily != "" && a.Kind != KindTrademark {
				return nil, Event{}, Invalid("markFamily", "applies to trademarks only")
			}
			if p.FeesPaidThrough != nil && !IsPatent(a.Kind) {
				return nil, Event{}, Invalid("feesPaidThrough", "applies to patents only")
			}
			if p.ExpiryDate != nil && *p.ExpiryDate <= a.GrantDate {
				return nil, Event{}, Invalid("expiryDate", "must be after grantDate")
			}
			var changed []string
			if p.LegalStatus != nil {
				a.LegalStatus = *p.LegalStatus
				changed = append(changed, "legalStatus")
			}
			if p.ExpiryDate != nil {
				a.ExpiryDate = *p.ExpiryDate
				changed = append(changed, "expiryDate")
			}
			if p.FeesPaidThrough != nil {
				a.FeesPaidThrough = *p.FeesPaidThrough
				changed = append(changed, "feesPaidThrough")
			}
			if p.Title != nil {
				a.Title = *p.Title
				changed = append(changed, "title")
			}
			// Flags in a fixed order: no map iteration reaches what is written.
			for _, f := range []struct {
				name string
				in   *FlagInput
				flag *Flag
			}{{"freeze", p.Freeze, &a.Freeze}, {"dispute", p.Dispute, &a.Dispute}, {"invalidation", p.Invalidation, &a.Invalidation}} {
				if f.in == nil {
					continue
				}
				if f.in.Active {
					since := f.flag.Since
					if !f.flag.Active {
						since = s.today()
					}
					*f.flag = Flag{Active: true, Ref: f.in.Ref, Since: since}
				} else {
					*f.flag = Flag{}
				}
				changed = append(changed, f.name)
			}
			if p.MarkFamily != nil && *p.MarkFamily != a.MarkFamily {
				if a.MarkFamily != "" {
					if err := s.delIndex(idxAssetFamily, a.MarkFamily, a.ID); err != nil {
						return nil, Event{}, err
					}
				}
				if *p.MarkFamily != "" {
					if err := s.putIndex(RightPolicy, idxAssetFamily, *p.MarkFamily, a.ID); err != nil {
						return nil, Event{}, err
					}
				}
				a.MarkFamily = *p.MarkFamily
				changed = append(changed, "markFamily")
			}
			if err := s.saveAsset(a, "AssetUpdated:"+strings.Join(changed, ",")); err != nil {
				return nil, Event{}, err
			}
			return a, Event{Type: "AssetUpdated", ID: a.ID, AssetIDs: []string{a.ID}, Status: a.LegalStatus}, nil
		})
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
