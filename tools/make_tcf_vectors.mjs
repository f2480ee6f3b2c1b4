// Writes tests/data/tcf_vectors.json: IAB TCF v2 TC strings encoded by the official
// @iabtechlabtcf/core library, each with the fields that library decodes from it. The tests
// (tests/test_consent_tcf.py) check scanner.consent.tcf against these fields, without node.
//
// The library is a dev-time oracle only (Apache-2.0); nothing of it ships with the scanner.
// Run once, from the checkout root, after installing it somewhere outside the checkout:
//
//   mkdir -p /tmp/tcforacle && (cd /tmp/tcforacle && npm init -y && npm install @iabtechlabtcf/core@1.5.21)
//   NODE_PATH=/tmp/tcforacle/node_modules node tools/make_tcf_vectors.mjs [/tmp/tcforacle/node_modules]
//
// The optional argument is the node_modules folder holding the library (ES modules ignore NODE_PATH).

import { writeFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const modules = resolve(process.argv[2] || process.env.NODE_PATH || "/tmp/tcforacle/node_modules");
const pkgDir = join(modules, "@iabtechlabtcf", "core");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const lib = await import(pathToFileURL(join(pkgDir, "lib", "mjs", "index.js")).href);
const { TCModel, TCString, GVL, PurposeRestriction, RestrictionType, Segment } = lib;

// A small made-up vendor list: every vendor declares purposes and flexible purposes so the library
// keeps the signals we set (it drops signals a vendor could not have).
function makeGvl(maxVendor, deleted = [], policy = 5) {
  const ids = (n) => Array.from({ length: n }, (_, i) => i + 1);
  const named = (n, word) => Object.fromEntries(ids(n).map((i) => [i, { id: i, name: `${word} ${i}` }]));
  const vendors = {};
  for (let id = 1; id <= maxVendor; id++) {
    if (deleted.includes(id)) continue;
    vendors[id] = {
      id,
      name: `Vendor ${id}`,
      purposes: [1, 2, 3, 4, 7, 9, 10],
      legIntPurposes: [2, 7, 8],
      flexiblePurposes: [2, 7, 9, 10],
      specialPurposes: [1, 2],
      features: [1],
      specialFeatures: [1],
      cookieMaxAgeSeconds: 86400 * (id % 400),
      usesCookies: true,
    };
  }
  return new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: 123,
    tcfPolicyVersion: policy,
    lastUpdated: "2026-01-01T00:00:00Z",
    purposes: named(11, "Purpose"),
    specialPurposes: named(3, "Special purpose"),
    features: named(3, "Feature"),
    specialFeatures: named(2, "Special feature"),
    stacks: {},
    dataCategories: {},
    vendors,
  });
}

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const idsOf = (vector) => {
  const out = [];
  vector.forEach((value, id) => {
    if (value) out.push(Number(id));
  });
  return out;
};

function fieldsOf(model) {
  const restrictions = [];
  for (const pr of model.publisherRestrictions.getRestrictions()) {
    restrictions.push({
      purpose_id: pr.purposeId,
      restriction_type: pr.restrictionType,
      vendors: model.publisherRestrictions.getVendors(pr).map(Number).sort((a, b) => a - b),
    });
  }
  restrictions.sort((a, b) => a.purpose_id - b.purpose_id || a.restriction_type - b.restriction_type);
  return {
    version: model.version,
    created_ds: Math.round(model.created.getTime() / 100),
    last_updated_ds: Math.round(model.lastUpdated.getTime() / 100),
    cmp_id: model.cmpId,
    cmp_version: model.cmpVersion,
    consent_screen: model.consentScreen,
    consent_language: model.consentLanguage,
    vendor_list_version: model.vendorListVersion,
    policy_version: model.policyVersion,
    is_service_specific: model.isServiceSpecific,
    use_non_standard_texts: model.useNonStandardTexts,
    special_feature_optins: idsOf(model.specialFeatureOptins),
    purpose_consents: idsOf(model.purposeConsents),
    purpose_legitimate_interests: idsOf(model.purposeLegitimateInterests),
    purpose_one_treatment: model.purposeOneTreatment,
    publisher_country_code: model.publisherCountryCode,
    vendor_consents: idsOf(model.vendorConsents),
    vendor_legitimate_interests: idsOf(model.vendorLegitimateInterests),
    publisher_restrictions: restrictions,
    vendors_disclosed: idsOf(model.vendorsDisclosed),
    vendors_allowed: idsOf(model.vendorsAllowed),
    publisher_consents: idsOf(model.publisherConsents),
    publisher_legitimate_interests: idsOf(model.publisherLegitimateInterests),
    num_custom_purposes: model.numCustomPurposes,
    publisher_custom_consents: idsOf(model.publisherCustomConsents),
    publisher_custom_legitimate_interests: idsOf(model.publisherCustomLegitimateInterests),
  };
}

// Each case: how to fill the model and which segments to write.
const CASES = [
  {
    name: "core only, nothing granted",
    maxVendor: 10,
    segments: [Segment.CORE],
    fill: (m) => {},
  },
  {
    name: "core only, small bitfield",
    maxVendor: 40,
    segments: [Segment.CORE],
    fill: (m) => {
      m.purposeConsents.set([1, 2, 3, 4, 7, 9, 10]);
      m.purposeLegitimateInterests.set([2, 7, 8]);
      m.specialFeatureOptins.set([1]);
      m.vendorConsents.set([1, 2, 3, 5, 8, 13, 21, 34]);
      m.vendorLegitimateInterests.set([2, 4, 6]);
    },
  },
  {
    name: "accept all: long runs, range encoding",
    maxVendor: 1200,
    deleted: [50, 51, 52, 700],
    segments: [Segment.CORE, Segment.VENDORS_DISCLOSED],
    fill: (m) => {
      m.purposeConsents.set(range(1, 11));
      m.purposeLegitimateInterests.set([2, 7, 8, 9, 10, 11]);
      m.specialFeatureOptins.set([1, 2]);
      m.vendorConsents.set(range(1, 1200));
      m.vendorLegitimateInterests.set(range(1, 1200));
      m.vendorsDisclosed.set(range(1, 1200));
    },
  },
  {
    name: "reject all: disclosed vendors only",
    maxVendor: 900,
    segments: [Segment.CORE, Segment.VENDORS_DISCLOSED],
    fill: (m) => {
      m.vendorsDisclosed.set([...range(1, 300), ...range(305, 880), 897]);
    },
  },
  {
    name: "sparse high ids",
    maxVendor: 1500,
    segments: [Segment.CORE, Segment.VENDORS_DISCLOSED],
    fill: (m) => {
      m.purposeConsents.set([1]);
      m.vendorConsents.set([755, 1499]);
      m.vendorLegitimateInterests.set([91]);
      m.vendorsDisclosed.set([11, 91, 755, 1499]);
    },
  },
  {
    name: "service specific with publisher restrictions and publisher TC",
    maxVendor: 60,
    isServiceSpecific: true,
    segments: [Segment.CORE, Segment.VENDORS_DISCLOSED, Segment.PUBLISHER_TC],
    fill: (m) => {
      m.purposeConsents.set([1, 2, 3]);
      m.vendorConsents.set([1, 2, 3, 4]);
      m.publisherRestrictions.add(1, new PurposeRestriction(2, RestrictionType.NOT_ALLOWED));
      m.publisherRestrictions.add(2, new PurposeRestriction(2, RestrictionType.NOT_ALLOWED));
      m.publisherRestrictions.add(3, new PurposeRestriction(2, RestrictionType.NOT_ALLOWED));
      m.publisherRestrictions.add(9, new PurposeRestriction(2, RestrictionType.NOT_ALLOWED));
      m.publisherRestrictions.add(5, new PurposeRestriction(7, RestrictionType.REQUIRE_CONSENT));
      m.publisherRestrictions.add(6, new PurposeRestriction(9, RestrictionType.REQUIRE_LI));
      m.publisherConsents.set([1, 3, 5]);
      m.publisherLegitimateInterests.set([2]);
      m.numCustomPurposes = 4;
      m.publisherCustomConsents.set([1, 3]);
      m.publisherCustomLegitimateInterests.set([2, 4]);
      m.vendorsDisclosed.set(range(1, 60));
    },
  },
  {
    name: "allowed vendors segment",
    maxVendor: 100,
    segments: [Segment.CORE, Segment.VENDORS_DISCLOSED, Segment.VENDORS_ALLOWED],
    fill: (m) => {
      m.purposeConsents.set([1, 2]);
      m.vendorConsents.set([10, 20, 30]);
      m.vendorsDisclosed.set(range(1, 100));
      m.vendorsAllowed.set([10, 20, 30, 40]);
    },
  },
  {
    name: "purpose one treatment, non-standard texts, German publisher, policy 4",
    maxVendor: 20,
    policy: 4,
    segments: [Segment.CORE],
    fill: (m) => {
      m.purposeOneTreatment = true;
      m.useNonStandardTexts = true;
      m.publisherCountryCode = "DE";
      m.consentScreen = 3;
      m.purposeConsents.set([2, 3, 4]);
      m.vendorConsents.set([7]);
    },
  },
];

const vectors = [];
let n = 0;
for (const c of CASES) {
  n++;
  const gvl = makeGvl(c.maxVendor, c.deleted || [], c.policy || 5);
  const model = new TCModel(gvl);
  model.cmpId = 300 + n;
  model.cmpVersion = n;
  model.consentScreen = 1;
  model.isServiceSpecific = !!c.isServiceSpecific;
  model.publisherCountryCode = "FR";
  c.fill(model);
  model.created = new Date(Date.UTC(2026, 0, n, 10, 30, 15, 300));
  model.lastUpdated = new Date(Date.UTC(2026, 1, n, 8, 0, 0, 0));
  const tcString = TCString.encode(model, { segments: c.segments });
  const decoded = TCString.decode(tcString);
  vectors.push({ name: c.name, tc_string: tcString, fields: fieldsOf(decoded) });
}

const out = {
  generator: "tools/make_tcf_vectors.mjs",
  oracle: `${pkg.name}@${pkg.version} (${pkg.license})`,
  note: "created_ds/last_updated_ds are deciseconds since the Unix epoch, as stored in the string",
  vectors,
};
writeFileSync(resolve("tests/data/tcf_vectors.json"), JSON.stringify(out, null, 1) + "\n");
console.log(`wrote ${vectors.length} vectors with ${out.oracle}`);
