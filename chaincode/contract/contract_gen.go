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

// RecordAccreditation records, or renews with a new period, a valuation agency's accreditation (F1). payload: [api.AccreditationInput].
func (c *Contract) RecordAccreditation(ctx contractapi.TransactionContextInterface, requestID string, valuerMSP string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RecordAccreditation(requestID, valuerMSP, payload) })
}

// SetAccreditationStatus suspends or withdraws an agency's accreditation with a reason, or accredits a suspended agency again (F1). payload: [api.AccreditationStatusInput].
func (c *Contract) SetAccreditationStatus(ctx contractapi.TransactionContextInterface, requestID string, valuerMSP string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.SetAccreditationStatus(requestID, valuerMSP, payload) })
}

// GetAccreditation returns a valuation agency's accreditation (F1).
func (c *Contract) GetAccreditation(ctx contractapi.TransactionContextInterface, valuerMSP string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetAccreditation(valuerMSP) })
}

// IssueValuationReport issues a valuation report of IP rights for a client bank; its value travels in the transient map (F2). payload: [api.ValuationReportInput].
func (c *Contract) IssueValuationReport(ctx contractapi.TransactionContextInterface, requestID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.IssueValuationReport(requestID, payload) })
}

// WithdrawValuationReport withdraws a valuation report no pledge in force cites (F2). payload: [api.Reason].
func (c *Contract) WithdrawValuationReport(ctx contractapi.TransactionContextInterface, requestID string, reportID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.WithdrawValuationReport(requestID, reportID, payload) })
}

// GetValuationReport returns the public record of a valuation report (F2).
func (c *Contract) GetValuationReport(ctx contractapi.TransactionContextInterface, reportID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetValuationReport(reportID) })
}

// GetValuationValue returns a valuation report's value to the agency, the client bank, the IP office and the regulator (F2). Answered sealed to the caller's certificate key.
func (c *Contract) GetValuationValue(ctx contractapi.TransactionContextInterface, reportID string) (string, error) {
	return sealed(ctx, func(s *rules.Service) (string, error) { return s.GetValuationValue(reportID) })
}

// ListValuationReports lists the valuation reports of an agency, for a bank, or of an IP right, paginated (F2).
func (c *Contract) ListValuationReports(ctx contractapi.TransactionContextInterface, valuer string, clientBank string, assetID string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) {
		return s.ListValuationReports(valuer, clientBank, assetID, pageSize, bookmark)
	})
}

// RecordCover records an insurer's insurance or guarantee on a registered pledge's loan (F4). payload: [api.CoverInput].
func (c *Contract) RecordCover(ctx contractapi.TransactionContextInterface, requestID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RecordCover(requestID, payload) })
}

// RecordCoverPayment records what the insurer paid on the bank's loss after default and disposal, within the covered share (F5). payload: [api.CoverPaymentInput].
func (c *Contract) RecordCoverPayment(ctx contractapi.TransactionContextInterface, requestID string, coverID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RecordCoverPayment(requestID, coverID, payload) })
}

// GetCover returns a cover with its payment (F4, F5).
func (c *Contract) GetCover(ctx contractapi.TransactionContextInterface, coverID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetCover(coverID) })
}

// ListCovers lists the covers of a pledge or of an insurer, paginated (F4).
func (c *Contract) ListCovers(ctx contractapi.TransactionContextInterface, pledgeID string, insurer string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListCovers(pledgeID, insurer, pageSize, bookmark) })
}

// GetLoss returns the pledgee's loss on a disposed pledge: claim, proceeds, insurance paid, net (F5).
func (c *Contract) GetLoss(ctx contractapi.TransactionContextInterface, pledgeID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetLoss(pledgeID) })
}

// SetFundRules records the fund's figures for a year, before its first approval (F6). payload: [api.FundRulesInput].
func (c *Contract) SetFundRules(ctx contractapi.TransactionContextInterface, requestID string, year string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.SetFundRules(requestID, year, payload) })
}

// GetFundRules returns the fund's figures for a year (F6).
func (c *Contract) GetFundRules(ctx contractapi.TransactionContextInterface, year string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetFundRules(year) })
}

// GetFundUsage returns what the fund approved in a year, in all, for a bank or for an enterprise (F7, F8).
func (c *Contract) GetFundUsage(ctx contractapi.TransactionContextInterface, year string, bank string, enterprise string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetFundUsage(year, bank, enterprise) })
}

// FileFundClaim files the pledgee bank's claim on the fund for its loss on a disposed pledge (F7). payload: [api.FundClaimInput].
func (c *Contract) FileFundClaim(ctx contractapi.TransactionContextInterface, requestID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.FileFundClaim(requestID, payload) })
}

// ApproveFundClaim approves a claim within the fund's caps per loan, bank and year (F7). payload: [api.FundDecisionInput].
func (c *Contract) ApproveFundClaim(ctx contractapi.TransactionContextInterface, requestID string, id string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.ApproveFundClaim(requestID, id, payload) })
}

// RefuseFundClaim refuses a claim with reasons (F7). payload: [api.Refusal].
func (c *Contract) RefuseFundClaim(ctx contractapi.TransactionContextInterface, requestID string, id string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RefuseFundClaim(requestID, id, payload) })
}

// PayFundClaim records the payment of an approved claim (F7). payload: [api.FundPaymentInput].
func (c *Contract) PayFundClaim(ctx contractapi.TransactionContextInterface, requestID string, id string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.PayFundClaim(requestID, id, payload) })
}

// GetFundClaim returns a claim on the fund (F7).
func (c *Contract) GetFundClaim(ctx contractapi.TransactionContextInterface, claimID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetFundClaim(claimID) })
}

// ListFundClaims lists the claims on the fund of a pledge or in a status, paginated (F7).
func (c *Contract) ListFundClaims(ctx contractapi.TransactionContextInterface, pledgeID string, status string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListFundClaims(pledgeID, status, pageSize, bookmark) })
}

// ApplyForSubsidy applies for a loan-interest, premium or valuation-fee subsidy on a registered pledge (F8). payload: [api.SubsidyInput].
func (c *Contract) ApplyForSubsidy(ctx contractapi.TransactionContextInterface, requestID string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.ApplyForSubsidy(requestID, payload) })
}

// ApproveSubsidy approves a subsidy within the enterprise's cap for the year (F8). payload: [api.FundDecisionInput].
func (c *Contract) ApproveSubsidy(ctx contractapi.TransactionContextInterface, requestID string, id string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.ApproveSubsidy(requestID, id, payload) })
}

// RefuseSubsidy refuses a subsidy with reasons (F8). payload: [api.Refusal].
func (c *Contract) RefuseSubsidy(ctx contractapi.TransactionContextInterface, requestID string, id string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.RefuseSubsidy(requestID, id, payload) })
}

// PaySubsidy records the payment of an approved subsidy (F8). payload: [api.FundPaymentInput].
func (c *Contract) PaySubsidy(ctx contractapi.TransactionContextInterface, requestID string, id string, payload string) (string, error) {
	return submit(ctx, func(s *rules.Service) (string, error) { return s.PaySubsidy(requestID, id, payload) })
}

// GetSubsidy returns a subsidy with the flags of its loan (F8).
func (c *Contract) GetSubsidy(ctx contractapi.TransactionContextInterface, subsidyID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetSubsidy(subsidyID) })
}

// ListSubsidies lists the subsidies of a pledge or in a status, with their loans' flags, paginated (F8).
func (c *Contract) ListSubsidies(ctx contractapi.TransactionContextInterface, pledgeID string, status string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListSubsidies(pledgeID, status, pageSize, bookmark) })
}

// GetEvaluation returns the evaluation of the IP finance over a window of dates: loans and amounts by bank, industry and region, valuations against disposal proceeds, insurance and fund payouts, subsidies and the loans they supported with their flags (F9); a bank's of its own loans. Answered sealed to the caller's certificate key.
func (c *Contract) GetEvaluation(ctx contractapi.TransactionContextInterface, from string, to string) (string, error) {
	return sealed(ctx, func(s *rules.Service) (string, error) { return s.GetEvaluation(from, to) })
}
