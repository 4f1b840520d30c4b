// Summary of Stryker's JSON reports (.cache/stryker/<area>.json): score per area and every surviving mutant.
//   node scripts/mutation-summary.mjs [--markdown] [--by-file] [area ...]
// --by-file adds the score and counts of each mutated file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const markdown = argv.includes('--markdown');
const byFile = argv.includes('--by-file');
const areas = argv.filter((a) => !a.startsWith('--'));
const targets = { matching: 85, flows: 85, domain: 80, processor: 80 };

let failed = false;
for (const area of areas.length > 0 ? areas : Object.keys(targets)) {
  // The area's report, or the reports of its parts (<area>-<part>.json).
  const dir = '.cache/stryker';
  const files = existsSync(dir)
    ? readdirSync(dir).filter(
        (f) =>
          f === `${area}.json` ||
          (f.startsWith(`${area}-`) && f.endsWith('.json') && !f.endsWith('-incremental.json')),
      )
    : [];
  if (files.length === 0) {
    console.log(`${area}: no report in ${dir}`);
    continue;
  }
  const reportFiles = {};
  for (const file of files)
    Object.assign(reportFiles, JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')).files);
  const count = {};
  const perFile = {};
  const survivors = [];
  for (const [path, f] of Object.entries(reportFiles)) {
    const lines = f.source.split('\n');
    const fc = (perFile[path] = {});
    for (const m of f.mutants) {
      count[m.status] = (count[m.status] ?? 0) + 1;
      fc[m.status] = (fc[m.status] ?? 0) + 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        const line = m.location.start.line;
        survivors.push({
          where: `${path}:${line}`,
          status: m.status,
          mutator: m.mutatorName,
          original: lines[line - 1]?.trim().slice(0, 100) ?? '',
          replacement: (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80),
        });
      }
    }
  }
  const detected = (count.Killed ?? 0) + (count.Timeout ?? 0);
  const valid = detected + (count.Survived ?? 0) + (count.NoCoverage ?? 0);
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  const target = targets[area];
  if (target !== undefined && score < target) failed = true;
  const counts = Object.entries(count)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const scoreOf = (c) => {
    const d = (c.Killed ?? 0) + (c.Timeout ?? 0);
    const v = d + (c.Survived ?? 0) + (c.NoCoverage ?? 0);
    return { text: v === 0 ? '-' : `${((100 * d) / v).toFixed(2)} %`, detected: d, valid: v };
  };
  if (byFile) {
    if (markdown)
      console.log(`\n| ${area}: file | score | detected / valid | ignored |\n|---|---:|---:|---:|`);
    for (const [path, c] of Object.entries(perFile).sort()) {
      const s = scoreOf(c);
      console.log(
        markdown
          ? `| ${path} | ${s.text} | ${s.detected} / ${s.valid} | ${c.Ignored ?? 0} |`
          : `${path}: ${s.text} (${s.detected}/${s.valid}, ignored ${c.Ignored ?? 0})`,
      );
    }
  }
  if (markdown) {
    console.log(`\n### ${area}: ${score.toFixed(2)} % (target ${target} %)\n\n${counts}\n`);
    if (survivors.length > 0) {
      console.log('| where | status | mutator | original | replacement |\n|---|---|---|---|---|');
      for (const s of survivors)
        console.log(
          `| ${s.where} | ${s.status} | ${s.mutator} | \`${s.original.replace(/\|/g, '\\|')}\` | \`${s.replacement.replace(/\|/g, '\\|')}\` |`,
        );
    }
  } else {
    console.log(`${area}: ${score.toFixed(2)} % (target ${target} %) — ${counts}`);
    for (const s of survivors) console.log(`  ${s.status} ${s.where} ${s.mutator}: ${s.replacement}`);
  }
}
process.exitCode = failed ? 1 : 0;
