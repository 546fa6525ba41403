// Package demo fills an empty IPLedger ledger, through the gateways' HTTP API as any client would,
// with an invented data set to look at: rights of Wuhan and Hubei companies, pledges at both banks in
// every status, a package, a transfer consented by the pledgee bank, licences, court freezes, defaults
// and disposals at the exchange, and work left in every queue: applications for the IP office to
// examine, transfers waiting for each bank's consent and for the IP office, a licence request, a change
// and an extension of a pledge (with others recorded and refused), beside a refused transfer and a
// terminated licence. `scripts/ipledger demo` runs it (network/cmd/demo) against the network `up`
// started.
package demo
