// Rewrites the generated option reference in docs/configuration.md from the option table (run after npm run build).
import { readFileSync, writeFileSync } from 'node:fs';
import { configurationReference } from '../dist/src/config/reference.js';

const path = new URL('../docs/configuration.md', import.meta.url);
const text = readFileSync(path, 'utf8');
const start = text.indexOf('<!-- generated from src/config/options.ts');
const endMarker = '<!-- end of generated reference -->';
const end = text.indexOf(endMarker);
if (start < 0 || end < 0) throw new Error('docs/configuration.md lacks the generated-reference markers');
writeFileSync(path, text.slice(0, start) + configurationReference() + text.slice(end + endMarker.length));
process.stdout.write('docs/configuration.md updated\n');
