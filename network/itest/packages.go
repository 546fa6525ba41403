package itest

// Packages are the packages whose tests need the real network (build tag "integration"), relative to
// the module root, in the order `scripts/ipledger test integration` runs them, one at a time. The
// fault tests come last: they kill and restart parts of the network, through the gateways.
// TestPackagesListsEveryIntegrationPackage fails when a package with integration tests is missing.
var Packages = []string{
	"./network/netns",  // network namespaces as hosts: cut, heal, delay; no Fabric, needs root
	"./network/netctl", // networks of its own (own directory and port base): a failed up; a third bank; renewals under load
	"./chaincode/chaincodetest",
	"./gateway/fabric", // the peer's texts the adapter matches, provoked from the real peer
	"./gateway/gatewaytest",
	// the gateways' read models: catch-up after a stopped gateway (it stops and starts Bank2's), private
	// collections, answers equal to the chaincode's
	"./gateway/readmodel/readmodeltest",
	"./gateway/readmodel", // its unit tests again, on a PostgreSQL database of their own in the regulator's server
	"./network/e2e",
	"./gateway/console/consoletest",
	// the demo data set, filled (forced: the ledger has the tests' rights), refused, then replayed
	"./network/demo",
	"./network/networktest",
	"./network/bench", // a short smoke run of the benchmark tool, through the gateways and bare
	"./network/faulttest",
	// every organization on a host of its own (network namespaces), a consortium of its own
	"./network/multihost",
	// the consortium changes: a user of its own enrolled, then revoked (a CRL config block)
	"./network/consortiumtest",
	// upgrades the chaincode under load: last, after every package that uses the shared network
	"./network/upgradetest",
}
