// Which version the `pulumi` on PATH is, read from its Go build information rather than by running
// `pulumi version`. The binaries are real Go builds: the toolchain's CLI, and small programs built
// here by the Go toolchain as the module github.com/pulumi/pulumi/pkg/v3 is built, for Linux and for
// macOS, each printing a different version when run, so a test tells a version read from the file
// from one the binary printed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readGoBuildInfo } from '../../src/workspace/go-build-info.js';
import { versionCheck } from '../../src/workspace/version-check.js';
import { buildAsPulumiCli, PKG_VERSION_VARIABLE, SDK_VERSION_VARIABLE } from '../support/go-cli.js';

/** What each fake CLI prints for `pulumi version`. */
const PRINTED = 'v3.111.0';
const MAIN = `package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("${PRINTED}") }\n`;

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'version-check-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Builds the fake CLI into a folder of its own and returns the binary's path. */
function build(name: string, flags: string[], target: { GOOS?: string; GOARCH?: string } = {}): string {
  return buildAsPulumiCli(path.join(dir, name), MAIN, flags, target);
}

/** The version the action's check gives the binary, with nothing remembered. */
async function checked(binary: string): Promise<string | undefined> {
  const cache = fs.mkdtempSync(path.join(dir, 'cache-'));
  const command = await versionCheck(binary, { ...process.env, XDG_CACHE_HOME: cache }).command;
  return command.version?.version;
}

describe("the CLI's version from its build information", () => {
  it("the toolchain's CLI: the version `pulumi version` prints, read from the file", async () => {
    const real = execFileSync('sh', ['-c', 'command -v pulumi'], { encoding: 'utf8' }).trim();
    const printed = execFileSync(real, ['version'], { encoding: 'utf8' }).trim();
    const info = readGoBuildInfo(real);
    expect(info?.path).toBe('github.com/pulumi/pulumi/pkg/v3/cmd/pulumi');
    expect(`v${await checked(real)}`).toBe(printed);
  });

  it('a release build names its version in -ldflags: that, without running the binary', async () => {
    const binary = build('release', ['-ldflags', `-s -w -X ${SDK_VERSION_VARIABLE}=v3.300.0`]);
    expect(readGoBuildInfo(binary)?.settings.get('-ldflags')).toContain('v3.300.0');
    expect(await checked(binary)).toBe('3.300.0');
  });

  it("where both version variables are set, the one the CLI prints (the SDK's)", async () => {
    expect(await checked(build('both', ['-ldflags', `-X ${PKG_VERSION_VARIABLE}=v3.200.0 -X ${SDK_VERSION_VARIABLE}=v3.201.0`]))).toBe('3.201.0');
    expect(await checked(build('older', ['-ldflags', `-X ${PKG_VERSION_VARIABLE}=v3.202.0`]))).toBe('3.202.0');
  });

  it('a macOS (Mach-O) build, read the same way', async () => {
    const binary = build('darwin', ['-ldflags', `-X ${SDK_VERSION_VARIABLE}=v3.301.0`], { GOOS: 'darwin', GOARCH: 'arm64' });
    expect(readGoBuildInfo(binary)?.path).toBe('github.com/pulumi/pulumi/pkg/v3/cmd/pulumi');
    expect(await checked(binary)).toBe('3.301.0');
  });

  it('a build that does not say (no -X, or a checkout built with -trimpath) runs `pulumi version`', async () => {
    expect(await checked(build('plain', []))).toBe(PRINTED.slice(1));
    // A local build's module version is (devel): nothing to go by.
    expect(await checked(build('trimmed', ['-trimpath', '-ldflags', `-X ${SDK_VERSION_VARIABLE}=v3.302.0`]))).toBe(PRINTED.slice(1));
  });

  it('a version the Automation API refuses is refused as if the binary had printed it', async () => {
    await expect(checked(build('ancient', ['-ldflags', `-X ${SDK_VERSION_VARIABLE}=v3.1.0`]))).rejects.toThrow(/Minimum version requirement failed/);
    await expect(checked(build('future', ['-ldflags', `-X ${SDK_VERSION_VARIABLE}=v4.0.0`]))).rejects.toThrow(/Major version mismatch/);
  });

  it('a script on PATH has no build information and is run', async () => {
    const script = path.join(dir, 'script', 'bin', 'pulumi');
    fs.mkdirSync(path.dirname(script), { recursive: true });
    fs.writeFileSync(script, '#!/bin/sh\necho v3.112.0\n', { mode: 0o755 });
    expect(readGoBuildInfo(script)).toBeUndefined();
    expect(await checked(script)).toBe('3.112.0');
  });
});
