import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sectionOf, withSection } from '../../bench/sections.js';

describe('benchmark page sections', () => {
  const page = `# Benchmarks\n\n## Durable store\n\nold\n\n## Group chat\n\nrooms\n\n## Analysis\n\n### Durable store (analysis)\n\nwhy\n`;

  it('finds a section by its whole heading line, not inside a deeper heading', () => {
    assert.equal(sectionOf(page, '## Durable store'), '## Durable store\n\nold\n\n');
    assert.equal(sectionOf(page, '## Durable'), undefined);
  });

  it('replaces a section in place and leaves the analysis alone', () => {
    const next = withSection(page, '## Durable store', '## Durable store\n\nnew\n\n');
    assert.ok(next.includes('## Durable store\n\nnew\n\n## Group chat'));
    assert.ok(next.includes('### Durable store (analysis)\n\nwhy'));
  });

  it('inserts a missing section before the analysis', () => {
    const next = withSection(page, '## Read state', '## Read state\n\nreads\n');
    assert.ok(next.indexOf('## Read state') < next.indexOf('## Analysis'));
    assert.ok(next.indexOf('## Read state') > next.indexOf('## Group chat'));
  });
});
