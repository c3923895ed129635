// Installs the Pulumi CLI from its release archive. The Automation API's PulumiCommand.install runs
// get.pulumi.com/install.sh, which unpacks whatever it downloaded; here the archive is checked
// against the SHA-256 in the release's checksums file before anything in it is unpacked or run.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tc from '@actions/tool-cache';

type Env = Record<string, string | undefined>;

/** Pulumi's download site; PULUMI_DOWNLOAD_URL names a mirror holding the same file names. */
export const DEFAULT_DOWNLOAD_URL = 'https://get.pulumi.com/releases/sdk';

/** An archive that cannot be shown to be the release: the run must stop rather than look elsewhere. */
export class ChecksumError extends Error {}

export interface ReleaseFiles {
  archive: string;
  checksums: string;
}

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
const ARCH_NAMES: Partial<Record<NodeJS.Architecture, string>> = { x64: 'x64', arm64: 'arm64' };

/** The names Pulumi publishes a release under: pulumi-v<v>-<os>-<arch>.tar.gz (.zip for Windows), pulumi-<v>-checksums.txt. */
export function releaseFiles(version: string, platform: NodeJS.Platform = process.platform, arch: NodeJS.Architecture = process.arch): ReleaseFiles {
  const osName = OS_NAMES[platform];
  const archName = ARCH_NAMES[arch];
  if (!osName || !archName) throw new Error(`Pulumi publishes no CLI for ${platform} on ${arch}`);
  const extension = osName === 'windows' ? 'zip' : 'tar.gz';
  return { archive: `pulumi-v${version}-${osName}-${archName}.${extension}`, checksums: `pulumi-${version}-checksums.txt` };
}

/** The SHA-256 a checksums file in sha256sum's format (`<hex>  <name>`, `*` before a name read as binary) gives a file. */
export function checksumFor(checksums: string, file: string): string | undefined {
  for (const line of checksums.split('\n')) {
    const entry = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (entry?.[2] === file) return entry[1]!.toLowerCase();
  }
  return undefined;
}

export interface Installed {
  /** The folder holding bin/pulumi. */
  root: string;
  /** Where it came from, for the log. */
  source: string;
}

/**
 * Downloads and checks the release, then places its binaries in <root>/bin: the runner's tool
 * cache when there is one (so later jobs on the runner find it), else `home`. Neither is ever
 * half-written: the tool cache marks a version complete once it is all there, and `home` is
 * filled beside its place and renamed into it.
 */
export async function installRelease(version: string, home: string, env: Env = process.env): Promise<Installed> {
  const base = (env.PULUMI_DOWNLOAD_URL || DEFAULT_DOWNLOAD_URL).replace(/\/+$/, '');
  const files = releaseFiles(version);
  const work = fs.mkdtempSync(path.join(env.RUNNER_TEMP || os.tmpdir(), 'pulumi-install-'));
  try {
    // The small file first: without an entry for the archive there is no point fetching it.
    const checksums = fs.readFileSync(await download(`${base}/${files.checksums}`, path.join(work, files.checksums)), 'utf8');
    const expected = checksumFor(checksums, files.archive);
    const site = env.PULUMI_DOWNLOAD_URL ? `the mirror ${base} (PULUMI_DOWNLOAD_URL)` : base;
    const advice = `nothing was installed; check ${site}, or put a matching pulumi on PATH before this step`;
    if (!expected) throw new ChecksumError(`The Pulumi release's ${files.checksums} has no entry for ${files.archive}, so the archive cannot be checked: ${advice}.`);
    const archiveUrl = `${base}/${files.archive}`;
    const archive = await download(archiveUrl, path.join(work, files.archive));
    const actual = await sha256Of(archive);
    if (actual !== expected) {
      throw new ChecksumError(`The Pulumi CLI archive ${files.archive} has SHA-256 ${actual}, not the one ${files.checksums} gives (${expected}): ${advice}.`);
    }

    const unpacked = path.join(work, 'unpacked');
    await (files.archive.endsWith('.zip') ? tc.extractZip(archive, unpacked) : tc.extractTar(archive, unpacked));
    const staged = path.join(work, 'staged');
    fs.mkdirSync(staged);
    fs.renameSync(binariesIn(unpacked, files.archive), path.join(staged, 'bin'));
    const source = `${archiveUrl}, SHA-256 checked against ${files.checksums}`;
    if (env.RUNNER_TOOL_CACHE) return { root: await tc.cacheDir(staged, 'pulumi', version), source };
    replaceDir(staged, home);
    return { root: home, source };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** tool-cache retries 5xx and network errors; its own message does not say what it was fetching. */
async function download(url: string, dest: string): Promise<string> {
  try {
    return await tc.downloadTool(url, dest);
  } catch (err) {
    throw new Error(`${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Releases unpack to pulumi/ holding the CLI and its plugins; older ones had them in pulumi/bin/. */
function binariesIn(unpacked: string, archive: string): string {
  for (const dir of [path.join(unpacked, 'pulumi', 'bin'), path.join(unpacked, 'pulumi')]) {
    if (['pulumi', 'pulumi.exe'].some((name) => fs.existsSync(path.join(dir, name)))) return dir;
  }
  throw new Error(`${archive} holds no pulumi/pulumi`);
}

/** Copied beside `dir` (the work folder may be on another file system), then renamed into place. */
function replaceDir(from: string, dir: string): void {
  const partial = `${dir}.partial-${process.pid}`;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.rmSync(partial, { recursive: true, force: true });
  fs.cpSync(from, partial, { recursive: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(partial, dir);
}
