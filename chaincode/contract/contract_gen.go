// Code generated from the catalogue (chaincode/api) by TestContractIsGenerated; DO NOT EDIT.

package contract

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/ipledger/ipledger/chaincode/rules"
)

// Ping returns the chaincode version; reads nothing and admits any caller: readiness checks use it.
func (c *Contract) Ping(ctx contractapi.TransactionContextInterface) (string, error) {
	return rules.Ping()
}

// PlanSubmission dry-runs a submission (its request id first in the JSON array args) and answers a Plan: the organizations whose endorsement its writes need, or the decision of a repeated request (I1, I3).
func (c *Contract) PlanSubmission(ctx contractapi.TransactionContextInterface, function string, args string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.PlanSubmission(function, args) })
}

// RegisterAsset registers an IP right (A1, A2). payload: [api.AssetInput].
func (c *Contract) RegisterAsset(ctx contractapi.TransactionContextInterface, requestID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RegisterAsset(requestID, payload) })
}

// ImportAssets registers a batch of up to MaxImportAssets IP rights in one transaction (A1, A2). payload: [api.ImportInput].
func (c *Contract) ImportAssets(ctx contractapi.TransactionContextInterface, requestID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.ImportAssets(requestID, payload) })
}

// UpdateAsset changes an IP right's legal status, fees, dispute or invalidation flag, expiry, title or mark family (A1). payload: [api.AssetPatch].
func (c *Contract) UpdateAsset(ctx contractapi.TransactionContextInterface, requestID string, assetID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.UpdateAsset(requestID, assetID, payload) })
}

// RecordFreeze records a court's freeze of an IP right: in effect, or waiting behind earlier ones in order of arrival (C1). payload: [api.FreezeInput].
func (c *Contract) RecordFreeze(ctx contractapi.TransactionContextInterface, requestID string, assetID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RecordFreeze(requestID, assetID, payload) })
}

// LiftFreeze lifts a court's freeze; when it was in effect, the first waiting one takes effect now (C2). payload: [api.LiftInput].
func (c *Contract) LiftFreeze(ctx contractapi.TransactionContextInterface, requestID string, assetID string, n string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.LiftFreeze(requestID, assetID, n, payload) })
}

// GetAsset returns an IP right with its active encumbrances (A3).
func (c *Contract) GetAsset(ctx contractapi.TransactionContextInterface, assetID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetAsset(assetID) })
}

// FindAssetsByNumber finds the IP rights with an official number (A3).
func (c *Contract) FindAssetsByNumber(ctx contractapi.TransactionContextInterface, number string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.FindAssetsByNumber(number) })
}

// GetAssetHistory returns every version of an IP right with tx id, time, MSP and submitter (I2).
func (c *Contract) GetAssetHistory(ctx contractapi.TransactionContextInterface, assetID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetAssetHistory(assetID) })
}

// GetStatement returns the title-and-encumbrance statement of an IP right.
func (c *Contract) GetStatement(ctx contractapi.TransactionContextInterface, assetID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetStatement(assetID) })
}

// ApplyPledge files a pledge application (P1, P2, P4, P5). payload: [api.PledgeApplication]. Private terms in the transient map under "terms".
func (c *Contract) ApplyPledge(ctx contractapi.TransactionContextInterface, requestID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.ApplyPledge(requestID, payload) })
}

// RegisterPledge registers an applied pledge (P3). payload: [api.Registration].
func (c *Contract) RegisterPledge(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RegisterPledge(requestID, pledgeID, payload) })
}

// RefusePledge refuses an applied pledge (P3). payload: [api.Refusal].
func (c *Contract) RefusePledge(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RefusePledge(requestID, pledgeID, payload) })
}

// RevokePledge revokes an improper registration (P6). payload: [api.Reason].
func (c *Contract) RevokePledge(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RevokePledge(requestID, pledgeID, payload) })
}

// AmendPledge files a change of names, debt kind, contract or private terms, in force once recorded (P6). payload: [api.Amendment]. Private terms in the transient map under "terms".
func (c *Contract) AmendPledge(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.AmendPledge(requestID, pledgeID, payload) })
}

// ExtendPledge files an extension of the debt term, in force once recorded (P6). payload: [api.Extension].
func (c *Contract) ExtendPledge(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.ExtendPledge(requestID, pledgeID, payload) })
}

// RecordPledgeChange records a filed change or extension: it takes effect now (P6).
func (c *Contract) RecordPledgeChange(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, changeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) {
		return s.RecordPledgeChange(requestID, pledgeID, changeID, payload)
	})
}

// RefusePledgeChange refuses a filed change or extension: the pledge stays as it was (P6). payload: [api.Refusal].
func (c *Contract) RefusePledgeChange(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, changeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) {
		return s.RefusePledgeChange(requestID, pledgeID, changeID, payload)
	})
}

// ReleasePledge releases a pledge (P6). payload: [api.Reason].
func (c *Contract) ReleasePledge(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.ReleasePledge(requestID, pledgeID, payload) })
}

// DeregisterPledge deregisters a pledge on the pledgor's request with the pledgee's release document, or on a judgment or arbitral award (P13). payload: [api.Deregistration].
func (c *Contract) DeregisterPledge(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.DeregisterPledge(requestID, pledgeID, payload) })
}

// DeclareDefault records the debtor's default and the outstanding secured claim (P8). payload: [api.DefaultInput].
func (c *Contract) DeclareDefault(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.DeclareDefault(requestID, pledgeID, payload) })
}

// StateClaim states the outstanding secured claim of an active pledge, to be paid from a disposal (P8). payload: [api.ClaimInput].
func (c *Contract) StateClaim(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.StateClaim(requestID, pledgeID, payload) })
}

// DisposePledge records the disposal of a defaulted pledge (P8). payload: [api.DisposalInput].
func (c *Contract) DisposePledge(ctx contractapi.TransactionContextInterface, requestID string, pledgeID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.DisposePledge(requestID, pledgeID, payload) })
}

// GetPledge returns the public record of a pledge (V1).
func (c *Contract) GetPledge(ctx contractapi.TransactionContextInterface, pledgeID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetPledge(pledgeID) })
}

// GetPledgeTerms returns the private terms to an entitled caller (V2). Answered sealed to the caller's certificate key.
func (c *Contract) GetPledgeTerms(ctx contractapi.TransactionContextInterface, pledgeID string) (string, error) {
	return sealed(ctx, func(s *rules.Service) (string, error) { return s.GetPledgeTerms(pledgeID) })
}

// GetPledgeHistory returns every version of a pledge's public record (I2).
func (c *Contract) GetPledgeHistory(ctx contractapi.TransactionContextInterface, pledgeID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetPledgeHistory(pledgeID) })
}

// ListPledgesByAsset lists the pledges on an IP right, paginated.
func (c *Contract) ListPledgesByAsset(ctx contractapi.TransactionContextInterface, assetID string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListPledgesByAsset(assetID, pageSize, bookmark) })
}

// ListPledgesByPledgee lists a bank's pledges, paginated.
func (c *Contract) ListPledgesByPledgee(ctx contractapi.TransactionContextInterface, pledgeeMSP string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListPledgesByPledgee(pledgeeMSP, pageSize, bookmark) })
}

// ListPledgesByStatus lists the pledges in a status, paginated.
func (c *Contract) ListPledgesByStatus(ctx contractapi.TransactionContextInterface, status string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListPledgesByStatus(status, pageSize, bookmark) })
}

// ListOverdueExaminations lists the applications overdue for examination (P9) at an instant, now by default, paginated.
func (c *Contract) ListOverdueExaminations(ctx contractapi.TransactionContextInterface, asOf string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListOverdueExaminations(asOf, pageSize, bookmark) })
}

// RequestTransfer requests a transfer or licence of an IP right, or a court-ordered transfer (T1, C3). payload: [api.TransferRequest].
func (c *Contract) RequestTransfer(ctx contractapi.TransactionContextInterface, requestID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RequestTransfer(requestID, payload) })
}

// ConsentToTransfer records a pledgee's consent (P7). payload: [api.ConsentInput].
func (c *Contract) ConsentToTransfer(ctx contractapi.TransactionContextInterface, requestID string, transferID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.ConsentToTransfer(requestID, transferID, payload) })
}

// RecordTransfer records a transfer: the title changes (T1, T2, T3, C3).
func (c *Contract) RecordTransfer(ctx contractapi.TransactionContextInterface, requestID string, transferID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RecordTransfer(requestID, transferID, payload) })
}

// RefuseTransfer refuses a transfer (T1). payload: [api.Refusal].
func (c *Contract) RefuseTransfer(ctx contractapi.TransactionContextInterface, requestID string, transferID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RefuseTransfer(requestID, transferID, payload) })
}

// GetTransfer returns a transfer (V1).
func (c *Contract) GetTransfer(ctx contractapi.TransactionContextInterface, transferID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetTransfer(transferID) })
}

// GetTransferHistory returns every version of a transfer (I2).
func (c *Contract) GetTransferHistory(ctx contractapi.TransactionContextInterface, transferID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetTransferHistory(transferID) })
}

// ListTransfers lists transfers by IP right, status, requesting organization, kind, and the bank whose consent they wait for (P7), in id order, paginated (T1).
func (c *Contract) ListTransfers(ctx contractapi.TransactionContextInterface, assetID string, status string, requestedBy string, pageSize int32, bookmark string, kind string, consentOf string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) {
		return s.ListTransfers(assetID, status, requestedBy, pageSize, bookmark, kind, consentOf)
	})
}

// TerminateLicense records the early termination of a licence, named by the transfer that recorded it (L3). payload: [api.TerminationInput].
func (c *Contract) TerminateLicense(ctx contractapi.TransactionContextInterface, requestID string, assetID string, transferID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) {
		return s.TerminateLicense(requestID, assetID, transferID, payload)
	})
}

// SearchParties finds parties by unified social credit code or part of a name, with the rights they own and the pledges they gave, paginated (S1).
func (c *Contract) SearchParties(ctx contractapi.TransactionContextInterface, id string, name string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.SearchParties(id, name, pageSize, bookmark) })
}

// GetParty returns a party's rights and the pledges it gave, paginated (S1).
func (c *Contract) GetParty(ctx contractapi.TransactionContextInterface, partyID string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetParty(partyID, pageSize, bookmark) })
}

// GetPartyExtract returns the search extract of a party: every right it owns and every pledge it gave, as of now (S2).
func (c *Contract) GetPartyExtract(ctx contractapi.TransactionContextInterface, partyID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetPartyExtract(partyID) })
}

// GetStatistics returns the regulator's statistics of the pledges over a window of dates, by month, quarter or year: registrations, releases, refusals, revocations, times to decision, defaults and disposals, amounts secured by bank and kind of right (of the terms the caller's organization holds), concentration; of one pledgee bank's pledges, or one kind of right's, when asked. Answered sealed to the caller's certificate key.
func (c *Contract) GetStatistics(ctx contractapi.TransactionContextInterface, from string, to string, interval string, pledgee string, kind string) (string, error) {
	return sealed(ctx, func(s *rules.Service) (string, error) { return s.GetStatistics(from, to, interval, pledgee, kind) })
}

// ListStateKeys lists one page of the keys of one family of the public state (or the simple keys), with the SHA-256 of each value.
func (c *Contract) ListStateKeys(ctx contractapi.TransactionContextInterface, family string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListStateKeys(family, pageSize, bookmark) })
}

// GetStateDigests returns the SHA-256 of the public value of given keys and the hash of their private values in the collections named.
func (c *Contract) GetStateDigests(ctx contractapi.TransactionContextInterface, keys string, collections string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetStateDigests(keys, collections) })
}
