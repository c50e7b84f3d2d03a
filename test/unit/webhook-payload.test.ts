import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { webhookText } from '../../src/http/webhook-payload.js';
import { ReplyError } from '../../src/protocol/error-codes.js';

const code = (payload: unknown, max = 4000) => {
  try {
    return webhookText(payload, max);
  } catch (error) {
    return error instanceof ReplyError ? `!${error.code}` : `!!${String(error)}`;
  }
};

describe('webhookText', () => {
  it('takes a text, then each attachment and block, one part per line', () => {
    assert.equal(code({ text: 'Build #12 passed' }), 'Build #12 passed');
    assert.equal(
      code({
        text: 'Deploy',
        attachments: [
          {
            pretext: 'prod',
            title: 'v1.2',
            title_link: 'https://ci/1',
            text: 'ok',
            fields: [{ title: 'by', value: 'ann' }],
          },
          { fallback: 'only a fallback', color: 'good' },
          { title: '', title_link: 'https://ci/2' },
        ],
      }),
      'Deploy\nprod\nv1.2 (https://ci/1)\nok\nby: ann\nonly a fallback\nhttps://ci/2',
    );
    assert.equal(
      code({
        text: 'the notification fallback',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'Incident' } },
          {
            type: 'section',
            text: { type: 'mrkdwn', text: '*db1* down' },
            fields: [{ type: 'mrkdwn', text: 'sev 1' }],
          },
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'PagerDuty' }, { type: 'image' }] },
          { type: 'divider' },
        ],
      }),
      'Incident\n*db1* down\nsev 1\nPagerDuty',
      'with blocks, the text is left out',
    );
  });

  it("turns Slack's links, mentions and escapes into plain text", () => {
    assert.equal(
      code({ text: 'see <https://x.test/a?b=1|the run> and <https://y.test>' }),
      'see the run (https://x.test/a?b=1) and https://y.test',
    );
    assert.equal(code({ text: '<!here> <!channel|channel> <@U123|ann> <#C1|ops>' }), '@here channel ann ops');
    assert.equal(code({ text: 'a &lt;b&gt; &amp;amp;' }), 'a <b> &amp;');
  });

  it('refuses what holds no text, and cuts a long one without splitting a character', () => {
    assert.equal(code(null), '!bad_request');
    assert.equal(code('text'), '!bad_request');
    assert.equal(code([{ text: 'x' }]), '!bad_request');
    assert.equal(code({}), '!text_empty');
    assert.equal(code({ text: '   ', attachments: 'no', blocks: [{ type: 'divider' }] }), '!text_empty');
    assert.equal(code({ text: 'abcdef' }, 4), 'abc…');
    assert.equal(code({ text: 'ab😀def' }, 4), 'ab…', 'not half of the emoji');
  });

  it('never throws anything but a reply error, and never returns more than the bound (property)', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(
          fc.constantFrom(
            'text',
            'attachments',
            'blocks',
            'fields',
            'elements',
            'title',
            'title_link',
            'pretext',
            'value',
            'fallback',
            'x',
          ),
          tie('value'),
          { maxKeys: 5 },
        ),
      ),
    })).value;
    fc.assert(
      fc.property(json, fc.integer({ min: 2, max: 50 }), (payload, max) => {
        const result = code(payload, max);
        assert.ok(!result.startsWith('!!'), result);
        if (!result.startsWith('!')) assert.ok(result.length <= max && result.trim() !== '');
      }),
      { numRuns: 2000 },
    );
  });

  it('reads at most 100 attachments', () => {
    const attachments = Array.from({ length: 150 }, (_, i) => ({ text: `a${i}` }));
    assert.equal(code({ attachments }, 100_000).split('\n').length, 100);
  });
});
