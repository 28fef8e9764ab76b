// Checks the compiled TypeScript header codec against the wire vectors generated from the
// spec (conformance/vectors/header.json): every valid case encodes to its bytes and decodes
// back to its fields, every invalid case is refused naming its field, every short input
// is refused. Exits non-zero on any mismatch.
//
// Usage: node test/vectors.mjs [dist-dir] [header.json]
//   dist-dir defaults to ../dist (npm run build), header.json to the repository's copy.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.resolve(process.argv[2] ?? path.join(here, "..", "dist", "generated", "ts"));
const vectorsFile = path.resolve(
  process.argv[3] ?? path.join(here, "..", "..", "..", "conformance", "vectors", "header.json"),
);

const codec = await import(pathToFileURL(path.join(distDir, "header.js")).href);
const vectors = JSON.parse(await readFile(vectorsFile, "utf8"));

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) {
    passed += 1;
  } else {
    failed += 1;
    console.error(`FAIL ${name}: ${detail}`);
  }
}

// The SDK's documented rule: fields wider than 32 bits are bigints, the rest numbers.
const toValue = (field, text) => (field.bits > 32 ? BigInt(text) : Number(text));
const headerOf = (fields) =>
  Object.fromEntries(vectors.fields.map((f) => [f.json_name, toValue(f, fields[f.name])]));
const hex = (bytes) => Buffer.from(bytes).toString("hex");
const fromHex = (text) => new Uint8Array(Buffer.from(text, "hex"));
const show = (h) => JSON.stringify(h, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
const sameHeader = (a, b) =>
  vectors.fields.every((f) => a[f.json_name] === b[f.json_name]) &&
  Object.keys(a).length === vectors.fields.length;

check("HEADER_SIZE", codec.HEADER_SIZE === vectors.header_size, codec.HEADER_SIZE);
check("PROTOCOL_VERSION", codec.PROTOCOL_VERSION === vectors.protocol_version,
  codec.PROTOCOL_VERSION);
check("SUPPORTED_PROTOCOL_VERSIONS",
  JSON.stringify(codec.SUPPORTED_PROTOCOL_VERSIONS) ===
    JSON.stringify(vectors.supported_protocol_versions),
  codec.SUPPORTED_PROTOCOL_VERSIONS);
for (const f of vectors.fields) {
  const constant = codec[`MAX_${f.name.toUpperCase()}`];
  check(`MAX_${f.name.toUpperCase()}`, constant === toValue(f, f.max), `${constant} != ${f.max}`);
}

for (const c of vectors.valid) {
  const header = headerOf(c.fields);
  let encoded;
  try {
    encoded = hex(codec.encodeHeader(header));
  } catch (err) {
    encoded = `threw ${err}`;
  }
  check(`encode ${c.name}`, encoded === c.hex, `${encoded} != ${c.hex}`);
  const decoded = codec.decodeHeader(fromHex(c.hex));
  check(`decode ${c.name}`, sameHeader(decoded, header), `${show(decoded)} != ${show(header)}`);
  // At an offset, inside a view that does not start at its buffer's start.
  const padded = new Uint8Array(5 + codec.HEADER_SIZE + 2);
  padded.set(fromHex(c.hex), 5);
  const view = padded.subarray(2);
  const atOffset = codec.decodeHeader(view, 3);
  check(`decode ${c.name} at an offset`, sameHeader(atOffset, header), show(atOffset));
}

for (const c of vectors.invalid) {
  const field = vectors.fields.find((f) => f.name === c.field);
  let outcome = "no error";
  try {
    codec.encodeHeader(headerOf(c.fields));
  } catch (err) {
    outcome = err instanceof codec.HeaderFieldOverflow && err.field === field.json_name
      ? "ok"
      : `${err?.name}: ${err?.message} (field ${err?.field})`;
  }
  check(`refuse ${c.name}`, outcome === "ok", outcome);
}

for (const c of vectors.too_short) {
  let outcome = "no error";
  try {
    codec.decodeHeader(fromHex(c.hex));
  } catch (err) {
    outcome = err instanceof codec.HeaderTooShort ? "ok" : `${err?.name}: ${err?.message}`;
  }
  check(`too short ${c.name}`, outcome === "ok", outcome);
}

const expected = 3 + vectors.fields.length + 3 * vectors.valid.length
  + vectors.invalid.length + vectors.too_short.length;
if (vectors.valid.length === 0 || passed + failed !== expected) {
  failed += 1;
  console.error(`FAIL: ran ${passed + failed} checks, expected ${expected}`);
}
console.log(`vectors: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
