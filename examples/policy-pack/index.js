// Example policies over the files examples/python writes, one of each kind a pack can have: a
// mandatory one (a violation fails the update), an advisory one (reported, nothing fails) and a
// configurable one over the whole stack. Run it with the action's `policy-packs: examples/policy-pack`.
"use strict";
const { PolicyPack } = require("@pulumi/policy");

const isFile = (type) => type === "pulumi-python:dynamic/files:File";

new PolicyPack("files-policies", {
    policies: [
        {
            name: "no-forbidden-words",
            description: "A file may not say 'forbidden'.",
            enforcementLevel: "mandatory",
            validateResource: (args, reportViolation) => {
                if (isFile(args.type) && String(args.props.content).includes("forbidden")) {
                    reportViolation(`${args.name} says 'forbidden'; choose another message.`);
                }
            },
        },
        {
            name: "greets-politely",
            description: "A file should start with a greeting.",
            enforcementLevel: "advisory",
            validateResource: (args, reportViolation) => {
                if (isFile(args.type) && !/^(hello|hi)\b/i.test(String(args.props.content))) {
                    reportViolation(`${args.name} does not start with hello or hi.`);
                }
            },
        },
        {
            name: "few-files",
            description: "A stack should hold few files; `maximum` says how many (5 unless configured).",
            enforcementLevel: "advisory",
            configSchema: { properties: { maximum: { type: "integer", default: 5 } } },
            validateStack: (args, reportViolation) => {
                const { maximum } = args.getConfig();
                const count = args.resources.filter((r) => isFile(r.type)).length;
                if (count > maximum) reportViolation(`The stack holds ${count} files, more than ${maximum}.`);
            },
        },
    ],
});
