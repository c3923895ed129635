import { describe, expect, it } from '@jest/globals';
import { checksumFor, releaseFiles } from '../../../src/workspace/pulumi-install.js';

describe('releaseFiles', () => {
  it.each([
    ['linux', 'x64', 'pulumi-v3.274.1-linux-x64.tar.gz'],
    ['linux', 'arm64', 'pulumi-v3.274.1-linux-arm64.tar.gz'],
    ['darwin', 'arm64', 'pulumi-v3.274.1-darwin-arm64.tar.gz'],
    ['win32', 'x64', 'pulumi-v3.274.1-windows-x64.zip'],
  ] as const)('names the archive for %s on %s as Pulumi publishes it', (platform, arch, archive) => {
    expect(releaseFiles('3.274.1', platform, arch)).toEqual({ archive, checksums: 'pulumi-3.274.1-checksums.txt' });
  });

  it('refuses a platform Pulumi publishes no CLI for', () => {
    expect(() => releaseFiles('3.274.1', 'linux', 'ia32')).toThrow('Pulumi publishes no CLI for linux on ia32');
  });
});

describe('checksumFor', () => {
  const a = 'a'.repeat(64);
  const b = 'B'.repeat(64);
  const file = `${a}  pulumi-v3.274.1-linux-x64.tar.gz\r\n${b} *pulumi-v3.274.1-windows-x64.zip\n`;

  it('reads sha256sum lines, text and binary mode, Windows line ends, hex in either case', () => {
    expect(checksumFor(file, 'pulumi-v3.274.1-linux-x64.tar.gz')).toBe(a);
    expect(checksumFor(file, 'pulumi-v3.274.1-windows-x64.zip')).toBe('b'.repeat(64));
  });

  it('gives nothing for a file it does not list, a name that merely ends like one, or a malformed line', () => {
    expect(checksumFor(file, 'pulumi-v3.274.1-darwin-x64.tar.gz')).toBeUndefined();
    expect(checksumFor(`${a}  evil-pulumi-v3.274.1-linux-x64.tar.gz\n`, 'pulumi-v3.274.1-linux-x64.tar.gz')).toBeUndefined();
    expect(checksumFor(`${a.slice(1)}  pulumi-v3.274.1-linux-x64.tar.gz\n`, 'pulumi-v3.274.1-linux-x64.tar.gz')).toBeUndefined();
  });
});
