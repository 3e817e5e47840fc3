// DICOMweb round trip with the npm package dicomweb-client (PLAT-1), run by test_dicomweb.py:
//   node roundtrip.js ROOT TOKEN FILE...
// STOW-RS the files, then QIDO-RS their study, WADO-RS the metadata of each instance and its
// first frame. Prints one JSON object with what it got; the Python test checks it.
'use strict';
global.XMLHttpRequest = require('xhr2');
const fs = require('fs');
const { api } = require('dicomweb-client');

async function main() {
  const [root, token, ...files] = process.argv.slice(2);
  const client = new api.DICOMwebClient({ url: root, headers: { Authorization: `Bearer ${token}` } });
  const datasets = files.map((f) => {
    const b = fs.readFileSync(f);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  });
  const out = { stored: null, studies: [], instances: [] };
  const stow = await client.storeInstances({ datasets });
  const stowJson = JSON.parse(Buffer.from(stow).toString('utf8'));
  out.stored = (stowJson['00081199'] || { Value: [] }).Value.map((i) => i['00081155'].Value[0]);
  for (const sop of out.stored) {
    const found = await client.searchForInstances({ queryParams: { SOPInstanceUID: sop } });
    if (found.length !== 1) throw new Error(`QIDO found ${found.length} instances for ${sop}`);
    const study = found[0]['0020000D'].Value[0];
    const series = found[0]['0020000E'].Value[0];
    const studies = await client.searchForStudies({ queryParams: { StudyInstanceUID: study } });
    out.studies.push(...studies.map((s) => s['0020000D'].Value[0]));
    const meta = await client.retrieveInstanceMetadata({
      studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: sop });
    const m = meta[0];
    const frames = await client.retrieveInstanceFrames({
      studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: sop, frameNumbers: [1] });
    out.instances.push({
      sop,
      study,
      metadata_sop: m['00080018'].Value[0],
      rows: m['00280010'].Value[0],
      columns: m['00280011'].Value[0],
      pixel_bulkdata: (m['7FE00010'] || {}).BulkDataURI || null,
      frame_count: frames.length,
      frame_bytes: frames.map((f) => f.byteLength),
    });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`dicomweb-client round trip failed: ${e && (e.stack || e.message || JSON.stringify(e))}\n`);
  if (e && e.status) process.stderr.write(`HTTP ${e.status}: ${e.response || ''}\n`);
  process.exit(1);
});
