// How the join page writes a discussion line: local HH:MM, the sender with their school in the page's
// language, and what counts as something to send.
import { describe, expect, it } from 'vitest';
import { CHAT_MAX_CHARS, chatDraft, chatFrom, chatTime } from '../../src/web/chat.js';
import { MAX_CHAT_CHARS } from '../../src/signaling/protocol.js';

describe('discussion lines', () => {
  it('shows the wall-clock time as HH:MM in local time', () => {
    expect(chatTime(new Date(2025, 2, 1, 8, 5, 59).toISOString())).toBe('08:05');
    expect(chatTime(new Date(2025, 2, 1, 23, 40).toISOString())).toBe('23:40');
    expect(chatTime('not a time')).toBe('--:--');
  });

  it('names the sender with the school, with full-width brackets in Chinese', () => {
    expect(chatFrom({ from: '王老师', venue: '西河小学' }, 'zh')).toBe('王老师（西河小学）');
    expect(chatFrom({ from: 'Ms Wang', venue: 'Xihe Primary' }, 'en')).toBe('Ms Wang (Xihe Primary)');
  });

  it('sends trimmed text and nothing for blanks', () => {
    expect(chatDraft('  你好  ')).toBe('你好');
    expect(chatDraft(' \n\t ')).toBeNull();
    expect(chatDraft('')).toBeNull();
  });

  it("limits the input to the relay's chat length", () => {
    expect(CHAT_MAX_CHARS).toBe(MAX_CHAT_CHARS);
  });
});
