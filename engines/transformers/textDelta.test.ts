import { describe, expect, it } from 'vitest';
import { TextDelta } from './textDelta';

// A byte-level vocabulary: each id is one UTF-8 byte, decoded together like a BPE tokenizer does.
const decodeBytes = (ids: readonly number[]): string => new TextDecoder().decode(Uint8Array.from(ids));

describe('TextDelta', () => {
  it('holds back a partial UTF-8 character and releases it whole', () => {
    const delta = new TextDelta(decodeBytes);
    const bytes = [...new TextEncoder().encode('a€b')]; // '€' is 3 bytes
    const chunks = bytes.map((b) => delta.push(b));
    expect(chunks).toEqual(['a', '', '', '€', 'b']);
    expect(chunks.join('')).toBe(delta.text());
  });

  it('never re-emits text: the chunks concatenate to the full decode', () => {
    const delta = new TextDelta(decodeBytes);
    const text = 'zoom <zoom>[1, 2, 3, 4]</zoom> ✓';
    const out = [...new TextEncoder().encode(text)].map((b) => delta.push(b)).join('');
    expect(out).toBe(text);
  });
});
