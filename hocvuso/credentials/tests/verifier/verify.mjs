// An independent verifier for the tests: Digital Bazaar's VC and Data Integrity libraries (not our code) verify a
// credential's eddsa-rdfc-2022 proof and its Bitstring Status List entries. Everything it may load is given on
// stdin (the DID document, the status list credentials) or read from our vendored contexts; any other URL is an
// error, so nothing is fetched from the network.
// stdin: {"contextsDir": "...", "contexts": {url: file}, "didDocument": {...}, "documents": {url: doc},
//         "credential": {...}}
// stdout: {"verified": bool, "proofVerified": bool, "statuses": {"revocation": bool, ...}, "error": "..."}
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const input = JSON.parse(readFileSync(0, 'utf8'));
const did = input.didDocument.id;
const contexts = {};
for(const [url, file] of Object.entries(input.contexts)) {
  contexts[url] = JSON.parse(readFileSync(join(input.contextsDir, file), 'utf8'));
}

async function documentLoader(url) {
  let document;
  if(contexts[url]) {
    document = contexts[url];
  } else if(url === did) {
    document = input.didDocument;
  } else if(url.startsWith(did + '#')) {
    const method = input.didDocument.verificationMethod.find(m => m.id === url);
    if(!method) {
      throw new Error(`verification method not in the DID document: ${url}`);
    }
    document = {'@context': 'https://w3id.org/security/multikey/v1', ...method};
  } else if(input.documents[url]) {
    document = input.documents[url];
  } else {
    throw new Error(`refusing to load ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document};
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const out = {verified: false, proofVerified: false, statuses: {}, error: ''};
try {
  const result = await vc.verifyCredential({credential: input.credential, suite, documentLoader, checkStatus});
  out.verified = result.verified;
  out.proofVerified = Boolean(result.results && result.results.length && result.results.every(r => r.verified));
  for(const status of (result.statusResult && result.statusResult.results) || []) {
    out.statuses[status.credentialStatus.statusPurpose] = status.status;
  }
  if(!result.verified) {
    const errors = [result.error, ...(result.results || []).map(r => r.error)].filter(Boolean);
    out.error = errors.map(e => (e.errors || [e]).map(x => x.message).join('; ')).join('; ');
  }
} catch(error) {
  out.error = String(error && error.message || error);
}
process.stdout.write(JSON.stringify(out));
