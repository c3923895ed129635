// files-ts: an example stack for pulumi-stack-action that needs no cloud account.
//
// Every resource is a file written by a dynamic provider (see provider.ts).
//
// Config (namespace files-ts):
//   message    plain string, default "hello": text written into the files
//   token      secret, default "": only ever exported inside the secret output `connection`
//   outDir     directory for the files, default <program dir>/out/<stack>
//   fileCount  integer, default 3: number of File resources (file-0 ... file-N-1)
//   delayMs    integer, default 0: each create/update/delete sleeps this long first
//              (changing only delayMs changes nothing; deletes use the delay stored at the
//              resource's last create/update)
//
// Outputs: dir, files, manifest, greeting (plain), connection (secret, contains the token), and an
// asset and an archive (notes, bundle), which Pulumi writes as objects with their own signatures.
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import { File, Manifest } from "./provider";

const config = new pulumi.Config(); // namespace = project name (files-ts)
const stack = pulumi.getStack();

const message = config.get("message") || "hello";
const token = config.getSecret("token") ?? pulumi.secret("");
const fileCount = config.getNumber("fileCount", { min: 0 }) ?? 3;
const delayMs = config.getNumber("delayMs", { min: 0 }) ?? 0;
if (!Number.isInteger(fileCount) || !Number.isInteger(delayMs)) {
    throw new Error(`fileCount and delayMs must be integers, got ${fileCount} and ${delayMs}`);
}

// The providers run in another process with another working directory: pass absolute paths.
const outDir = path.resolve(__dirname, config.get("outDir") || path.join("out", stack));

const fileResources: File[] = [];
for (let i = 0; i < fileCount; i++) {
    fileResources.push(
        new File(`file-${i}`, {
            path: path.join(outDir, `file-${i}.txt`),
            content: `${message} #${i}\n`,
            delayMs,
        }),
    );
}

const manifestResource = new Manifest("manifest", {
    path: path.join(outDir, "manifest.json"),
    stack,
    files: fileResources.map((f) => f.path),
    delayMs,
});

export const dir = outDir;
export const files = fileResources.map((f) => f.path);
export const manifest = manifestResource.path;
export const greeting = `${message}, ${stack}!`;
export const connection = pulumi.secret(pulumi.interpolate`token=${token}`);
export const notes = new pulumi.asset.StringAsset(`${message} from ${stack}\n`);
export const bundle = new pulumi.asset.AssetArchive({
    "project.yaml": new pulumi.asset.FileAsset("Pulumi.yaml"),
    "greeting.txt": new pulumi.asset.StringAsset(greeting),
});
