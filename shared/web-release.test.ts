import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fileHash, isServedPath, releaseId, SERVICE_WORKER_PATH, webLogEntry } from './web-release.js';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

const FILES = {
  '/index.html': hashOf('<!doctype html>'),
  '/assets/index-Bx7f3k2a.js': hashOf('console.log(1)'),
  '/manifest.webmanifest': hashOf('{}'),
  '/assets/Z-upper.css': hashOf('body{}'),
};

describe('releaseId', () => {
  it('is the version and 16 hex digits of SHA-256 over "<path> <hex>\\n" lines sorted by code unit', () => {
    // Code-unit order puts '/assets/Z…' before '/assets/i…' (uppercase first) and '/i…' before '/m…'.
    const lines = [
      '/assets/Z-upper.css',
      '/assets/index-Bx7f3k2a.js',
      '/index.html',
      '/manifest.webmanifest',
    ].map((path) => `${path} ${FILES[path as keyof typeof FILES]}\n`);
    expect(releaseId('0.1.0', FILES)).toBe(`0.1.0+${hashOf(lines.join('')).slice(0, 16)}`);
  });

  it('does not depend on the order the files are given in', () => {
    const reversed = Object.fromEntries(Object.entries(FILES).reverse());
    expect(releaseId('0.1.0', reversed)).toBe(releaseId('0.1.0', FILES));
  });

  it('leaves out /sw.js, which holds the id', () => {
    const withWorker = { ...FILES, [SERVICE_WORKER_PATH]: hashOf('worker') };
    expect(releaseId('0.1.0', withWorker)).toBe(releaseId('0.1.0', FILES));
  });

  it('changes with any file, added file, renamed file, and with the version', () => {
    const id = releaseId('0.1.0', FILES);
    for (const path of Object.keys(FILES)) {
      expect(releaseId('0.1.0', { ...FILES, [path]: hashOf('planted') })).not.toBe(id);
      const { [path as keyof typeof FILES]: hash, ...others } = FILES;
      expect(releaseId('0.1.0', others)).not.toBe(id);
      expect(releaseId('0.1.0', { ...others, [`${path}x`]: hash })).not.toBe(id);
    }
    expect(releaseId('0.1.0', { ...FILES, '/robots.txt': hashOf('') })).not.toBe(id);
    expect(releaseId('0.1.1', FILES)).not.toBe(id);
  });

  it('refuses what is not a path or not a lowercase hex SHA-256', () => {
    expect(() => releaseId('0.1.0', { 'index.html': hashOf('') })).toThrow(/Not a file path/);
    expect(() => releaseId('0.1.0', { '/a\n/b': hashOf('') })).toThrow(/Not a file path/);
    expect(() => releaseId('0.1.0', { '/a': hashOf('').toUpperCase() })).toThrow(/lowercase hex/);
    expect(() => releaseId('0.1.0', { '/a': hashOf('').slice(1) })).toThrow(/lowercase hex/);
    expect(() => releaseId('', FILES)).toThrow(/app version/);
  });
});

describe('webLogEntry', () => {
  const files = { ...FILES, [SERVICE_WORKER_PATH]: hashOf('worker') };
  const release = releaseId('0.1.0', files);

  it('lists every file, /sw.js too, with keys sorted', () => {
    const entry = webLogEntry(release, files);
    expect(entry).toEqual({ kind: 'web', release, files });
    expect(Object.keys(entry.files)).toEqual([
      '/assets/Z-upper.css',
      '/assets/index-Bx7f3k2a.js',
      '/index.html',
      '/manifest.webmanifest',
      '/sw.js',
    ]);
  });

  it('takes the version up to the last "+", so a version with build metadata works', () => {
    const withMetadata = releaseId('1.0.0+build.7', files);
    expect(webLogEntry(withMetadata, files).release).toBe(withMetadata);
  });

  it('refuses a release that is not the id of its files', () => {
    expect(() => webLogEntry(release, { ...files, '/index.html': hashOf('planted') })).toThrow(/not the id/);
    const otherDigit = release.endsWith('0') ? '1' : '0';
    expect(() => webLogEntry(`${release.slice(0, -1)}${otherDigit}`, files)).toThrow(/not the id/);
    expect(() => webLogEntry(release.split('+')[1] ?? '', files)).toThrow(/not the id/);
  });
});

describe('fileHash and isServedPath', () => {
  it('hashes bytes to lowercase hex SHA-256', () => {
    expect(fileHash(new TextEncoder().encode('abc'))).toBe(hashOf('abc'));
  });

  it('counts no path with a part starting with a dot as served', () => {
    expect(isServedPath('/assets/index-Bx7f3k2a.js')).toBe(true);
    expect(isServedPath('/.env')).toBe(false);
    expect(isServedPath('/icons/.hidden/icon.png')).toBe(false);
  });
});
