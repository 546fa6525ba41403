package itest

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Payloads the integration tests send. Every right belongs to OwnerID unless a test says otherwise.
const (
	OwnerID   = "91420100MA4K0001"
	OwnerName = "Wuhan Optics Co."
	BuyerID   = "91420100MA4K0002"
)

var (
	uniqMu sync.Mutex
	uniqN  int
)

// Uniq makes an id unique to one run, so that a suite can run again on the same network.
func Uniq(prefix string) string {
	uniqMu.Lock()
	defer uniqMu.Unlock()
	uniqN++
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e12, uniqN)
}

func owners() []any { return []any{map[string]any{"id": OwnerID, "name": OwnerName, "share": 10000}} }

// Patent is a granted invention patent of OwnerID's.
func Patent(id string) map[string]any {
	return map[string]any{"id": id, "kind": "patent-invention", "number": "ZL-" + id, "title": "Test patent " + id,
		"owners": owners(), "applicationDate": "2020-01-15", "grantDate": "2022-03-01", "expiryDate": "2040-01-15",
		"feesPaidThrough": "2030-01-15"}
}

// Trademark is a registered mark of OwnerID's in Nice class 9, of the given mark family.
func Trademark(id, family string) map[string]any {
	return map[string]any{"id": id, "kind": "trademark", "number": "TM-" + id, "title": "Test mark " + id,
		"owners": owners(), "applicationDate": "2019-05-01", "grantDate": "2020-05-01", "expiryDate": "2035-05-01",
		"niceClass": 9, "markFamily": family}
}

// Terms are a pledge's private loan terms for an amount in CNY.
func Terms(amount string) map[string]any {
	return map[string]any{"amount": amount, "currency": "CNY", "interestRate": "3.85", "scope": "principal and interest"}
}

// Application is Bank One's pledge application on rights of OwnerID's.
func Application(assetIDs ...string) map[string]any {
	return map[string]any{"assetIds": assetIDs, "pledgors": []any{map[string]any{"id": OwnerID, "name": OwnerName}},
		"pledgeeName": "Bank One Wuhan", "debtKind": "loan", "debtTermStart": "2025-01-01", "debtTermEnd": "2027-12-31",
		"contractHash": strings.Repeat("ab", 32), "terms": Terms("5000000.00")}
}

// Court is the court whose freezes the suites record (C1).
const Court = "武汉市中级人民法院"

// Freeze is a court's freeze of a right (C1), for POST /v1/assets/{id}/freezes.
func Freeze(court, ref string) map[string]any { return map[string]any{"court": court, "ref": ref} }

// CourtTransfer is a court-ordered assignment of a right to BuyerID (C3): origin court-order (IP office)
// or judicial-auction (exchange), by the court with its decision ref.
func CourtTransfer(assetID, origin, court, ref string, pledgesPurged bool) map[string]any {
	return map[string]any{"assetId": assetID, "kind": "assignment", "origin": origin, "court": court, "courtRef": ref,
		"pledgesPurged": pledgesPurged,
		"newOwners":     []any{map[string]any{"id": BuyerID, "name": "Jiangcheng Lasers Co.", "share": 10000}}}
}

// TradeTransfer is the exchange's request to assign a right to BuyerID after a trade.
func TradeTransfer(assetID string) map[string]any {
	return map[string]any{"assetId": assetID, "kind": "assignment", "origin": "trade", "tradeRef": Uniq("WHIPE"),
		"newOwners": []any{map[string]any{"id": BuyerID, "name": "Jiangcheng Lasers Co.", "share": 10000}}}
}
