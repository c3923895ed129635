// Dynamic providers for the files-ts example: resources that are files on this machine.
//
// The engine runs these providers in a separate process (started in the program directory, with
// the provider objects below serialized into the state by Pulumi's closure serializer), so every
// input they need (absolute paths, the delay) is a resource property. Keep the provider code
// self-contained: only built-in modules and the helpers in this file.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

// The marker the engine uses for values not known during a preview.
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface FileProps {
    path: string;
    content: string;
    delayMs?: number;
}

interface FileOuts extends FileProps {
    size: number;
    sha256: string;
}

interface ManifestProps {
    path: string;
    stack: string;
    files: string[];
    delayMs?: number;
}

interface ManifestOuts extends ManifestProps {
    count: number;
}

// Everything the providers below use is serialized into every resource's state (inputs and
// outputs), so the code they capture is kept small: at 500 resources the file backend rewrites the
// whole state after each step, and the state's size dominates the time of an update.

// Sleep delayMs, then write `text` to props.path (or remove the file when text is undefined).
async function apply(props: { path: string; delayMs?: number }, text: string | undefined): Promise<void> {
    const ms = Number(props.delayMs ?? 0);
    if (ms > 0) {
        await new Promise((resolve) => setTimeout(resolve, ms));
    }
    if (text === undefined) {
        return fs.promises.rm(props.path, { force: true });
    }
    await fs.promises.mkdir(path.dirname(props.path), { recursive: true });
    const tmp = `${props.path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await fs.promises.writeFile(tmp, text, "utf8");
    await fs.promises.rename(tmp, props.path);
}

// Check (an absolute path; unknown values during a preview pass) and diff (`path` replaces).
function validate(news: any): pulumi.dynamic.CheckResult {
    const p = news.path;
    const bad = typeof p === "string" && p !== UNKNOWN && !path.isAbsolute(p);
    return { inputs: news, failures: bad ? [{ property: "path", reason: `path must be absolute, got ${p}` }] : [] };
}

function diffOf(olds: any, news: any, keys: string[]): pulumi.dynamic.DiffResult {
    const changes = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changes.length > 0, replaces: changes.filter((k) => k === "path") };
}

// The file's text, or undefined when it does not exist.
async function readText(file: string): Promise<string | undefined> {
    return fs.promises.readFile(file, "utf8").catch((err) => (err.code === "ENOENT" ? undefined : Promise.reject(err)));
}

function fileOuts(p: FileProps): FileOuts {
    const sha256 = crypto.createHash("sha256").update(p.content, "utf8").digest("hex");
    return { path: p.path, content: p.content, delayMs: p.delayMs ?? 0, size: Buffer.byteLength(p.content), sha256 };
}

// Changing only delayMs is not a change; deletes use the delay stored at the last create/update.
// read() reports drift in the inputs too, so the next diff compares against what is on disk (the
// SDK types ReadResult.inputs as the outputs type; these are the inputs); {} means "gone".
const fileProvider: pulumi.dynamic.ResourceProvider<FileProps, FileOuts> = {
    check: async (_olds, news) => validate(news),
    diff: async (_id, olds, news) => diffOf(olds, news, ["path", "content"]),
    async create(inputs) {
        await apply(inputs, inputs.content);
        return { id: inputs.path, outs: fileOuts(inputs) };
    },
    async update(_id, _olds, news) {
        await apply(news, news.content);
        return { outs: fileOuts(news) };
    },
    delete: (_id, props) => apply(props, undefined),
    async read(id, props) {
        const p = { path: props?.path ?? id, content: "", delayMs: props?.delayMs ?? 0 };
        const content = await readText(p.path);
        return content === undefined ? {} : { id: p.path, props: fileOuts({ ...p, content }), inputs: { ...p, content } as FileOuts };
    },
};

function manifestOuts(p: ManifestProps): ManifestOuts {
    const files = [...(p.files ?? [])];
    return { path: p.path, stack: p.stack, files, delayMs: p.delayMs ?? 0, count: files.length };
}

function manifestText(p: ManifestProps): string {
    return JSON.stringify({ stack: p.stack, files: p.files ?? [] }, null, 2) + "\n";
}

const manifestProvider: pulumi.dynamic.ResourceProvider<ManifestProps, ManifestOuts> = {
    check: async (_olds, news) => validate(news),
    diff: async (_id, olds, news) => diffOf(olds, news, ["path", "stack", "files"]),
    async create(inputs) {
        await apply(inputs, manifestText(inputs));
        return { id: inputs.path, outs: manifestOuts(inputs) };
    },
    async update(_id, _olds, news) {
        await apply(news, manifestText(news));
        return { outs: manifestOuts(news) };
    },
    delete: (_id, props) => apply(props, undefined),
    async read(id, props) {
        const file = props?.path ?? id;
        let doc: any;
        try {
            doc = JSON.parse((await readText(file)) ?? "");
        } catch {
            return {};
        }
        const { count: _count, ...inputs } = manifestOuts({ ...doc, path: file, delayMs: props?.delayMs });
        return { id: file, props: manifestOuts({ ...inputs }), inputs: inputs as ManifestOuts };
    },
};

export interface FileArgs {
    path: pulumi.Input<string>;
    content: pulumi.Input<string>;
    delayMs?: pulumi.Input<number>;
}

/** A text file; type `pulumi-nodejs:dynamic/files:File`. */
export class File extends pulumi.dynamic.Resource {
    declare public readonly path: pulumi.Output<string>;
    declare public readonly content: pulumi.Output<string>;
    declare public readonly size: pulumi.Output<number>;
    declare public readonly sha256: pulumi.Output<string>;

    constructor(name: string, args: FileArgs, opts?: pulumi.CustomResourceOptions) {
        super(fileProvider, name, { delayMs: 0, ...args, size: undefined, sha256: undefined }, opts, "files", "File");
    }
}

export interface ManifestArgs {
    path: pulumi.Input<string>;
    stack: pulumi.Input<string>;
    files: pulumi.Input<pulumi.Input<string>[]>;
    delayMs?: pulumi.Input<number>;
}

/** A JSON file listing the other files; type `pulumi-nodejs:dynamic/files:Manifest`. */
export class Manifest extends pulumi.dynamic.Resource {
    declare public readonly path: pulumi.Output<string>;
    declare public readonly files: pulumi.Output<string[]>;
    declare public readonly count: pulumi.Output<number>;

    constructor(name: string, args: ManifestArgs, opts?: pulumi.CustomResourceOptions) {
        super(manifestProvider, name, { delayMs: 0, ...args, count: undefined }, opts, "files", "Manifest");
    }
}
