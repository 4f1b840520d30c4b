/**
 * `npm run docs:asyncapi [-- --out FILE]`: one static HTML page from asyncapi.yaml (default dist/asyncapi.html).
 *
 * Our own small generator rather than @asyncapi/generator: that tool installs its templates from the npm registry
 * when it runs (so it needs the network at generation time) and brings a large dependency tree for one page.
 * This one validates the document with the AsyncAPI parser first (and refuses to write when it has errors),
 * then renders channels, keys, headers, payload fields (from the .avsc files), reason codes and examples.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AvroField, AvroRecordSchema, AvroSchema } from '../../src/contracts/schemas.js';
import { ASYNCAPI_FILE, channelMessage, parseContract, readContract, type RawContract } from './contract.js';

const ROOT = dirname(ASYNCAPI_FILE);

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function typeName(t: AvroSchema): string {
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.map(typeName).join(' | ');
  const o = t as {
    type: string;
    name?: string;
    logicalType?: string;
    items?: AvroSchema;
    values?: AvroSchema;
  };
  if (o.logicalType) return `${o.type} (${o.logicalType})`;
  if (o.type === 'array') return `array of ${typeName(o.items!)}`;
  if (o.type === 'map') return `map of ${typeName(o.values!)}`;
  if (o.type === 'enum') return `enum ${o.name} {${(t as { symbols: string[] }).symbols.join(', ')}}`;
  return o.name ? `${o.type} ${o.name}` : o.type;
}

function fieldRows(fields: AvroField[], prefix = ''): string {
  return fields
    .map((f) => {
      const path = `${prefix}${f.name}`;
      const optional = Array.isArray(f.type) && f.type.includes('null');
      const rec = (Array.isArray(f.type) ? f.type : [f.type]).find(
        (x): x is AvroRecordSchema => typeof x === 'object' && !Array.isArray(x) && x.type === 'record',
      );
      const row = `<tr><td><code>${esc(path)}</code></td><td>${esc(typeName(f.type))}</td><td>${optional ? 'optional' : 'required'}</td><td>${esc(f.doc)}</td></tr>`;
      return rec ? row + fieldRows(rec.fields, `${path}.`) : row;
    })
    .join('\n');
}

export function renderHtml(c: RawContract): string {
  const sections = Object.entries(c.channels).map(([id, ch]) => {
    const m = channelMessage(c, ch);
    const avsc = JSON.parse(readFileSync(resolve(ROOT, m.payload.schema.$ref), 'utf8')) as AvroRecordSchema;
    const headers = c.components.schemas[m.headers.$ref.split('/').pop()!]!;
    const example = ch['x-example'] ? readFileSync(resolve(ROOT, ch['x-example']), 'utf8') : '';
    const reasons = m['x-reason-codes']
      ? `<h4>Reason codes (errorCode)</h4><table><tr><th>code</th><th>meaning</th></tr>${Object.entries(
          m['x-reason-codes'],
        )
          .map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td>${esc(v)}</td></tr>`)
          .join('')}</table>`
      : '';
    return `<section id="${esc(id)}">
<h2><code>${esc(ch.address)}</code> <small>${esc((ch.tags ?? []).map((t) => t.name).join(', '))}</small></h2>
<p>${esc(ch.description)}</p>
<p><b>Produced by</b> ${esc((ch['x-producers'] ?? []).join(', '))}; <b>consumed by</b> ${esc((ch['x-consumers'] ?? []).join(', '))}.</p>
<p><b>Message</b> ${esc(m.name)}: ${esc(m.summary)} ${esc(m.description)}</p>
<p><b>Key</b>: ${esc(m.bindings.kafka.key.description)}. <b>Value</b>: Avro, Confluent wire format, subject <code>${esc(ch.address)}-value</code>, schema <code>${esc(m.payload.schema.$ref)}</code>.</p>
<h4>Headers</h4><table><tr><th>header</th><th></th><th>meaning</th></tr>${Object.entries(headers.properties)
      .map(
        ([k, v]) =>
          `<tr><td><code>${esc(k)}</code></td><td>${headers.required?.includes(k) ? 'required' : 'optional'}</td><td>${esc(v.description)}</td></tr>`,
      )
      .join('')}</table>
<h4>Fields of ${esc(avsc.name)}</h4><table><tr><th>field</th><th>type</th><th></th><th>meaning</th></tr>
${fieldRows(avsc.fields)}</table>
${reasons}
${example ? `<h4>Example (<code>${esc(ch['x-example'])}</code>)</h4><pre>${esc(example)}</pre>` : ''}
</section>`;
  });
  const toc = Object.entries(c.channels)
    .map(([id, ch]) => `<li><a href="#${esc(id)}"><code>${esc(ch.address)}</code></a></li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(c.info.title)} ${esc(c.info.version)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.75rem;overflow:auto}section{border-top:2px solid #333;margin-top:2rem}small{color:#666;font-weight:normal}</style>
</head><body>
<h1>${esc(c.info.title)} <small>${esc(c.info.version)}</small></h1>
<p>${esc(c.info.description).replace(/\n/g, '<br>')}</p>
<ul>${toc}</ul>
${sections.join('\n')}
</body></html>
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--out');
  const out = resolve(i > 0 ? process.argv[i + 1]! : resolve(ROOT, 'dist/asyncapi.html'));
  const { diagnostics } = await parseContract();
  const errors = diagnostics.filter((d) => d.severity === 0);
  if (errors.length > 0) {
    for (const d of errors) process.stderr.write(`asyncapi.yaml: ${d.message} at ${d.path.join('.')}\n`);
    process.exit(1);
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, renderHtml(readContract()));
  process.stdout.write(`wrote ${out}\n`);
}
