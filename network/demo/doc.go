// Package demo fills an empty IPLedger ledger, through the gateways' HTTP API as any client would,
// with an invented data set to look at: rights of Wuhan and Hubei companies, pledges at both banks in
// every status, a package, a transfer consented by the pledgee bank, licences, court freezes, defaults
// and disposals at the exchange, and applications left for the IP office to examine. `scripts/ipledger
// demo` runs it (network/cmd/demo) against the network `up` started.
package demo
