// A local mirror of Pulumi's plugin downloads, serving the real test plugin that
// scripts/mirror-plugin.mjs builds, and the setting that points the CLI at it: the plugin's default
// source is its GitHub release (`github://api.github.com/pulumi/pulumi-<name>`), which
// PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES maps to this server, as a company's own mirror is configured.
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ensureMirrorPlugin, MIRROR_PLUGIN } from '../../scripts/mirror-plugin.mjs';

export interface PluginMirror {
  url: string;
  /** PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES for this mirror. */
  overrides: string;
  /** The plugin's name and version, as a program names them. */
  plugin: { name: string; version: string };
  /** How many times the archive was downloaded. */
  downloads(): number;
  close(): Promise<void>;
}

export async function startPluginMirror(): Promise<PluginMirror> {
  const archive = ensureMirrorPlugin();
  const name = path.basename(archive);
  let downloads = 0;
  const server = createServer((req, res) => {
    if (req.url !== `/${name}`) return void res.writeHead(404).end();
    downloads++;
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': fs.statSync(archive).size });
    fs.createReadStream(archive).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    overrides: `^github://api.github.com/pulumi/pulumi-${MIRROR_PLUGIN.name}$=${url}`,
    plugin: MIRROR_PLUGIN,
    downloads: () => downloads,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
