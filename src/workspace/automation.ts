// The Automation API's LocalWorkspace, bundled apart (dist/automation.js) and loaded only when a
// run needs it: it is 1.8 MB of the action's code (gRPC, protobuf, the Pulumi runtime), and a
// preview or update of an existing stack without `config` never does.
export { LocalWorkspace } from '@pulumi/pulumi/automation/index.js';
