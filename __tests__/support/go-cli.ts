/**
 * Go programs built as the Pulumi CLI is built: the module github.com/pulumi/pulumi/pkg/v3, the
 * package cmd/pulumi, by the real Go toolchain, so their build information is what a Pulumi CLI's
 * would be, with whatever `-ldflags` and target a test asks for.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SDK_VERSION_VARIABLE = 'github.com/pulumi/pulumi/sdk/v3/go/common/version.Version';
export const PKG_VERSION_VARIABLE = 'github.com/pulumi/pulumi/pkg/v3/version.Version';

/** Builds `main` (the source of package main) into `<dir>/bin/pulumi` and returns that path. */
export function buildAsPulumiCli(dir: string, main: string, flags: string[] = [], target: { GOOS?: string; GOARCH?: string } = {}): string {
  const source = path.join(dir, 'src');
  fs.mkdirSync(path.join(source, 'cmd', 'pulumi'), { recursive: true });
  fs.writeFileSync(path.join(source, 'go.mod'), 'module github.com/pulumi/pulumi/pkg/v3\n\ngo 1.22\n');
  fs.writeFileSync(path.join(source, 'cmd', 'pulumi', 'main.go'), main);
  const binary = path.join(dir, 'bin', 'pulumi');
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', ...target };
  execFileSync('go', ['build', ...flags, '-o', binary, './cmd/pulumi'], { cwd: source, env, stdio: 'pipe' });
  return binary;
}
