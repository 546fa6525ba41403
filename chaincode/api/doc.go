// Package api is IPLedger's shared vocabulary: the words every part of the system uses and no part
// owns. It holds the records the chaincode writes and returns (wire types), their typed kinds and
// statuses, the organizations and roles of the network, one error type that speaks in codes, the
// ledger proof of a transaction, and the catalogue of operations ([Operations]): every chaincode
// transaction with whether it writes, whether it carries private terms, which organizations must
// endorse it and the HTTP route that serves it.
//
// It depends on nothing but the standard library. The rule engine (chaincode/rules) decides with
// these words, the contract adapter (chaincode/contract) publishes the catalogue's read-only list,
// the gateway (gateway/...) routes, endorses and explains with them, and the tests and the benchmark
// take transaction names from the catalogue instead of spelling them.
//
// HTTP statuses are not part of this vocabulary: the chaincode speaks codes ([Code]) and the HTTP
// layer (gateway/httpapi) decides what status a code is answered with.
package api
