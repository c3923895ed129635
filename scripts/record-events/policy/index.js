// Policies over the files of scripts/record-events/index.js: one that blocks (mandatory), one that
// advises per resource and one that advises on the whole stack, the three shapes a violation takes.
"use strict";
const { PolicyPack } = require("@pulumi/policy");

const isFile = (type) => type.startsWith("pulumi-nodejs:dynamic/files:");

new PolicyPack("file-rules", {
    policies: [
        {
            name: "no-world-writable",
            description: "Files may not be world-writable.",
            enforcementLevel: "mandatory",
            validateResource: (args, reportViolation) => {
                if (isFile(args.type) && args.props.mode === "0666") reportViolation(`${args.name} has mode 0666: anyone can write it; use 0644.`);
            },
        },
        {
            name: "files-have-mode",
            description: "Files should say their mode.",
            enforcementLevel: "advisory",
            validateResource: (args, reportViolation) => {
                if (isFile(args.type) && args.props.mode === undefined) reportViolation(`${args.name} has no mode.`);
            },
        },
        {
            name: "at-most-five-files",
            description: "A stack should hold at most five files.",
            enforcementLevel: "advisory",
            validateStack: (args, reportViolation) => {
                const count = args.resources.filter((r) => isFile(r.type)).length;
                if (count > 5) reportViolation(`The stack holds ${count} files.`);
            },
        },
    ],
});
