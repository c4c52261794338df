import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { releaseId } from '../../shared/web-release.js';
import { readWebRelease } from './web-release.js';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

let site: string;
beforeEach(async () => {
  site = await mkdtemp(join(tmpdir(), 'web-release-'));
  await mkdir(join(site, 'assets'));
  await mkdir(join(site, 'icons', 'deep'), { recursive: true });
  await writeFile(join(site, 'index.html'), '<!doctype html>');
  await writeFile(join(site, 'sw.js'), 'importScripts("/assets/service-worker-1.js")');
  await writeFile(join(site, 'assets', 'index-1.js'), 'console.log(1)');
  await writeFile(join(site, 'icons', 'deep', 'icon.svg'), '<svg/>');
});
afterEach(() => rm(site, { recursive: true, force: true }));

test('hashes every file the site serves, recursively, keyed by its URL path and sorted', async () => {
  const files = {
    '/assets/index-1.js': hashOf('console.log(1)'),
    '/icons/deep/icon.svg': hashOf('<svg/>'),
    '/index.html': hashOf('<!doctype html>'),
    '/sw.js': hashOf('importScripts("/assets/service-worker-1.js")'),
  };
  const entry = await readWebRelease(site, '0.1.0');
  expect(entry).toEqual({ kind: 'web', release: releaseId('0.1.0', files), files });
  expect(Object.keys(entry.files)).toEqual(Object.keys(files));
});

test('leaves out dotfiles, which the site does not serve', async () => {
  const before = await readWebRelease(site, '0.1.0');
  await writeFile(join(site, '.env'), 'SECRET=1');
  await mkdir(join(site, '.cache'));
  await writeFile(join(site, '.cache', 'x.js'), '');
  expect(await readWebRelease(site, '0.1.0')).toEqual(before);
});

test('a changed byte changes the release', async () => {
  const before = await readWebRelease(site, '0.1.0');
  await writeFile(join(site, 'assets', 'index-1.js'), 'console.log(2)');
  expect((await readWebRelease(site, '0.1.0')).release).not.toBe(before.release);
});

test('a folder without index.html is no built site', async () => {
  await rm(join(site, 'index.html'));
  await expect(readWebRelease(site, '0.1.0')).rejects.toThrow(/no built site/);
});
