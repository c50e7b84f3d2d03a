import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFrame } from '../../client/compact.js';
import { decodeCommand, encodeCompactMessage, encodeFrame } from '../../src/protocol/codec.js';

function errorOf(text: string) {
  const result = decodeCommand(text);
  assert.equal(result.ok, false);
  return result.ok ? undefined : result;
}

describe('codec', () => {
  it('decodes every valid command', () => {
    const commands = [
      { type: 'join', ref: 1, room: 'lobby' },
      { type: 'join', ref: 2, room: 'lobby', since: { offset: 4, epoch: 'abc' } },
      { type: 'leave', ref: 3, room: 'lobby' },
      { type: 'send', ref: 4, room: 'lobby', text: 'hi', cid: 'c1' },
      { type: 'history', ref: 5, room: 'lobby', before: 10, limit: 20 },
      { type: 'history', ref: 6, room: 'lobby' },
      { type: 'presence', ref: 7, room: 'lobby' },
      { type: 'typing', room: 'lobby' },
      { type: 'ping', ref: 8 },
    ];
    for (const command of commands) {
      const result = decodeCommand(JSON.stringify(command));
      assert.ok(result.ok, JSON.stringify(command));
      assert.deepEqual(result.ok && result.command, command);
    }
  });

  it('rejects malformed JSON and non-objects with bad_json', () => {
    for (const text of ['{', 'null', '[1,2]', '"join"', '42', '']) {
      assert.equal(errorOf(text)?.error.code, 'bad_json', text);
    }
  });

  it('rejects unknown types with unknown_command, keeping the ref', () => {
    const error = errorOf('{"type":"explode","ref":9}');
    assert.equal(error?.error.code, 'unknown_command');
    assert.equal(error?.ref, 9);
    assert.equal(errorOf('{"ref":1}')?.error.code, 'unknown_command');
    assert.equal(errorOf('{"type":"__proto__","ref":1}')?.error.code, 'unknown_command');
    assert.equal(errorOf('{"type":"toString","ref":1}')?.error.code, 'unknown_command');
  });

  it('rejects wrong field types, missing and unexpected fields with bad_request naming the field', () => {
    const cases: Array<[string, string]> = [
      ['{"type":"send","ref":1,"room":"r","text":5,"cid":"c"}', 'text'],
      ['{"type":"send","ref":1,"room":"r","cid":"c"}', 'text'],
      ['{"type":"send","ref":1,"room":"r","text":"x","cid":"c","from":{"id":"admin"}}', 'from'],
      ['{"type":"join","ref":"one","room":"r"}', 'ref'],
      ['{"type":"join","ref":-1,"room":"r"}', 'ref'],
      ['{"type":"history","ref":1,"room":"r","limit":0}', 'limit'],
      ['{"type":"send","ref":1,"room":"r","text":"x","cid":""}', 'cid'],
    ];
    for (const [text, field] of cases) {
      const error = errorOf(text);
      assert.equal(error?.error.code, 'bad_request', text);
      assert.match(error?.error.message ?? '', new RegExp(field), text);
    }
  });

  it('names the allowed values of a field that takes one of a few words', () => {
    const error = errorOf('{"type":"set_role","ref":1,"room":"r","user":"u","role":"god"}');
    assert.equal(error?.error.code, 'bad_request');
    assert.equal(error?.error.message, "set_role: 'role': expected one of 'owner', 'admin', 'member'");
    const kind = errorOf('{"type":"create_room","ref":1,"name":"R","kind":"secret"}');
    assert.match(kind?.error.message ?? '', /'kind': expected one of 'public', 'private'$/);
  });

  it('encodes live messages compactly, and the SDK reads them back as message frames', () => {
    const message = {
      room: 'lobby',
      id: 'e68Y5v8Yqm3-6b1b',
      offset: 42,
      epoch: 'ghFJLzbW',
      from: { id: 'u1', name: 'Zoë "the" <b>' },
      text: 'hello, ["m"] \u2028 world',
      ts: 1_795_906_935_945,
      cid: 'c-1',
    };
    const compact = encodeCompactMessage(message);
    const object = encodeFrame({ type: 'message', ...message });
    assert.equal(compact.toString()[0], '[');
    assert.ok(compact.length < object.length);
    assert.deepEqual(parseFrame(compact.toString()), { type: 'message', ...message });
    assert.deepEqual(parseFrame(object.toString()), { type: 'message', ...message });
    assert.equal(parseFrame('["x", 1]'), undefined, 'unknown compact frames are ignored');
    assert.equal(parseFrame('{not json'), undefined);
  });

  it('encodes a frame to the JSON bytes of the frame', () => {
    const bytes = encodeFrame({ type: 'pong', ref: 1, ts: 2 });
    assert.deepEqual(JSON.parse(bytes.toString()), { type: 'pong', ref: 1, ts: 2 });
  });
});
