package rules

import (
	api "github.com/ipledger/ipledger/chaincode/api"
)

// parseDeregistration validates a DeregisterPledge payload (P13): a basis, the document's hash, and
// the case reference of a court judgment or arbitral award.
func parseDeregistration(payload string) (api.Deregistration, error) {
	var in api.Deregistration
	if err := DecodeStrict("deregistration", payload, &in); err != nil {
		return in, err
	}
	var c check
	enum(&c, "basis", in.Basis, api.DeregistrationBases)
	c.hash("documentHash", in.DocumentHash)
	if in.Basis == api.DeregistrationPledgorRequest {
		c.text("reference", in.Reference, 0, 200)
	} else {
		c.text("reference", in.Reference, 1, 200)
	}
	return in, c.err
}

// DeregisterPledge records the deregistration (注销登记) of an active pledge by the IP office (P13): on
// the pledgor's request with the pledgee's release document, or on a court's judgment or an arbitral
// award that has taken effect. The pledgor is not a member of the network, so the IP office records
// it; the pledge ends (status deregistered) and leaves its rights' encumbrances, as a release does.
// Its keys are under the pledgee's policy: the pledgee bank endorses the transaction too.
func (s *Service) DeregisterPledge(requestID, pledgeID, payload string) (string, error) {
	return s.submit(api.DeregisterPledge.Name, requestID, pledgeID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "P13", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			in, err := parseDeregistration(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			p, err := s.loadPledge(pledgeID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if err := requireStatus(p, "P13", api.PledgeRegistered, api.PledgeDefaulted); err != nil {
				return nil, api.Event{}, err
			}
			p.Deregistration = &api.DeregistrationRecord{At: s.now(), Basis: in.Basis, DocumentHash: in.DocumentHash,
				Reference: in.Reference, TxID: s.tx.ID}
			if err := s.endPledge(p, api.PledgeDeregistered, "PledgeDeregistered"); err != nil {
				return nil, api.Event{}, err
			}
			if err := s.savePledge(p, "PledgeDeregistered"); err != nil {
				return nil, api.Event{}, err
			}
			return p, s.pledgeEvent("PledgeDeregistered", p), nil
		})
}
