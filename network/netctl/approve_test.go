package netctl

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
)

// Samples of `peer lifecycle chaincode queryapproved --channelID C --name N --sequence S --output json`
// from Fabric v3.1: the peer prints the QueryApprovedChaincodeDefinitionResult message with
// encoding/json (json.MarshalIndent, tab indent), so its oneof source is {"Type": {"LocalPackage": ...}}.
const (
	approvedWithPackage = `{
	"sequence": 1,
	"version": "1.0",
	"endorsement_plugin": "escc",
	"validation_plugin": "vscc",
	"validation_parameter": "EhYSFAgBEgIIABICCAEaBBIEYmFuaw==",
	"collections": {
		"config": [
			{
				"Payload": {
					"StaticCollectionConfig": {
						"name": "bank1Private",
						"member_orgs_policy": {
							"Payload": {
								"SignaturePolicy": {
									"rule": {
										"Type": {
											"NOutOf": {
												"n": 1,
												"rules": [
													{
														"Type": {
															"SignedBy": 0
														}
													}
												]
											}
										}
									},
									"identities": [
										{
											"principal": "CglCYW5rMU1TUBAD"
										}
									]
								}
							}
						},
						"maximum_peer_count": 1,
						"member_only_read": true,
						"member_only_write": true
					}
				}
			}
		]
	},
	"source": {
		"Type": {
			"LocalPackage": {
				"package_id": "ipledger_1.0:6b1e0f5d9c2a4e8b7f3c1d0a9e8b7c6d5f4e3a2b1c0d9e8f7a6b5c4d3e2f1a0b"
			}
		}
	}
}
`
	// An organization that approved without a package (or whose package is gone).
	approvedUnavailable = `{
	"sequence": 1,
	"version": "1.0",
	"endorsement_plugin": "escc",
	"validation_plugin": "vscc",
	"validation_parameter": "EhYSFAgBEgIIABICCAEaBBIEYmFuaw==",
	"source": {
		"Type": {
			"Unavailable": {}
		}
	}
}
`
	samplePackageID = "ipledger_1.0:6b1e0f5d9c2a4e8b7f3c1d0a9e8b7c6d5f4e3a2b1c0d9e8f7a6b5c4d3e2f1a0b"
)

func TestParseApproved(t *testing.T) {
	a, err := parseApproved(approvedWithPackage)
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != "1.0" || a.Sequence != 1 || a.packageID() != samplePackageID {
		t.Errorf("parsed %+v, package id %q", a, a.packageID())
	}
	a, err = parseApproved(approvedUnavailable)
	if err != nil {
		t.Fatal(err)
	}
	if a.packageID() != "" || a.Version != "1.0" || a.Sequence != 1 {
		t.Errorf("parsed %+v, package id %q", a, a.packageID())
	}
	// What the peer prints when it fails is not an approval.
	if _, err := parseApproved("Error: query failed with status: 500 - failed to invoke backing implementation of 'QueryApprovedChaincodeDefinition': could not fetch approved chaincode definition (name: 'ipledger', sequence: '1') on channel 'ipledger'\n"); err == nil {
		t.Error("an error message parsed as an approval")
	}
}

func TestApproval_SkipDecision(t *testing.T) {
	withPkg, _ := parseApproved(approvedWithPackage)
	unavailable, _ := parseApproved(approvedUnavailable)
	for _, c := range []struct {
		name      string
		a         *approval
		version   string
		sequence  int
		packageID string
		skip      bool
	}{
		{"same definition and package: approving again would be refused", withPkg, "1.0", 1, samplePackageID, true},
		{"another package id (a rebuilt package): approve", withPkg, "1.0", 1, "ipledger_1.0:0000", false},
		{"another version: approve", withPkg, "1.1", 1, samplePackageID, false},
		{"another sequence: approve", withPkg, "1.0", 2, samplePackageID, false},
		{"approved without a package: approve with it", unavailable, "1.0", 1, samplePackageID, false},
		{"no package id of ours: never skip", unavailable, "1.0", 1, "", false},
	} {
		if got := c.a.sameAs(c.version, c.sequence, c.packageID); got != c.skip {
			t.Errorf("%s: skip %v, want %v", c.name, got, c.skip)
		}
	}
}

// The commit is skipped when querycommitted shows the definition at the topology's sequence.
func TestCommittedAs_SkipDecision(t *testing.T) {
	out := `{
	"sequence": 1,
	"version": "1.0",
	"endorsement_plugin": "escc",
	"validation_plugin": "vscc",
	"validation_parameter": "EhYSFAgBEgIIABICCAEaBBIEYmFuaw==",
	"approvals": {
		"Bank1MSP": true,
		"Bank2MSP": true
	}
}
`
	if err := committedAs("peer0", out, "1.0", 1); err != nil {
		t.Errorf("committed definition not recognized: %v", err)
	}
	if err := committedAs("peer0", out, "1.0", 2); err == nil {
		t.Error("sequence 2 taken as committed")
	}
	err := committedAs("peer0", "Error: query failed with status: 404 - namespace ipledger is not defined", "1.0", 1)
	var other *otherDefinition
	if err == nil || errors.As(err, &other) {
		t.Errorf("an undefined chaincode taken as committed, or as another definition: %v", err)
	}
	// Another program committed: an otherDefinition, which says the program is not the approved one.
	err = committedAs("peer0", out, "1.0-abc", 1)
	if !errors.As(err, &other) || !strings.Contains(err.Error(), "not the one the members approved") {
		t.Errorf("another program's definition: %v", err)
	}
}

// Every file of a package is 0600 inside the archive: connection.json holds a client key.
func TestTarGz_PrivateModes(t *testing.T) {
	code, err := tarGz(map[string][]byte{"connection.json": []byte(`{"client_key":"k"}`)})
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := tarGz(map[string][]byte{"code.tar.gz": code, "metadata.json": []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, archive := range [][]byte{pkg, code} {
		gz, err := gzip.NewReader(bytes.NewReader(archive))
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(gz)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if hdr.Mode != 0o600 {
				t.Errorf("%s has mode %o, want 600", hdr.Name, hdr.Mode)
			}
		}
	}
}
