// The program behind the recorded engine events (scripts/record-events.mjs). Every resource is a
// file under out/, written by a dynamic provider; resources.json, which the recorder rewrites for
// each scenario, says which files exist and with what properties. Two kinds of provider, as real
// ones come: `File`'s says whether anything changed (and the engine learns no more), `JsonFile`'s
// leaves that to the engine, which then diffs the inputs itself, property paths and all.
"use strict";
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");

// The properties a file cannot change in place: moving it is a new file.
const REPLACE_ON = ["folder", "name"];

// Everything the provider's methods use is serialized into each resource's inputs (`__provider`),
// so it stays small and self-contained.
// A `comment` is the file's and no one else's: changing it changes nothing on disk, so the
// providers ignore it (as real ones ignore properties they do not manage).
const changedKeys = (olds, news) =>
    [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
        (k) => !["__provider", "size", "comment"].includes(k) && JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
    );

const write = (props) => {
    if (props.failWith) throw new Error(props.failWith);
    const text = props.content ?? `${JSON.stringify(props.data, null, 2)}\n`;
    fs.mkdirSync(props.folder, { recursive: true });
    fs.writeFileSync(path.join(props.folder, props.name), text);
    const { __provider, ...outs } = props;
    return { ...outs, size: Buffer.byteLength(text) };
};

const provider = {
    async check(_olds, news) {
        return { inputs: news };
    },
    async diff(_id, olds, news) {
        const keys = changedKeys(olds, news);
        return { changes: keys.length > 0, replaces: keys.filter((k) => REPLACE_ON.includes(k)) };
    },
    async create(inputs) {
        return { id: path.join(inputs.folder, inputs.name), outs: write(inputs) };
    },
    async update(_id, _olds, news) {
        return { outs: write(news) };
    },
    async delete(_id, props) {
        fs.rmSync(path.join(props.folder, props.name), { force: true });
    },
    // What is on disk, so a refresh sees a file edited by hand.
    async read(id, props) {
        let text;
        try {
            text = fs.readFileSync(path.join(props.folder, props.name), "utf8");
        } catch {
            return {};
        }
        const { __provider, size, ...inputs } = props;
        if (props.data === undefined) inputs.content = text;
        else inputs.data = JSON.parse(text);
        return { id, props: { ...inputs, size: Buffer.byteLength(text) }, inputs };
    },
};

// Says which properties force a replacement, but not whether anything changed: the engine works that out.
const jsonProvider = {
    ...provider,
    async diff(_id, olds, news) {
        return { replaces: changedKeys(olds, news).filter((k) => REPLACE_ON.includes(k)) };
    },
};

class File extends pulumi.dynamic.Resource {
    constructor(name, args, opts) {
        super(provider, name, { ...args, size: undefined }, opts, "files", "File");
    }
}

class JsonFile extends pulumi.dynamic.Resource {
    constructor(name, args, opts) {
        super(jsonProvider, name, { ...args, size: undefined }, opts, "files", "JsonFile");
    }
}

const config = new pulumi.Config();
const wanted = JSON.parse(fs.readFileSync(path.join(__dirname, "resources.json"), "utf8"));

// The engine answers a registration when the resource's step is done: waiting for it (and for each
// log message to be taken) before the next makes the engine's events come in one order every run.
const registered = (resource) => new Promise((resolve) => resource.urn.apply(resolve));

module.exports = async () => {
    const declared = {};
    let previous;
    for (const [name, { protect, secretContent, sizeOf, ...args }] of Object.entries(wanted)) {
        const Kind = args.data ? JsonFile : File;
        // A secret input: the content is the secret config value `token`.
        if (secretContent) args.content = config.requireSecret("token");
        // An input from another resource's output: unknown in a preview while that one is replaced.
        if (sizeOf) args.sizeOf = declared[sizeOf].size;
        // Each file depends on the one before it, which orders the deletions too.
        previous = new Kind(name, args, { protect, dependsOn: previous ? [previous] : [] });
        declared[name] = previous;
        await registered(previous);
        // A warning on a resource, and a status line (ephemeral) the report must leave out.
        if (args.encoding) {
            await pulumi.log.warn(`${name}: 'encoding' is deprecated: files are always written as UTF-8.`, previous);
            await pulumi.log.warn(`${name}: checking the encoding…`, previous, undefined, true);
        }
    }
    await pulumi.log.info(`declared ${Object.keys(wanted).length} files`);
    return { fileCount: Object.keys(wanted).length, token: config.requireSecret("token") };
};
