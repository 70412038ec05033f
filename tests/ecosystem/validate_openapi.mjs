// Validates OpenAPI documents with @apidevtools/swagger-parser (the JSON
// Schema of OpenAPI 3.1 plus its own checks: unique operationIds, path
// parameters declared, $refs that resolve).
//   node validate_openapi.mjs FILE...
import SwaggerParser from "@apidevtools/swagger-parser";

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const api = await SwaggerParser.validate(file);
    console.log(`valid  ${file}: OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths`);
  } catch (err) {
    failed++;
    console.log(`INVALID ${file}: ${err.message}`);
  }
}
process.exit(failed ? 1 : 0);
