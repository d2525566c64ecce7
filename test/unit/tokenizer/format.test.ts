import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMeta, TokenizerError } from '../../../src/tokenizer/format';

test('tokenizer.json checks name the bad field', () => {
  assert.doesNotThrow(() => checkMeta({ inputNorm: 'patch', layout: 'nhwc', vocab: 512 }, 'tok.json'));
  assert.doesNotThrow(() => checkMeta({}, 'tok.json')); // everything optional: DALL-E conventions
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ inputNorm: 'cell' }, /tok\.json: inputNorm must be none or patch, got cell/],
    [{ inputNorm: 'patch', layout: 'nchw' }, /inputNorm patch needs layout nhwc/],
    [{ vocab: 0 }, /vocab must be an integer ≥ 1/],
    [{ layout: 'hwc' }, /layout must be nhwc or nchw/],
  ];
  for (const [meta, message] of cases) {
    assert.throws(() => checkMeta(meta, 'tok.json'), (err: Error) => err instanceof TokenizerError && message.test(err.message));
  }
});
