// The build information the Go linker writes into every binary (what `go version -m` prints), read
// from the file itself: for the Pulumi CLI it says which version the binary is, without starting it
// (a `pulumi version` costs 115-160 ms here, more while the action loads beside it). Linux (ELF) and
// macOS (Mach-O) binaries of Go 1.18 or later; anything else, a script or shim on PATH included, has
// none, and the caller runs the binary instead. Imports nothing of the action's: the entry point
// reads it before the rest loads.
import * as fs from 'node:fs';

export interface GoBuildInfo {
  /** `path`: the main package's import path. */
  path?: string;
  /** `mod`: the main module's path and version (`(devel)` for a build from a checkout). */
  module?: { path: string; version: string };
  /** `build` settings such as `-ldflags` and `-trimpath`, values unquoted. */
  settings: Map<string, string>;
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** Enough for the module list of a large program (the Pulumi CLI's is about 60 KB). */
const MAX_INFO_BYTES = 1 << 20;

export function readGoBuildInfo(file: string): GoBuildInfo | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const read = (offset: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length);
      return buffer.subarray(0, fs.readSync(fd!, buffer, 0, length, offset));
    };
    const section = buildInfoSection(read);
    return section && parseBuildInfo(read(section.offset, Math.min(section.size, MAX_INFO_BYTES)));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

type Read = (offset: number, length: number) => Buffer;

/** Where `.go.buildinfo` (ELF) or `__go_buildinfo` (Mach-O) lies in the file. */
function buildInfoSection(read: Read): { offset: number; size: number } | undefined {
  const header = read(0, 64);
  // ELF, 64-bit, little-endian: the section headers, named through the section name table.
  if (header.length === 64 && header.readUInt32BE(0) === 0x7f454c46 && header[4] === 2 && header[5] === 1) {
    const tableOffset = Number(header.readBigUInt64LE(0x28));
    const entrySize = header.readUInt16LE(0x3a);
    const count = header.readUInt16LE(0x3c);
    const table = read(tableOffset, entrySize * count);
    const entry = (i: number) => ({
      name: table.readUInt32LE(i * entrySize),
      offset: Number(table.readBigUInt64LE(i * entrySize + 24)),
      size: Number(table.readBigUInt64LE(i * entrySize + 32)),
    });
    const names = entry(header.readUInt16LE(0x3e));
    const nameTable = read(names.offset, names.size);
    for (let i = 0; i < count; i++) {
      const { name, offset, size } = entry(i);
      if (nameTable.toString('latin1', name, nameTable.indexOf(0, name)) === '.go.buildinfo') return { offset, size };
    }
    return undefined;
  }
  // Mach-O, 64-bit, little-endian: the sections of each LC_SEGMENT_64 load command.
  if (header.length >= 32 && header.readUInt32LE(0) === 0xfeedfacf) {
    const commands = read(32, header.readUInt32LE(20));
    for (let at = 0; at + 8 <= commands.length; at += commands.readUInt32LE(at + 4) || commands.length) {
      if (commands.readUInt32LE(at) !== 0x19) continue;
      for (let s = 0, n = commands.readUInt32LE(at + 64); s < n; s++) {
        const sect = at + 72 + s * 80;
        if (commands.toString('latin1', sect, sect + 16).replace(/\0+$/, '') === '__go_buildinfo') {
          return { offset: commands.readUInt32LE(sect + 48), size: Number(commands.readBigUInt64LE(sect + 40)) };
        }
      }
    }
  }
  return undefined;
}

/**
 * The section's header: the magic, the pointer size, flags; since Go 1.18 (flag 2) the Go version and
 * the module information follow as length-prefixed strings, the latter between 16-byte sentinels.
 */
function parseBuildInfo(data: Buffer): GoBuildInfo | undefined {
  if (data.length < 32 || !data.subarray(0, MAGIC.length).equals(MAGIC) || (data[15]! & 2) === 0) return undefined;
  let at = 32;
  const bytes = (): Buffer => {
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = data[at++]!;
      length |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    at += length;
    return data.subarray(at - length, at);
  };
  bytes(); // the Go version
  const raw = bytes();
  const modinfo = (raw.length >= 33 && raw[raw.length - 17] === 0x0a ? raw.subarray(16, -16) : raw).toString('utf8');
  const info: GoBuildInfo = { settings: new Map() };
  for (const line of modinfo.split('\n')) {
    const [kind, first, second] = line.split('\t');
    if (kind === 'path') info.path = first;
    else if (kind === 'mod' && first && second) info.module = { path: first, version: second };
    else if (kind === 'build' && first) {
      const eq = first.indexOf('=');
      const value = first.slice(eq + 1);
      info.settings.set(first.slice(0, eq), value.startsWith('"') ? (JSON.parse(value) as string) : value);
    }
  }
  return info;
}
