// The join page's text catalogue: complete in both languages, placeholders in step, every relay error code
// of docs/protocol.md covered, and the language chosen from the browser.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorText, messages, pickLang, t } from '../../src/web/i18n.js';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('join page catalogue', () => {
  it('has non-empty Chinese and English text for every key', () => {
    for (const [key, entry] of Object.entries(messages)) {
      expect(entry.zh.trim(), `${key} zh`).not.toBe('');
      expect(entry.en.trim(), `${key} en`).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const [key, entry] of Object.entries(messages)) expect(placeholders(entry.zh), key).toEqual(placeholders(entry.en));
  });

  it('has Chinese text that is actually Chinese, except for the switch to English and code examples', () => {
    for (const [key, entry] of Object.entries(messages)) {
      if (key === 'lang_switch') continue;
      expect(/[\u4e00-\u9fff]/.test(entry.zh), key).toBe(true);
    }
  });

  it('covers every error code the relay documents', () => {
    const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const section = doc.split('### Error codes')[1]?.split('\n## ')[0] ?? '';
    const codes = [...section.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1] ?? '');
    expect(codes.length).toBeGreaterThan(10);
    for (const code of codes) expect(Object.keys(messages), code).toContain(`error.${code}`);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('seats_free', { free: 2, total: 4 }, 'en')).toBe('Seats free: 2 of 4');
    expect(t('seats_free', { free: 2, total: 4 }, 'zh')).toBe('空余席位 2/4');
    expect(t('lookup_found', {}, 'en')).toBe('Session: {title}');
  });

  it("shows relay errors in the page's language, or the relay's message for a code it does not know", () => {
    expect(errorText('SEAT_FULL', 'seats are full', 'zh')).toBe('席位已满');
    expect(errorText('SEAT_FULL', '席位已满', 'en')).toBe('All seats are taken');
    expect(errorText('SOMETHING_NEW', 'relay says so', 'en')).toBe('relay says so');
  });
});

describe('choosing the page language', () => {
  it('follows the stored choice first', () => {
    expect(pickLang('en', ['zh-CN'])).toBe('en');
    expect(pickLang('zh', ['en-US'])).toBe('zh');
  });

  it('otherwise takes the first Chinese or English browser language', () => {
    expect(pickLang(null, ['zh-CN', 'en'])).toBe('zh');
    expect(pickLang(null, ['zh-TW'])).toBe('zh');
    expect(pickLang(null, ['en-GB', 'zh-CN'])).toBe('en');
    expect(pickLang(null, ['fr-FR', 'en-US'])).toBe('en');
  });

  it('falls back to Chinese for an unknown choice or other languages', () => {
    expect(pickLang('de', ['fr-FR'])).toBe('zh');
    expect(pickLang(null, [])).toBe('zh');
    expect(pickLang(null, ['english-ish'])).toBe('zh');
  });
});
