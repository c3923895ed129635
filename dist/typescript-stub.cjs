// Stands in for TypeScript, which @pulumi/pulumi needs only to serialize inline programs.
module.exports = new Proxy({}, { get() { throw new Error('TypeScript is not bundled with this action'); } });
