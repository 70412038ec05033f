// Checks recorded responses of a running server against its OpenAPI
// document: every answer's status must be documented for its operation,
// and its JSON body must validate against that response's schema (Ajv,
// JSON Schema 2020-12, the dialect of OpenAPI 3.1).
//   node check_responses.mjs DOCUMENT.json RECORDS.json
// RECORDS: [{"path": "/api/products/{id}/", "method": "get", "status": 200,
//            "body": ..., "what": "a description"}]; "unchecked_body": true for
// an operation whose C hook (x-restflow-hook) writes JSON of its own.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";

const [docFile, recordsFile] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docFile, "utf8"));
const records = JSON.parse(readFileSync(recordsFile, "utf8"));

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
// The document is one schema resource, so "#/components/..." refs resolve.
ajv.addSchema(doc, "doc");

// A JSON pointer segment (RFC 6901).
const pointer = (s) => s.replaceAll("~", "~0").replaceAll("/", "~1");

let failed = 0;
for (const r of records) {
  const op = (doc.paths[r.path] || {})[r.method];
  const label = `${r.method.toUpperCase()} ${r.path} -> ${r.status} (${r.what})`;
  let problem = null;
  if (!op) {
    problem = "no such operation in the document";
  } else if (!op.responses[String(r.status)]) {
    problem = `status not documented (documented: ${Object.keys(op.responses).join(", ")})`;
  } else {
    const documented = op.responses[String(r.status)];
    const base = documented.$ref
      ? `/components/responses/${documented.$ref.split("/").pop()}`
      : `/paths/${pointer(r.path)}/${r.method}/responses/${r.status}`;
    const response = documented.$ref
      ? doc.components.responses[documented.$ref.split("/").pop()] : documented;
    const media = response.content && response.content["application/json"];
    if (r.unchecked_body) {
      // a hook that writes its own JSON (the document says which hook)
      if (!op["x-restflow-hook"]) problem = "an unchecked body outside a hook's operation";
    } else if (media && r.body !== null) {
      const validate = ajv.getSchema(`doc#${base}/content/application~1json/schema`);
      if (!validate(r.body))
        problem = "body does not match: " + ajv.errorsText(validate.errors);
    } else if (!media && r.body !== null) {
      problem = "a body where the document says none";
    }
  }
  if (problem) {
    failed++;
    console.log(`MISMATCH ${label}: ${problem}`);
  } else {
    console.log(`ok       ${label}`);
  }
}
console.log(`${records.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
