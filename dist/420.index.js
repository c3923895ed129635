export const id = 420;
export const ids = [420];
export const modules = {

/***/ 34420:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 14 modules
var core = __webpack_require__(96421);
// EXTERNAL MODULE: ./node_modules/@pulumi/pulumi/automation/index.js
var automation = __webpack_require__(17965);
;// CONCATENATED MODULE: ./lib/report/model.js
/** Steps the engine emits around a replacement; the resource is reported once, as `replace`. */
const REPLACEMENT_STEPS = new Set([
    'replace',
    'create-replacement',
    'read-replacement',
    'import-replacement',
]);
/**
 * Clean-up steps of a replacement. With a `replace` step they belong to it; alone (the engine
 * deleting a copy left pending by an earlier failed replacement) they are a deletion in their own right.
 */
const REPLACED_CLEANUP_STEPS = new Set(['delete-replaced', 'discard-replaced']);
/** Operations that leave the infrastructure as it is (the engine's own notion of "no changes"). */
const NON_CHANGING_OPS = new Set(['same', 'read', 'read-discard']);
/** The engine's closing "update failed" / "preview failed" error, which repeats what the other errors say. */
const GENERIC_FAILURE = /^(update|preview) failed$/;
/** Colour directives (`<{%reset%}>`, `<{%fg 3%}>`…) the engine embeds in messages unless NO_COLOR is set. */
const COLOR_DIRECTIVE = /<\{%[^%]*%\}>/g;
const URN_DELIMITER = '::';
/**
 * When one URN sees several steps, the latest describes it (a `refresh` step is followed by its
 * result or by the update's own step), except that any step of a replacement makes it a replacement
 * and a clean-up deletion outweighs the unchanged current resource.
 */
function opRank(op) {
    if (REPLACEMENT_STEPS.has(op))
        return 2;
    return REPLACED_CLEANUP_STEPS.has(op) ? 1 : 0;
}
/** The resource name: what follows the third `::` of the URN (a name may itself contain `::`). */
function urnName(urn) {
    let at = -URN_DELIMITER.length;
    for (let i = 0; i < 3; i++) {
        const next = urn.indexOf(URN_DELIMITER, at + URN_DELIMITER.length);
        if (next < 0)
            break;
        at = next;
    }
    return urn.slice(at + URN_DELIMITER.length);
}
function stripColor(message) {
    return message.replace(COLOR_DIRECTIVE, '').trim();
}
/** Property paths from the detailed diff when the provider gives one, else the top-level keys. */
function stepDiffs(metadata) {
    const detailed = metadata.detailedDiff ? Object.keys(metadata.detailedDiff) : [];
    return detailed.length > 0 ? detailed : (metadata.diffs ?? []);
}
function trackStep(resources, metadata) {
    const rank = opRank(metadata.op);
    const state = metadata.new ?? metadata.old;
    let tracked = resources.get(metadata.urn);
    if (!tracked) {
        tracked = {
            change: { urn: metadata.urn, type: metadata.type, name: urnName(metadata.urn), op: metadata.op, diffs: [], protected: false },
            rank,
            diffs: new Set(),
        };
        resources.set(metadata.urn, tracked);
    }
    else if (rank >= tracked.rank) {
        tracked.change.op = metadata.op;
        tracked.rank = rank;
    }
    if (state?.protect !== undefined)
        tracked.change.protected = state.protect;
    for (const diff of stepDiffs(metadata))
        tracked.diffs.add(diff);
    return tracked;
}
function finishResource({ change, diffs }) {
    return { ...change, op: REPLACEMENT_STEPS.has(change.op) ? 'replace' : change.op, diffs: [...diffs] };
}
/** Default providers are the engine's plumbing: its own summary leaves them out, and so do we. */
function isDefaultProvider(resource) {
    return resource.type.startsWith('pulumi:providers:') && resource.name.startsWith('default');
}
/** The stack resource and explicit providers are only worth listing when they change. */
function isListed(resource) {
    const plumbing = resource.type === 'pulumi:pulumi:Stack' || resource.type.startsWith('pulumi:providers:');
    return !(plumbing && resource.op === 'same');
}
function toDiagnostic(event) {
    if (event.ephemeral || (event.severity !== 'warning' && event.severity !== 'error'))
        return undefined;
    const message = stripColor(event.message);
    if (message === '')
        return undefined;
    return { severity: event.severity, message, ...(event.urn ? { urn: event.urn } : {}) };
}
/** Drops the generic closing error, unless it is the only error the engine gave. */
function withoutGenericFailure(diagnostics) {
    const isGeneric = (d) => d.severity === 'error' && GENERIC_FAILURE.test(d.message);
    const hasSpecificError = diagnostics.some((d) => d.severity === 'error' && !isGeneric(d));
    return hasSpecificError ? diagnostics.filter((d) => !isGeneric(d)) : [...diagnostics];
}
function toPolicyViolation(event) {
    return {
        policyPack: event.policyPackName,
        policy: event.policyName,
        enforcement: event.enforcementLevel,
        message: stripColor(event.message),
        ...(event.resourceUrn ? { urn: event.resourceUrn } : {}),
    };
}
function emptyCounts() {
    return { create: 0, update: 0, delete: 0, replace: 0, same: 0 };
}
function isReplacementHelper(op) {
    return op !== 'replace' && (REPLACEMENT_STEPS.has(op) || REPLACED_CLEANUP_STEPS.has(op));
}
/** The summary counts logical steps only; a replacement's helper steps are left out should they appear. */
function countsFromOpMap(opMap) {
    const counts = emptyCounts();
    for (const [op, count] of Object.entries(opMap)) {
        if (count && !isReplacementHelper(op))
            counts[op] = (counts[op] ?? 0) + count;
    }
    return counts;
}
/** Counts every resource but default providers, as the engine's summary does. */
function countsFromResources(resources) {
    const counts = emptyCounts();
    for (const { op } of resources)
        counts[op] = (counts[op] ?? 0) + 1;
    return counts;
}
/** Builds the change model from an operation's engine events, in the order the engine emitted them. */
function changeSummaryFromEvents(events) {
    const resources = new Map();
    const diagnostics = [];
    const policyViolations = [];
    let summary;
    for (const event of events) {
        if (event.resourcePreEvent)
            trackStep(resources, event.resourcePreEvent.metadata);
        else if (event.resOutputsEvent)
            trackStep(resources, event.resOutputsEvent.metadata);
        else if (event.resOpFailedEvent)
            trackStep(resources, event.resOpFailedEvent.metadata).change.failed = true;
        else if (event.diagnosticEvent) {
            const diagnostic = toDiagnostic(event.diagnosticEvent);
            if (diagnostic)
                diagnostics.push(diagnostic);
        }
        else if (event.policyEvent)
            policyViolations.push(toPolicyViolation(event.policyEvent));
        else if (event.summaryEvent)
            summary = event.summaryEvent;
    }
    const all = Array.from(resources.values(), finishResource).filter((r) => !isDefaultProvider(r));
    return {
        resources: all.filter(isListed),
        counts: summary?.resourceChanges ? countsFromOpMap(summary.resourceChanges) : countsFromResources(all),
        diagnostics: withoutGenericFailure(diagnostics),
        policyViolations,
        ...(summary ? { durationSeconds: summary.durationSeconds } : {}),
        maybeCorrupt: summary?.maybeCorrupt ?? false,
    };
}
/** True when any operation would alter infrastructure (reads and unchanged resources do not). */
function hasChanges(counts) {
    return Object.entries(counts).some(([op, count]) => count > 0 && !NON_CHANGING_OPS.has(op));
}
function resultOf(summary, failed) {
    if (failed)
        return 'failed';
    return hasChanges(summary.counts) ? 'succeeded' : 'no-changes';
}
const MARKER_PREFIX = '<!-- pulumi-stack-action: ';
const MARKER_SUFFIX = ' -->';
/**
 * The hidden first line that identifies our sticky comment for one project, stack and command.
 * The identity is JSON with `<`, `>` and doubled `-` written as \u escapes, so no name can end
 * the HTML comment early (`-->`, `--!>`) or open another one.
 */
function commentMarker(project, stack, command) {
    const identity = JSON.stringify({ project, stack, command })
        .replace(/[<>]/g, (c) => (c === '<' ? '\\u003c' : '\\u003e'))
        .replace(/-(?=-)/g, '\\u002d');
    return `${MARKER_PREFIX}${identity}${MARKER_SUFFIX}`;
}
/** Whether a comment body is the sticky comment `marker` identifies (GitHub may store CRLF). */
function isOurComment(body, marker) {
    const end = body.indexOf('\n');
    const firstLine = end < 0 ? body : body.slice(0, end);
    return firstLine.replace(/\r$/, '') === marker;
}
const REDACTED = '***';
/**
 * One pass over the text with the secrets as alternatives, longest first, so a secret that contains
 * another is masked whole and `***` itself is never masked again.
 */
function secretRedactor(secrets) {
    const distinct = [...new Set(secrets.filter((secret) => secret !== ''))].sort((a, b) => b.length - a.length);
    if (distinct.length === 0)
        return (text) => text;
    const pattern = new RegExp(distinct.map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    return (text) => text.replace(pattern, REDACTED);
}
function redact(text, secrets) {
    return secretRedactor(secrets)(text);
}
function redactValue(value, mask) {
    if (typeof value === 'string')
        return mask(value);
    if (Array.isArray(value))
        return value.map((item) => redactValue(item, mask));
    if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [mask(key), redactValue(item, mask)]));
    }
    return value;
}
/**
 * Masks secrets in everything a renderer shows. Done on the model, before escaping, because an
 * escaped secret (`a\|b`) would no longer match. The stack identity is kept: it names the comment.
 */
function redactReport(report, secrets) {
    const mask = secretRedactor(secrets);
    const { changes } = report;
    return {
        ...report,
        changes: {
            ...changes,
            resources: changes.resources.map((r) => ({ ...r, urn: mask(r.urn), type: mask(r.type), name: mask(r.name), diffs: r.diffs.map(mask) })),
            diagnostics: changes.diagnostics.map((d) => ({ ...d, message: mask(d.message), ...(d.urn ? { urn: mask(d.urn) } : {}) })),
            policyViolations: changes.policyViolations.map((p) => ({
                ...p,
                policyPack: mask(p.policyPack),
                policy: mask(p.policy),
                message: mask(p.message),
                ...(p.urn ? { urn: mask(p.urn) } : {}),
            })),
        },
        outputs: Object.fromEntries(Object.entries(report.outputs).map(([key, output]) => [mask(key), { ...output, value: redactValue(output.value, mask) }])),
        ...(report.error !== undefined ? { error: mask(report.error) } : {}),
        ...(report.logTail ? { logTail: report.logTail.map(mask) } : {}),
        ...(report.lifecycle ? { lifecycle: report.lifecycle.map((l) => ({ ...l, ...(l.detail ? { detail: mask(l.detail) } : {}) })) } : {}),
        ...(report.checks ? { checks: report.checks.map((c) => ({ ...c, expected: mask(c.expected), actual: mask(c.actual) })) } : {}),
    };
}

;// CONCATENATED MODULE: ./lib/run-context.js
class Cancelled extends Error {
    name = 'Cancelled';
}
/** Between stages: a cancelled run starts nothing new. */
function throwIfCancelled(signal, when) {
    if (signal.aborted)
        throw new Cancelled(`cancelled ${when}; nothing further was started.`);
}

;// CONCATENATED MODULE: ./lib/operation.js
// Stage 4: runs the planned steps. One table maps each step to its Automation API call; the
// engine's output streams into a log group per step, and its events are collected as they come,
// for the change model.





const LOG_TAIL_LINES = 40;
const LOCK_RETRY_MAX_WAIT_MS = 15_000;
function common({ options, onEvent, onOutput, signal }) {
    return {
        onEvent,
        onOutput: wholeLines(onOutput),
        signal,
        parallel: options.parallel,
        message: options.message,
        target: nonEmpty(options.target),
        color: 'never',
    };
}
/** Options of the commands that run the program to compute changes. */
function planning(call) {
    return {
        ...common(call),
        expectNoChanges: call.options.expectNoChanges,
        diff: call.options.diff,
        replace: nonEmpty(call.options.replace),
        policyPacks: nonEmpty(call.options.policyPacks),
        plan: call.planFile,
    };
}
/** The engine writes partial lines; the log wants whole ones. */
function wholeLines(onOutput) {
    let pending = '';
    return (chunk) => {
        const parts = (pending + chunk).split(/\r?\n/);
        pending = parts.pop() ?? '';
        for (const part of parts)
            onOutput(part);
    };
}
const STEPS = {
    preview: async (stack, call) => {
        await stack.preview(planning(call));
        if (call.planFile)
            await stampPlan(stack, call.planFile);
        return {};
    },
    up: async (stack, call) => {
        if (call.planFile)
            await checkPlanBase(stack, call.planFile);
        return { outputs: (await stack.up(planning(call))).outputs };
    },
    refresh: async (stack, call) => {
        await stack.refresh({ ...common(call), expectNoChanges: call.options.expectNoChanges });
        return { outputs: await stack.outputs() };
    },
    'refresh-first': async (stack, call) => {
        await stack.refresh(common(call));
        return {};
    },
    destroy: async (stack, call) => {
        await stack.destroy({ ...common(call), diff: call.options.diff });
        return { outputs: {} };
    },
    'destroy-preview': async (stack, call) => {
        await stack.previewDestroy(common(call));
        return {};
    },
    'destroy-and-remove': async (stack, call) => {
        await stack.destroy({ ...common(call), target: undefined, remove: true });
        return {};
    },
    drift: async (stack, call) => {
        await stack.previewRefresh(common(call));
        return {};
    },
    output: async (stack) => ({ outputs: await stack.outputs() }),
};
const STEP_TITLES = {
    'refresh-first': 'refresh',
    preview: 'preview',
    up: 'up',
    refresh: 'refresh',
    destroy: 'destroy',
    'destroy-preview': 'destroy --preview-only',
    'destroy-and-remove': 'destroy --remove',
    drift: 'refresh --preview-only',
    output: 'stack output',
};
/** Runs the plan's steps in order, stopping at the first failure; the plan's `always` steps run regardless. */
async function runSteps(stack, settings, plan, signal, secrets) {
    const events = [];
    const logTail = [];
    const lifecycle = [];
    const onOutput = (line) => {
        const safe = redact(line, secrets);
        core/* info */.pq(safe);
        logTail.push(safe);
        if (logTail.length > LOG_TAIL_LINES)
            logTail.shift();
    };
    let outputs;
    let checks;
    let error;
    const runStep = async (step) => {
        if (step === 'check-outputs') {
            checks = checkOutputs(outputs ?? {}, settings.smoke.expectOutputs);
            const failed = checks.filter((c) => !c.passed).map((c) => c.key);
            lifecycle.push({ step, ok: failed.length === 0, detail: failed.length ? `unexpected: ${failed.join(', ')}` : `${checks.length} passed` });
            if (failed.length)
                throw new Error(`the stack outputs ${failed.join(', ')} are not what 'expect-outputs' asks for`);
            return;
        }
        // A refresh before the operation, or a smoke test's teardown, is not the change under review.
        const keepEvents = step !== 'refresh-first' && step !== 'destroy-and-remove';
        const onEvent = keepEvents ? (event) => events.push(event) : () => undefined;
        try {
            const result = await core/* group */.Os(`pulumi ${STEP_TITLES[step]} ${settings.stack}`, () => withLockRetry(settings.lockTimeoutMs, signal, () => STEPS[step](stack, { options: settings.operation, planFile: settings.planFile, onEvent, onOutput, signal })));
            outputs = result.outputs ?? outputs;
            lifecycle.push({ step, ok: true });
        }
        catch (err) {
            lifecycle.push({ step, ok: false, detail: redact(pulumiErrorMessage(err), secrets) });
            throw err;
        }
    };
    try {
        for (const step of plan.steps) {
            throwIfCancelled(signal, `before ${step}`);
            await runStep(step);
        }
    }
    catch (err) {
        error = describeFailure(err, signal, events);
    }
    for (const step of plan.always) {
        try {
            await runStep(step);
        }
        catch (err) {
            error = [error, `teardown failed: ${describeFailure(err, signal, [])}`].filter(Boolean).join('\n');
        }
    }
    const cancelled = signal.aborted;
    return {
        changes: changeSummaryFromEvents(events),
        outputs,
        error: error && redact(error, secrets),
        logTail,
        lifecycle,
        checks,
        pendingOperations: cancelled ? await pendingOperations(stack) : undefined,
        cancelled,
    };
}
/**
 * Another run holding the stack's lock is worth waiting for: retry with growing pauses until
 * `lock-timeout`, then fail with the backend's words, which name the lock's holder.
 */
async function withLockRetry(timeoutMs, signal, call) {
    const giveUpAt = Date.now() + timeoutMs;
    for (let pause = 1_000;; pause = Math.min(pause * 2, LOCK_RETRY_MAX_WAIT_MS)) {
        try {
            return await call();
        }
        catch (err) {
            const holder = lockHolder(err);
            const left = giveUpAt - Date.now();
            if (!holder || left <= 0 || signal.aborted)
                throw holder ? new Error(`the stack is locked by another update: ${holder}`) : err;
            core/* info */.pq(`The stack is locked by another update; waiting ${Math.round(Math.min(pause, left) / 1000)} s (lock-timeout ends in ${Math.round(left / 1000)} s).`);
            await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
        }
    }
}
/** After a cancellation, what the engine recorded as started but not finished. */
async function pendingOperations(stack) {
    try {
        const deployment = (await stack.exportStack()).deployment;
        return (deployment.pending_operations ?? []).map((op) => `${op.type ?? 'operation'} ${op.resource?.urn ?? '(unknown resource)'}`);
    }
    catch (err) {
        return [`could not read the stack's state: ${pulumiErrorMessage(err)}`];
    }
}
/**
 * The engine's own error diagnostics say most (a program's exception, a plan violation); the CLI's
 * `error:` lines are the fallback for failures before any event (a lock, a missing stack).
 */
function describeFailure(err, signal, events) {
    const diagnostics = changeSummaryFromEvents(events).diagnostics.filter((d) => d.severity === 'error');
    const ownError = err instanceof Error && !('commandResult' in err);
    const message = ownError ? err.message : diagnostics.length > 0 ? diagnostics.map((d) => d.message).join('\n') : pulumiErrorMessage(err);
    if (signal.aborted)
        return `cancelled: ${message}`;
    if (/violates plan|not allowed by the plan/.test(message)) {
        return `the program or its config changed since the plan was saved, so it was not applied; preview again and review the new plan. Pulumi said: ${message}`;
    }
    return message;
}
/**
 * Pulumi checks that an update stays within its plan, but not that the stack is still the one the
 * plan was made from: a plan saved before someone else's update would undo that update. So the plan
 * carries a digest of the state it was made from, and `up` refuses it when the state has moved.
 */
const PLAN_BASE_FIELD = 'pulumiStackActionBaseState';
async function stateDigest(stack) {
    const { deployment } = await stack.exportStack();
    return (0,external_node_crypto_.createHash)('sha256').update(JSON.stringify(deployment ?? null)).digest('hex');
}
async function stampPlan(stack, planFile) {
    const plan = JSON.parse(external_node_fs_.readFileSync(planFile, 'utf8'));
    plan[PLAN_BASE_FIELD] = await stateDigest(stack);
    external_node_fs_.writeFileSync(planFile, JSON.stringify(plan, null, 2));
}
async function checkPlanBase(stack, planFile) {
    let base;
    try {
        base = JSON.parse(external_node_fs_.readFileSync(planFile, 'utf8'))[PLAN_BASE_FIELD];
    }
    catch (err) {
        throw new Error(`the plan ${planFile} cannot be read (${err.message}): run the reviewed preview with the same 'plan' input first.`);
    }
    if (typeof base !== 'string')
        throw new Error(`the plan ${planFile} was not saved by this action's preview, so what it was made from is unknown: save it with 'command: preview' and 'plan'.`);
    if (base !== (await stateDigest(stack))) {
        throw new Error(`the stack changed since the plan was saved, so it was not applied (another update or refresh ran in between): preview again and review the new plan.`);
    }
}
function checkOutputs(outputs, expectations) {
    return expectations.map((expectation) => {
        const output = outputs[expectation.key];
        const actual = output === undefined ? undefined : output.value;
        const shown = output === undefined ? '(missing)' : output.secret ? '[secret]' : asText(actual);
        if ('matches' in expectation) {
            const passed = output !== undefined && expectation.matches.test(asText(actual));
            return { key: expectation.key, expected: String(expectation.matches), actual: shown, passed };
        }
        const passed = output !== undefined && JSON.stringify(actual) === JSON.stringify(expectation.equals);
        return { key: expectation.key, expected: asText(expectation.equals), actual: shown, passed };
    });
}
function asText(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
}
function nonEmpty(list) {
    return list.length > 0 ? list : undefined;
}
/** The message of a lock held by another update, from either kind of backend. */
function lockHolder(err) {
    if (err?.name === 'ConcurrentUpdateError')
        return pulumiErrorMessage(err);
    const message = pulumiErrorMessage(err);
    return /currently locked|another update is currently in progress|conflict/i.test(message) ? message : undefined;
}
/** Pulumi's own words from a failed CLI call: its `error:` lines, else stderr, never our stack trace. */
function pulumiErrorMessage(err) {
    const result = err.commandResult;
    if (!result)
        return err instanceof Error ? err.message : String(err);
    const text = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
    const errors = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^error:/i.test(l));
    if (errors.length > 0)
        return [...new Set(errors)].join('\n');
    const stderr = (result.stderr ?? '').trim();
    return stderr || result.err?.message || 'the Pulumi CLI failed without a message';
}

// EXTERNAL MODULE: ./lib/plan.js
var lib_plan = __webpack_require__(5648);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 22 modules
var lib_github = __webpack_require__(92413);
;// CONCATENATED MODULE: ./lib/github.js
// The one way this action talks to GitHub's REST API: an Octokit client whose every request has a
// timeout and a retry that follows GitHub's `Retry-After` for rate limits and server errors, within
// a bound. GITHUB_API_URL makes it work with GitHub Enterprise Server too.

const REQUEST_TIMEOUT_MS = 15_000;
const MAX_ATTEMPTS = 3;
const MAX_RETRY_WAIT_MS = 10_000;
function gitHubClient(token, apiUrl) {
    const github = (0,lib_github/* getOctokit */.Q)(token, { baseUrl: apiUrl });
    // A hook rather than per-call options, because pagination drops per-call request options.
    github.hook.wrap('request', (request, options) => withRetry(async () => {
        const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
        // Set in place: the hook's request function does not pick up a copied options object.
        options.request.signal = signal;
        try {
            return await request(options);
        }
        catch (err) {
            // Octokit reports an aborted request as a 500; a server that does not answer is not retried.
            if (signal.aborted)
                throw new RequestTimeout(`GitHub did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
            throw err;
        }
    }));
    return github;
}
class RequestTimeout extends Error {
    name = 'RequestTimeout';
}
/** Retries rate limits and server errors, waiting as `Retry-After` asks, at most MAX_ATTEMPTS times. */
async function withRetry(call) {
    for (let attempt = 1;; attempt++) {
        try {
            return await call();
        }
        catch (err) {
            const status = statusOf(err);
            const retryable = status === 429 || status >= 500;
            if (!retryable || attempt >= MAX_ATTEMPTS)
                throw err;
            await new Promise((resolve) => setTimeout(resolve, retryDelay(err, attempt)));
        }
    }
}
function retryDelay(err, attempt) {
    const header = err.response?.headers?.['retry-after'];
    const seconds = header !== undefined ? Number(header) : NaN;
    const wanted = Number.isFinite(seconds) ? seconds * 1000 : 500 * 2 ** (attempt - 1);
    return Math.min(wanted, MAX_RETRY_WAIT_MS);
}
function statusOf(err) {
    return err.status ?? 0;
}
/** A one-line reason from an Octokit error (or anything else), for warnings and refusals. */
function gitHubFailure(err) {
    const status = statusOf(err);
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (err instanceof RequestTimeout)
        return err.message;
    return status ? `GitHub answered ${status} (${message})` : message;
}
/** Who reviewed this workflow run's deployments, for `require-approval`. */
async function runApprovals(github, owner, repo, runId) {
    const { data } = await github.rest.actions.getReviewsForRun({ owner, repo, run_id: runId });
    return data.map((review) => ({
        state: review.state,
        user: review.user?.login ?? '',
        environments: review.environments.map((e) => e.name ?? ''),
    }));
}
/** Every file a pull request changes (all pages; GitHub lists at most 3,000). */
async function pullRequestFiles(github, owner, repo, pullNumber) {
    const files = await github.paginate(github.rest.pulls.listFiles, { owner, repo, pull_number: pullNumber, per_page: 100 });
    return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
}

;// CONCATENATED MODULE: ./lib/report/markdown.js
// GitHub-flavoured markdown building blocks shared by the PR comment and the job summary, and the
// size budget both must respect. Anything that comes from a program, a provider or the engine goes
// through `escapeText`, `code` or `codeBlock`, so no name or message can change the layout.
const countChars = (text) => text.length;
const countUtf8Bytes = (text) => Buffer.byteLength(text, 'utf8');
const INLINE_ESCAPES = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '\\': '\\\\',
    '`': '\\`',
    '*': '\\*',
    '_': '\\_',
    '~': '\\~',
    '[': '\\[',
    ']': '\\]',
    // `\|` is also the escape GFM tables honour, so a pipe never splits a cell.
    '|': '\\|',
    // GitHub renders `$…$` as math.
    $: '\\$',
};
const INLINE_SPECIAL = /\r\n|[\r\n]|[&<>\\`*_~[\]|$]/g;
/**
 * Makes text inert in inline markdown (paragraphs, list items, table cells): HTML is entity-encoded,
 * markdown punctuation backslash-escaped and line breaks become `<br>`, so the text never starts a
 * block of its own.
 */
function escapeText(text) {
    return text.replace(INLINE_SPECIAL, (special) => INLINE_ESCAPES[special] ?? '<br>');
}
/** An identifier in code style. `<code>` rather than backticks: it needs no fence arithmetic, works in
 * table cells, and GitHub does not turn @names or #numbers inside it into mentions or links. */
function code(text) {
    return `<code>${escapeText(text)}</code>`;
}
/** A fence longer than any backtick run in the text, so no line of it can close the block. */
function fenceFor(text) {
    let longest = 0;
    for (const run of text.matchAll(/`+/g))
        longest = Math.max(longest, run[0].length);
    return '`'.repeat(Math.max(3, longest + 1));
}
function normalizeNewlines(text) {
    return text.replace(/\r\n?/g, '\n');
}
function codeBlock(text) {
    const body = normalizeNewlines(text);
    const fence = fenceFor(body);
    return `${fence}\n${body}\n${fence}`;
}
function tableHeader(columns) {
    return `${tableRow(columns)}\n|${columns.map(() => ' --- |').join('')}`;
}
function tableRow(cells) {
    return `| ${cells.join(' | ')} |`;
}
/** Opens a collapsible block; the summary must be our own text (it is raw HTML, not markdown). */
function detailsOpen(summary, open = false) {
    return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n`;
}
const DETAILS_CLOSE = '\n</details>';
/** Cuts text to at most `max` UTF-16 units without splitting a surrogate pair, saying how much went. */
function clip(text, max) {
    if (text.length <= max)
        return text;
    const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
    return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}
function isHighSurrogate(charCode) {
    return charCode >= 0xd800 && charCode <= 0xdbff;
}
const BLOCK_SEPARATOR = '\n\n';
function keptEntries(list, kept) {
    return list.keep === 'first' ? list.entries.slice(0, kept) : list.entries.slice(list.entries.length - kept);
}
/** The lines around the kept entries: what is written besides them. */
function listFrame(list, kept) {
    const dropped = list.entries.length - kept;
    const note = dropped > 0 ? [list.leftOut(dropped)] : [];
    const open = kept > 0 && list.open !== undefined ? [list.open] : [];
    const close = kept > 0 && list.close !== undefined ? [list.close] : [];
    const tail = list.tail !== undefined ? [list.tail] : [];
    return list.keep === 'first'
        ? { before: [list.head, ...open], after: [...close, ...note, ...tail] }
        : { before: [list.head, ...note, ...open], after: [...close, ...tail] };
}
function renderList(list, kept) {
    const { before, after } = listFrame(list, kept);
    return [...before, ...keptEntries(list, kept), ...after].join('\n');
}
/** Sizes a list for any number of kept entries in O(1), from prefix sums over its entries. */
class ListSizer {
    list;
    measure;
    prefix;
    constructor(list, measure) {
        this.list = list;
        this.measure = measure;
        const ordered = list.keep === 'first' ? list.entries : [...list.entries].reverse();
        this.prefix = [0];
        let sum = 0;
        for (const entry of ordered) {
            // Each entry costs its own size plus the newline that joins it to the frame.
            sum += measure(entry) + 1;
            this.prefix.push(sum);
        }
    }
    get total() {
        return this.list.entries.length;
    }
    size(kept) {
        const { before, after } = listFrame(this.list, kept);
        return this.measure([...before, ...after].join('\n')) + this.prefix[kept];
    }
    /**
     * The most entries that fit in `budget`. Below `total` the size grows with each entry kept (an
     * entry outweighs the digit or plural the note loses), so a binary search finds it; the final
     * steps guard that reasoning rather than trust it.
     */
    mostThatFit(budget) {
        if (this.size(this.total) <= budget)
            return this.total;
        let low = 0;
        let high = this.total - 1;
        while (low < high) {
            const mid = Math.ceil((low + high) / 2);
            if (this.size(mid) <= budget)
                low = mid;
            else
                high = mid - 1;
        }
        while (low > 0 && this.size(low) > budget)
            low--;
        return low;
    }
}
/**
 * Renders the blocks within `limit`, shortening lists in rank order, each by as little as needed.
 * Linear in the document size: lists are sized from prefix sums, never re-rendered to try a cut.
 */
function renderWithin(blocks, limit, measure) {
    const sizers = new Map();
    let total = measure(BLOCK_SEPARATOR) * Math.max(0, blocks.length - 1);
    for (const block of blocks) {
        if (typeof block === 'string')
            total += measure(block);
        else {
            const sizer = new ListSizer(block, measure);
            sizers.set(block, sizer);
            total += sizer.size(sizer.total);
        }
    }
    const kept = new Map();
    const byRank = [...sizers.keys()].sort((a, b) => a.shrinkRank - b.shrinkRank);
    for (const list of byRank) {
        if (total <= limit)
            break;
        const sizer = sizers.get(list);
        const full = sizer.size(sizer.total);
        const count = sizer.mostThatFit(full - (total - limit));
        kept.set(list, count);
        total += sizer.size(count) - full;
    }
    const text = blocks
        .map((block) => (typeof block === 'string' ? block : renderList(block, kept.get(block) ?? block.entries.length)))
        .join(BLOCK_SEPARATOR);
    return measure(text) <= limit ? text : cutToFit(text, limit, measure);
}
const CUT_NOTE = '\n\n*… cut to fit the size limit.*';
/** Last resort when even the fixed blocks are too big: a hard cut at a character boundary. */
function cutToFit(text, limit, measure) {
    const note = measure(CUT_NOTE) <= limit ? CUT_NOTE : '';
    let low = 0;
    let high = text.length;
    while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (measure(text.slice(0, mid) + note) <= limit)
            low = mid;
        else
            high = mid - 1;
    }
    const end = low > 0 && isHighSurrogate(text.charCodeAt(low - 1)) ? low - 1 : low;
    return text.slice(0, end) + note;
}

;// CONCATENATED MODULE: ./lib/report/comment.js
// The sticky PR comment, and the report sections it shares with the job summary. Reviewers read it
// top down: outcome, counts, then anything destructive before the details, which fold away.


/** GitHub rejects comment bodies longer than this many characters. */
const COMMENT_MAX_LENGTH = 65_536;
// One oversized value should not crowd out everything else, so single items are clipped.
const MAX_OUTPUT_CHARS = 1_000;
const MAX_POLICY_MESSAGE_CHARS = 2_000;
const MAX_DIAGNOSTIC_CHARS = 8_000;
const MAX_ERROR_CHARS = 10_000;
const MAX_LOG_LINE_CHARS = 2_000;
const MAX_PROPERTIES_PER_RESOURCE = 20;
const MAX_PENDING_SHOWN = 50;
const SECRET_VALUE = '`[secret]`';
const OP_TITLES = {
    create: '➕ Create',
    update: '🔄 Update',
    replace: '🔁 Replace',
    delete: '🗑️ Delete',
    'delete-replaced': '🗑️ Delete replaced',
    read: '📖 Read',
    import: '📥 Import',
    refresh: '🔃 Refresh',
    discard: '🧹 Discard',
    same: '⚪ Unchanged',
};
/** The order reviewers expect; any other operation follows, as first seen. */
const PRIMARY_OPS = ['create', 'update', 'replace', 'delete'];
/** Operations that remove a cloud resource (a replacement deletes the old one). */
const DESTRUCTIVE_OPS = new Set(['delete', 'replace', 'delete-replaced']);
const RESULT_HEADINGS = {
    succeeded: { emoji: '✅', outcome: 'succeeded' },
    failed: { emoji: '❌', outcome: 'failed' },
    'no-changes': { emoji: '⚪', outcome: 'found no changes' },
    refused: { emoji: '🛑', outcome: 'was refused' },
    cancelled: { emoji: '⏹️', outcome: 'was cancelled' },
    drifted: { emoji: '🌊', outcome: 'found drift' },
};
// Lower ranks are shortened first when the report is too long.
const SHRINK_RANK = { resources: 1, outputs: 2, diagnostics: 3, logTail: 4, policy: 5, deletions: 6 };
function renderComment(report, options = {}) {
    const marker = commentMarker(report.project, report.stack, report.command);
    const blocks = [marker, ...reportBlocks(report, { runLink: true, secrets: options.secrets })];
    return renderWithin(blocks, options.maxLength ?? COMMENT_MAX_LENGTH, countChars);
}
/** The report as blocks in reading order; shared by the comment and the job summary. */
function reportBlocks(report, layout) {
    const shown = layout.secrets ? redactReport(report, layout.secrets) : report;
    const { changes } = shown;
    const blocks = [
        renderHeading(shown),
        changes.maybeCorrupt ? renderCorruptionCaution() : undefined,
        renderPendingOperations(shown.pendingOperations ?? []),
        renderLifecycle(shown.lifecycle ?? []),
        renderChecks(shown.checks ?? []),
        renderCountTable(changes.counts),
        shown.planDigest ? `Update plan SHA-256: ${code(shown.planDigest)}` : undefined,
        renderDeletions(changes),
        shown.error !== undefined ? renderError(shown.error) : undefined,
        renderPolicyViolations(changes.policyViolations),
        renderDiagnostics(changes.diagnostics),
        renderResourceList(changes.resources),
        renderOutputs(shown.outputs),
        shown.result === 'failed' || shown.result === 'cancelled' ? renderLogTail(shown.logTail ?? []) : undefined,
        layout.runLink ? renderRunLink(shown.runUrl) : undefined,
    ];
    return blocks.filter((block) => block !== undefined);
}
function renderHeading(report) {
    const { emoji, outcome } = RESULT_HEADINGS[report.result];
    const facts = [`Project ${code(report.project)}`, `Stack ${code(report.stack)}`];
    if (report.changes.durationSeconds !== undefined)
        facts.push(`Duration ${formatDuration(report.changes.durationSeconds)}`);
    return `## ${emoji} ${code(`pulumi ${report.command}`)} ${outcome} on ${code(report.stackRef)}\n\n${facts.join(' · ')}`;
}
function formatDuration(seconds) {
    const whole = Math.round(seconds);
    return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m ${whole % 60}s`;
}
function renderCorruptionCaution() {
    return '> [!CAUTION]\n> The engine reports that some resources may be in an invalid state. Check the stack before the next update.';
}
/** What an interrupted update left half-done: the next run, or a person, has to look at these. */
function renderPendingOperations(pending) {
    if (pending.length === 0)
        return undefined;
    const items = pending.slice(0, MAX_PENDING_SHOWN).map((op) => `> - ${escapeText(op)}`);
    const more = pending.length > MAX_PENDING_SHOWN ? [`> - … and ${pending.length - MAX_PENDING_SHOWN} more`] : [];
    return ['> [!CAUTION]', `> The interrupted update left ${countOf(pending.length, 'operation')} pending; check these resources:`, ...items, ...more].join('\n');
}
/** A smoke test's steps, each with its outcome, so the comment shows the whole life of the stack. */
function renderLifecycle(lifecycle) {
    if (lifecycle.length === 0)
        return undefined;
    const rows = lifecycle.map((l) => tableRow([l.ok ? '✅' : '❌', code(l.step), l.detail ? escapeText(clip(l.detail, MAX_OUTPUT_CHARS)) : '']));
    return [tableHeader(['', 'Step', 'Detail']), ...rows].join('\n');
}
function renderChecks(checks) {
    if (checks.length === 0)
        return undefined;
    const rows = checks.map((c) => tableRow([c.passed ? '✅' : '❌', code(c.key), code(clip(c.expected, MAX_OUTPUT_CHARS)), code(clip(c.actual, MAX_OUTPUT_CHARS))]));
    return ['### Output checks', '', tableHeader(['', 'Output', 'Expected', 'Actual']), ...rows].join('\n');
}
function renderCountTable(counts) {
    const rows = orderOps(Object.keys(counts).filter((op) => op !== 'same' && counts[op] > 0));
    if (counts.same > 0)
        rows.push('same');
    if (rows.length === 0)
        return '*No resources.*';
    return [tableHeader(['Operation', 'Count']), ...rows.map((op) => tableRow([opTitle(op), String(counts[op])]))].join('\n');
}
/** Deletions and replacements come first and stay longest: they are what a reviewer must not miss. */
function renderDeletions(changes) {
    const destructive = changes.resources.filter((resource) => DESTRUCTIVE_OPS.has(resource.op));
    const { delete: deletions, replace: replacements } = changes.counts;
    if (destructive.length === 0 && deletions + replacements === 0)
        return undefined;
    const amounts = nonZeroCounts([
        [deletions, 'deletion'],
        [replacements, 'replacement'],
    ]);
    const summary = amounts.length > 0 ? amounts.join(' and ') : countOf(destructive.length, 'deletion');
    return {
        head: `> [!WARNING]\n> **Destructive changes:** ${summary}.`,
        // A blank line, so the list does not continue the alert.
        open: '',
        entries: destructive.map((resource) => resourceItem(resource, true)),
        leftOut: (count) => leftOutNote(count, 'deletion or replacement', 'deletions and replacements'),
        keep: 'first',
        shrinkRank: SHRINK_RANK.deletions,
    };
}
function renderError(error) {
    return `### Error\n\n${codeBlock(clip(error, MAX_ERROR_CHARS))}`;
}
function renderPolicyViolations(violations) {
    if (violations.length === 0)
        return undefined;
    // Mandatory violations block the operation, so they are the last to be left out.
    const ordered = [...violations].sort((a, b) => Number(b.enforcement === 'mandatory') - Number(a.enforcement === 'mandatory'));
    return {
        head: '### Policy violations',
        open: `\n${tableHeader(['Enforcement', 'Policy', 'Resource', 'Message'])}`,
        entries: ordered.map(policyRow),
        leftOut: (count) => leftOutNote(count, 'policy violation'),
        keep: 'first',
        shrinkRank: SHRINK_RANK.policy,
    };
}
function policyRow(violation) {
    const enforcement = `${violation.enforcement === 'mandatory' ? '🚫' : '⚠️'} ${escapeText(violation.enforcement)}`;
    return tableRow([
        enforcement,
        `${code(violation.policyPack)} / ${code(violation.policy)}`,
        violation.urn ? code(urnName(violation.urn)) : '—',
        escapeText(clip(violation.message, MAX_POLICY_MESSAGE_CHARS)),
    ]);
}
/** Errors first, so warnings are left out before them; folded away when there are only warnings. */
function renderDiagnostics(diagnostics) {
    if (diagnostics.length === 0)
        return undefined;
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const warnings = diagnostics.filter((d) => d.severity === 'warning');
    const tally = nonZeroCounts([
        [errors.length, 'error'],
        [warnings.length, 'warning'],
    ]);
    return {
        head: detailsOpen(`Diagnostics: ${tally.join(', ')}`, errors.length > 0),
        entries: [...errors, ...warnings].map(diagnosticEntry),
        tail: DETAILS_CLOSE,
        leftOut: (count) => leftOutNote(count, 'diagnostic'),
        keep: 'first',
        shrinkRank: SHRINK_RANK.diagnostics,
    };
}
function diagnosticEntry(diagnostic) {
    const label = diagnostic.severity === 'error' ? '❌ **error**' : '⚠️ **warning**';
    const subject = diagnostic.urn ? ` · ${code(urnName(diagnostic.urn))}` : '';
    return `\n${label}${subject}\n\n${codeBlock(clip(diagnostic.message, MAX_DIAGNOSTIC_CHARS))}`;
}
/** Every changed resource, grouped by operation; unchanged ones are only counted. */
function renderResourceList(resources) {
    const changed = resources.filter((resource) => resource.op !== 'same' || resource.failed);
    if (changed.length === 0)
        return undefined;
    const entries = [];
    for (const [op, group] of groupByOp(changed)) {
        // The group heading travels with its first item, so shortening never leaves a heading alone.
        group.forEach((resource, i) => {
            const item = resourceItem(resource, false);
            entries.push(i === 0 ? `\n#### ${opTitle(op)} (${group.length})\n\n${item}` : item);
        });
    }
    return {
        head: detailsOpen(`Resource changes (${changed.length})`),
        entries,
        tail: DETAILS_CLOSE,
        leftOut: (count) => leftOutNote(count, 'resource'),
        keep: 'first',
        shrinkRank: SHRINK_RANK.resources,
    };
}
function groupByOp(resources) {
    const groups = new Map();
    for (const resource of resources) {
        const group = groups.get(resource.op);
        if (group)
            group.push(resource);
        else
            groups.set(resource.op, [resource]);
    }
    const order = orderOps([...groups.keys()]);
    return order.map((op) => [op, groups.get(op) ?? []]);
}
function resourceItem(resource, withOp) {
    const parts = [`${withOp ? `${opTitle(resource.op)} ` : ''}${code(resource.name)}`, code(resource.type)];
    if (resource.protected)
        parts.push('🔒 protected');
    if (resource.failed)
        parts.push('❌ failed');
    if (resource.diffs.length > 0)
        parts.push(`changed: ${propertyList(resource.diffs)}`);
    return `- ${parts.join(' · ')}`;
}
function propertyList(properties) {
    const shown = properties.slice(0, MAX_PROPERTIES_PER_RESOURCE).map(code).join(', ');
    const more = properties.length - MAX_PROPERTIES_PER_RESOURCE;
    return more > 0 ? `${shown} and ${more} more` : shown;
}
function renderOutputs(outputs) {
    const names = Object.keys(outputs);
    if (names.length === 0)
        return undefined;
    return {
        head: '### Outputs',
        open: `\n${tableHeader(['Output', 'Value'])}`,
        entries: names.map((name) => tableRow([code(name), outputCell(outputs[name])])),
        leftOut: (count) => leftOutNote(count, 'output'),
        keep: 'first',
        shrinkRank: SHRINK_RANK.outputs,
    };
}
function outputCell(output) {
    if (output.secret)
        return SECRET_VALUE;
    const text = typeof output.value === 'string' ? output.value : (JSON.stringify(output.value) ?? String(output.value));
    return code(clip(text, MAX_OUTPUT_CHARS));
}
/** The end of the log explains a failure best, so shortening drops its oldest lines. */
function renderLogTail(logTail) {
    const lines = logTail.flatMap((line) => normalizeNewlines(line).split('\n')).map((line) => clip(line, MAX_LOG_LINE_CHARS));
    if (lines.length === 0)
        return undefined;
    const fence = fenceFor(lines.join('\n'));
    return {
        head: detailsOpen(`Log tail (${countOf(lines.length, 'line')})`),
        open: fence,
        entries: lines,
        close: fence,
        tail: DETAILS_CLOSE,
        leftOut: (count) => `*${countOf(count, 'earlier line')} left out to fit the size limit.*\n`,
        keep: 'last',
        shrinkRank: SHRINK_RANK.logTail,
    };
}
function renderRunLink(runUrl) {
    const href = runUrl !== undefined ? safeHref(runUrl) : undefined;
    return href && `[View the workflow run](${href})`;
}
/** Only http(s) links, with parentheses encoded so the URL cannot end the link early. */
function safeHref(url) {
    try {
        const parsed = new URL(url);
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
            return undefined;
        return parsed.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
    }
    catch {
        return undefined;
    }
}
function opTitle(op) {
    return OP_TITLES[op] ?? escapeText(op);
}
function orderOps(ops) {
    const rank = (op) => {
        const index = PRIMARY_OPS.indexOf(op);
        return index < 0 ? PRIMARY_OPS.length : index;
    };
    return [...ops].sort((a, b) => rank(a) - rank(b));
}
function noun(count, singular, plural = `${singular}s`) {
    return count === 1 ? singular : plural;
}
function countOf(count, singular, plural) {
    return `${count} ${noun(count, singular, plural)}`;
}
function nonZeroCounts(counts) {
    return counts.filter(([count]) => count > 0).map(([count, singular]) => countOf(count, singular));
}
/** Preceded by a blank line: right after a list item or table row it would otherwise join it. */
function leftOutNote(count, singular, plural) {
    return `\n*… ${count} more ${noun(count, singular, plural)} left out to fit the size limit.*`;
}

;// CONCATENATED MODULE: ./lib/report/github-comment.js
// The sticky PR comment: one per (project, stack, command), found by the hidden marker in its body
// and by its author, across every page of comments, and updated in place. A failure here never
// fails the step: the caller turns it into a warning.


/** The login GitHub gives comments made with the workflow's own token (an app installation). */
const WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';
async function upsertComment(github, target, marker, body) {
    const base = { owner: target.owner, repo: target.repo };
    const existing = target.mode === 'update' ? await findOwnComment(github, target, marker) : undefined;
    const response = existing
        ? await github.rest.issues.updateComment({ ...base, comment_id: existing, body })
        : await github.rest.issues.createComment({ ...base, issue_number: target.issueNumber, body });
    return response.data.html_url;
}
async function findOwnComment(github, target, marker) {
    const login = await tokenLogin(github);
    const pages = github.paginate.iterator(github.rest.issues.listComments, {
        owner: target.owner,
        repo: target.repo,
        issue_number: target.issueNumber,
        per_page: 100,
    });
    for await (const page of pages) {
        const mine = page.data.find((c) => c.user?.login === login && isOurComment(c.body ?? '', marker));
        if (mine)
            return mine.id;
    }
    return undefined;
}
/** A personal token can ask who it is; the workflow token cannot (403) and writes as the Actions bot. */
async function tokenLogin(github) {
    try {
        return (await github.rest.users.getAuthenticated()).data.login;
    }
    catch (err) {
        if (statusOf(err) === 403)
            return WORKFLOW_TOKEN_LOGIN;
        throw err;
    }
}
/** The warning's reason, with what to do where the status says it. */
function commentFailure(err) {
    const status = statusOf(err);
    const reason = gitHubFailure(err);
    if (status === 403 || status === 404) {
        return `${reason}: the token cannot write comments here (a pull request from a fork gets a read-only token); grant 'pull-requests: write' or set 'comment-mode: off'.`;
    }
    if (status === 401)
        return `${reason}: check 'github-token'.`;
    return `${reason}.`;
}

;// CONCATENATED MODULE: ./lib/report/outputs.js
/** The action's own outputs; a stack output with one of these names is only in `outputs`. */
const RESERVED_OUTPUTS = ['stack', 'outputs', 'changes', 'has-changes', 'has-deletes', 'comment-url', 'plan-digest', 'checks', 'drifted'];
const SECRET = '[secret]';
function stepOutputs(stackRef, outputs, changes) {
    const stackOutputs = Object.entries(outputs ?? {});
    const { create, update, delete: del, replace, same } = changes.counts;
    return [
        ...stackOutputs
            .filter(([name]) => !RESERVED_OUTPUTS.includes(name))
            .map(([name, output]) => ({ name, value: output.secret ? SECRET : outputText(output.value) })),
        { name: 'stack', value: stackRef },
        { name: 'outputs', value: JSON.stringify(Object.fromEntries(stackOutputs.map(([name, o]) => [name, o.secret ? SECRET : o.value]))) },
        { name: 'changes', value: JSON.stringify({ create, update, delete: del, replace, same }) },
        { name: 'has-changes', value: String(create + update + del + replace > 0) },
        { name: 'has-deletes', value: String(del + replace > 0) },
    ];
}
function outputText(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
}

;// CONCATENATED MODULE: ./lib/report/summary.js
// The job summary on the run page: the same report as the PR comment, under the step summary's
// size limit, which GitHub counts in bytes.


/** GitHub refuses a step summary larger than 1 MiB. */
const JOB_SUMMARY_MAX_BYTES = 1_048_576;
function renderJobSummary(report, options = {}) {
    const blocks = reportBlocks(report, { runLink: false, secrets: options.secrets });
    return renderWithin(blocks, options.maxBytes ?? JOB_SUMMARY_MAX_BYTES, countUtf8Bytes);
}
/** What `cleanup` removed and why, for the run page. */
function renderCleanupSummary(removed, examined) {
    const heading = `## 🧹 Ephemeral stack cleanup: ${removed.filter((r) => !r.error).length} removed of ${examined} examined`;
    if (removed.length === 0)
        return `${heading}\n\nNo ephemeral stack had expired or belonged to a closed pull request.\n`;
    const rows = removed.map((r) => tableRow([r.error ? '❌' : '✅', code(r.name), escapeText(r.why), r.error ? escapeText(clip(r.error, 1_000)) : '']));
    return [heading, '', tableHeader(['', 'Stack', 'Why', 'Error']), ...rows, ''].join('\n');
}
/** The stacks `detect` selected for the matrix, for the run page. */
function renderDetectSummary(selected, found, pullRequest) {
    const scope = pullRequest !== undefined ? `touched by pull request #${pullRequest}` : 'found';
    const heading = `## 🔎 ${selected.length} of ${found} stacks ${scope}`;
    if (selected.length === 0)
        return `${heading}\n`;
    const rows = selected.map((s) => tableRow([code(s['work-dir']), code(s.project), code(s.stack)]));
    return [heading, '', tableHeader(['Folder', 'Project', 'Stack']), ...rows, ''].join('\n');
}

;// CONCATENATED MODULE: ./lib/report/publish.js
// The report's side-effect edges: the PR comment, the job summary and the step outputs. Neither
// the comment nor the summary can fail the step; each failure becomes a warning with its reason.







async function publishReport(report, settings, configSecrets) {
    const secrets = [...configSecrets, ...secretOutputValues(report)];
    secrets.forEach((s) => core/* setSecret */.Pq(s));
    const commentUrl = await postComment(report, settings, secrets);
    await writeJobSummary(renderJobSummary(report, { secrets }));
    for (const output of stepOutputs(report.stackRef, report.outputs, report.changes))
        core/* setOutput */.uH(output.name, output.value);
    if (commentUrl)
        core/* setOutput */.uH('comment-url', commentUrl);
}
function secretOutputValues(report) {
    return Object.values(report.outputs)
        .filter((o) => o.secret)
        .map((o) => outputText(o.value))
        .filter((v) => v.length > 0);
}
async function postComment(report, settings, secrets) {
    const { mode, token, issueNumber } = settings.comment;
    const repository = settings.github.repository;
    if (mode === 'off' || issueNumber === undefined)
        return undefined;
    if (!token || !repository) {
        core/* warning */.$e(`No PR comment: ${!token ? "'github-token' is empty" : 'GITHUB_REPOSITORY is not set'}; the job summary has the report.`);
        return undefined;
    }
    try {
        const url = await upsertComment(gitHubClient(token, settings.github.apiUrl), { ...repository, issueNumber, mode }, commentMarker(report.project, report.stack, report.command), renderComment(report, { secrets }));
        core/* info */.pq(`PR comment: ${url}`);
        return url;
    }
    catch (err) {
        core/* warning */.$e(`Could not write the PR comment: ${commentFailure(err)} The job summary has the report.`);
        return undefined;
    }
}
async function writeJobSummary(markdown) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    try {
        await core/* summary */.z.addRaw(markdown).write();
    }
    catch (err) {
        core/* warning */.$e(`Could not write the job summary: ${err instanceof Error ? err.message : String(err)}`);
    }
}
async function publishCleanup(removed, examined) {
    await writeJobSummary(renderCleanupSummary(removed, examined));
    core/* setOutput */.uH('removed', JSON.stringify(removed.filter((r) => !r.error).map((r) => r.name)));
}
async function publishDetect(selected, found, pullRequest) {
    await writeJobSummary(renderDetectSummary(selected, found, pullRequest));
    core/* setOutput */.uH('matrix', JSON.stringify({ include: selected }));
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./lib/workspace/pulumi-cli.js + 1 modules
var pulumi_cli = __webpack_require__(42448);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(31421);
;// CONCATENATED MODULE: ./lib/workspace/process.js
// External commands run with an argument array, never through a shell, so no input can become code.

const TAIL_LINES = 30;
function runProcess(command, args, options) {
    return new Promise((resolve, reject) => {
        // A cancelled run stops the installer too (SIGTERM, as the runner would).
        const child = (0,external_node_child_process_.spawn)(command, args, {
            cwd: options.cwd,
            env: options.env ?? process.env,
            stdio: ['ignore', 'pipe', 'pipe'],
            signal: options.signal,
            killSignal: 'SIGTERM',
        });
        const tail = [];
        const onData = lineSplitter((line) => {
            options.onLine?.(line);
            tail.push(line);
            if (tail.length > TAIL_LINES)
                tail.shift();
        });
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('error', (err) => {
            if (err.name !== 'AbortError')
                reject(new Error(`could not start ${command}: ${err.message}`));
        });
        child.on('close', (code, signal) => {
            onData(null);
            resolve({ code: code ?? (signal ? 128 : 1), tail });
        });
    });
}
/** Turns chunks into whole lines; a null chunk flushes the last partial line. */
function lineSplitter(onLine) {
    let pending = '';
    return (chunk) => {
        if (chunk === null) {
            if (pending)
                onLine(pending);
            pending = '';
            return;
        }
        const lines = (pending + chunk.toString('utf8')).split(/\r?\n/);
        pending = lines.pop() ?? '';
        for (const line of lines)
            onLine(line);
    };
}

;// CONCATENATED MODULE: ./lib/workspace/dependencies.js
// Prepares the program's dependencies: a Python virtual environment or a Node.js install, reused
// when nothing it was built from has changed (a fingerprint stored beside it).





const STATE_FILE = '.pulumi-stack-action.json';
class DependencyError extends Error {
    name = 'DependencyError';
}
function planDependencies(workDir, project, env) {
    if (project.runtime === 'python')
        return planPython(workDir, project, env);
    if (project.runtime === 'nodejs')
        return planNode(workDir, env);
    return undefined;
}
function planPython(workDir, project, env) {
    const options = project.runtimeOptions;
    const venv = external_node_path_.resolve(workDir, typeof options.virtualenv === 'string' ? options.virtualenv : 'venv');
    const venvPython = external_node_path_.join(venv, 'bin', 'python');
    const python = env.PULUMI_PYTHON_CMD || (0,pulumi_cli/* findOnPath */.aY)('python3', env.PATH ?? '') || 'python3';
    const requirements = external_node_path_.join(workDir, 'requirements.txt');
    const hasRequirements = external_node_fs_.existsSync(requirements);
    const uv = options.toolchain === 'uv' || (options.toolchain === undefined && (0,pulumi_cli/* findOnPath */.aY)('uv', env.PATH ?? ''))
        ? (0,pulumi_cli/* findOnPath */.aY)('uv', env.PATH ?? '') ?? 'uv'
        : undefined;
    const steps = uv
        ? [
            { command: uv, args: ['venv', '--allow-existing', '--python', python, venv] },
            ...(hasRequirements ? [{ command: uv, args: ['pip', 'install', '--python', venvPython, '-r', requirements] }] : []),
        ]
        : [
            { command: python, args: ['-m', 'venv', venv] },
            { command: venvPython, args: ['-m', 'pip', 'install', '--disable-pip-version-check', '--upgrade', 'pip'] },
            ...(hasRequirements
                ? [{ command: venvPython, args: ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirements] }]
                : []),
        ];
    return {
        description: `Python virtual environment ${external_node_path_.relative(workDir, venv) || venv} (${uv ? 'uv' : 'pip'})`,
        stateFile: external_node_path_.join(venv, STATE_FILE),
        fingerprint: fingerprint([
            uv ? 'uv' : 'pip',
            interpreterIdentity(python),
            hasRequirements ? external_node_fs_.readFileSync(requirements, 'utf8') : '',
        ]),
        steps,
        // The language host uses `virtualenv` from Pulumi.yaml when set; these cover projects that leave it out.
        env: { VIRTUAL_ENV: venv, PATH: `${external_node_path_.join(venv, 'bin')}${external_node_path_.delimiter}${env.PATH ?? ''}` },
    };
}
/** A lockfile names the package manager; without one, npm install. */
const NODE_INSTALLERS = [
    { lockfile: 'package-lock.json', command: 'npm', args: ['ci', '--no-audit', '--no-fund'] },
    { lockfile: 'pnpm-lock.yaml', command: 'pnpm', args: ['install', '--frozen-lockfile'] },
    { lockfile: 'yarn.lock', command: 'yarn', args: ['install', '--frozen-lockfile'] },
    { lockfile: 'bun.lock', command: 'bun', args: ['install', '--frozen-lockfile'] },
];
function planNode(workDir, env) {
    const installer = NODE_INSTALLERS.find((i) => external_node_fs_.existsSync(external_node_path_.join(workDir, i.lockfile)));
    const inputs = installer ? installer.lockfile : 'package.json';
    return {
        description: `Node.js packages (${installer ? `${installer.command} ${installer.args[0]}` : 'npm install'})`,
        stateFile: external_node_path_.join(workDir, 'node_modules', STATE_FILE),
        fingerprint: fingerprint([interpreterIdentity((0,pulumi_cli/* findOnPath */.aY)('node', env.PATH ?? '') ?? 'node'), readIfExists(external_node_path_.join(workDir, inputs))]),
        steps: [installer ?? { command: 'npm', args: ['install', '--no-audit', '--no-fund'] }],
        env: {},
    };
}
/** An interpreter's resolved path and timestamp stand in for its version, without running it. */
function interpreterIdentity(python) {
    try {
        const real = external_node_fs_.realpathSync(python);
        return `${real}@${external_node_fs_.statSync(real).mtimeMs}`;
    }
    catch {
        return python;
    }
}
function readIfExists(file) {
    return external_node_fs_.existsSync(file) ? external_node_fs_.readFileSync(file, 'utf8') : '';
}
function fingerprint(parts) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for (const part of parts)
        hash.update(part).update('\0');
    return hash.digest('hex');
}
function isUpToDate(plan) {
    try {
        return JSON.parse(external_node_fs_.readFileSync(plan.stateFile, 'utf8')).fingerprint === plan.fingerprint;
    }
    catch {
        return false;
    }
}
/** Runs the plan's steps, streaming their output; a failing step stops with the tool's own words. */
async function installDependencies(plan, workDir, log, signal) {
    external_node_fs_.rmSync(plan.stateFile, { force: true });
    for (const step of plan.steps) {
        log(`$ ${[step.command, ...step.args].join(' ')}`);
        const result = await runProcess(step.command, step.args, { cwd: workDir, onLine: log, signal });
        if (signal?.aborted)
            throw new DependencyError(`cancelled while running '${external_node_path_.basename(step.command)} ${step.args.join(' ')}'.`);
        if (result.code !== 0) {
            const detail = result.tail.filter((l) => l.trim()).slice(-5).join('\n');
            throw new DependencyError(`'${external_node_path_.basename(step.command)} ${step.args.join(' ')}' failed with exit code ${result.code}:\n${detail}`);
        }
    }
    external_node_fs_.mkdirSync(external_node_path_.dirname(plan.stateFile), { recursive: true });
    external_node_fs_.writeFileSync(plan.stateFile, JSON.stringify({ fingerprint: plan.fingerprint }));
}

;// CONCATENATED MODULE: ./lib/workspace/prepare.js
// Stage 3's first half: the program's dependencies, while the CLI lookup runs beside them.




async function prepare(settings, needsDependencies, context) {
    const cli = (0,pulumi_cli/* resolvePulumiCli */.X3)(settings.pulumiVersion, context.env).then((resolved) => {
        core/* info */.pq(`Pulumi CLI v${resolved.command.version?.version ?? '?'} from ${resolved.source}`);
        return resolved;
    });
    cli.catch(() => undefined);
    context.phase = 'dependencies';
    const programEnv = await prepareDependencies(settings, needsDependencies, context);
    throwIfCancelled(context.signal, 'before the stack was touched');
    return { cli, programEnv };
}
async function prepareDependencies(settings, needed, context) {
    const deps = planDependencies(settings.workDir, settings.project, context.env);
    if (!deps)
        return {};
    if (!needed)
        return deps.env;
    if (isUpToDate(deps)) {
        core/* info */.pq(`${deps.description}: up to date, reused`);
        return deps.env;
    }
    await core/* group */.Os(`Dependencies: ${deps.description}`, () => installDependencies(deps, settings.workDir, (line) => core/* info */.pq(line), context.signal));
    return deps.env;
}

;// CONCATENATED MODULE: ./lib/cleanup.js
// `cleanup`: destroys and removes the ephemeral stacks that have expired or whose pull request
// closed. Which ones is decided by plan.ts's cleanupCandidates; this is the part that acts.







async function cleanup(settings, context) {
    const { cli, programEnv } = await prepare(settings, settings.installDependencies, context);
    context.phase = 'stack';
    const workspace = await automation.LocalWorkspace.create({
        workDir: settings.workDir,
        pulumiCommand: (await cli).command,
        envVars: { ...programEnv, ...(settings.backendUrl ? { PULUMI_BACKEND_URL: settings.backendUrl } : {}) },
    });
    const names = (await workspace.listStacks()).map((s) => s.name.split('/').pop());
    const tagged = await Promise.all(names.map(async (name) => ({ name, tags: await workspace.listTags(name) })));
    const closedPullRequest = settings.github.closedPullRequest ?? settings.comment.issueNumber;
    const doomed = (0,lib_plan/* cleanupCandidates */.dY)(tagged, settings.ephemeralStacks, new Date(), closedPullRequest);
    context.phase = 'operation';
    const removed = [];
    for (const { name, why } of doomed) {
        throwIfCancelled(context.signal, `before removing ${name}`);
        try {
            const stack = await automation.Stack.select(name, workspace);
            await core/* group */.Os(`pulumi destroy --remove ${name} (${why})`, () => stack.destroy({ remove: true, color: 'never', signal: context.signal, onOutput: (out) => core/* info */.pq(out.trimEnd()) }));
            removed.push({ name, why });
        }
        catch (err) {
            removed.push({ name, why, error: pulumiErrorMessage(err) });
        }
    }
    context.phase = 'report';
    await publishCleanup(removed, names.length);
    const failed = removed.filter((r) => r.error);
    if (failed.length > 0)
        core/* setFailed */.C1(`operation: could not remove ${failed.map((f) => `${f.name} (${f.error})`).join('; ')}`);
}

// EXTERNAL MODULE: ./lib/inputs.js + 1 modules
var inputs = __webpack_require__(49085);
;// CONCATENATED MODULE: ./lib/detect.js
// `detect`: the Pulumi projects and stacks under a folder, narrowed to those a pull request touches,
// as a matrix a following job fans out over. Stacks are the `Pulumi.<stack>.yaml` files beside each
// project's `Pulumi.yaml`, which is how a repository declares them.





/** Folders that hold dependencies or build output, never a project of the repository's own. */
const SKIPPED = new Set(['node_modules', 'venv', '.venv', '.git', 'dist', 'out', '__pycache__']);
const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;
function findStacks(root, workspace) {
    const entries = [];
    const visit = (dir) => {
        const names = external_node_fs_.readdirSync(dir, { withFileTypes: true });
        if (names.some((n) => n.isFile() && (n.name === 'Pulumi.yaml' || n.name === 'Pulumi.yml'))) {
            const project = (0,inputs/* readProjectFile */.SI)(dir).name;
            const workDir = external_node_path_.relative(workspace, dir) || '.';
            for (const n of names) {
                const stack = n.isFile() ? STACK_FILE.exec(n.name)?.[1] : undefined;
                if (stack)
                    entries.push({ project, stack, 'work-dir': workDir });
            }
        }
        for (const n of names)
            if (n.isDirectory() && !SKIPPED.has(n.name) && !n.name.startsWith('.'))
                visit(external_node_path_.join(dir, n.name));
    };
    visit(root);
    return entries.sort((a, b) => a['work-dir'].localeCompare(b['work-dir']) || a.stack.localeCompare(b.stack));
}
/**
 * The stacks a change touches: a change to a stack's own config file touches that stack; any other
 * change inside a project's folder touches all of its stacks. Nested projects own their folders.
 */
function affectedStacks(stacks, changedFiles) {
    const projectDirs = [...new Set(stacks.map((s) => s['work-dir']))].sort((a, b) => b.length - a.length);
    const ownerOf = (file) => projectDirs.find((dir) => dir === '.' || file.startsWith(`${dir}/`));
    const touched = new Set();
    for (const file of changedFiles) {
        const dir = ownerOf(file);
        if (dir === undefined)
            continue;
        const stack = STACK_FILE.exec(external_node_path_.posix.basename(file))?.[1];
        const isOwnStackFile = stack !== undefined && external_node_path_.posix.dirname(file) === (dir === '.' ? '.' : dir);
        for (const entry of stacks) {
            if (entry['work-dir'] === dir && (!isOwnStackFile || entry.stack === stack))
                touched.add(`${entry['work-dir']}\0${entry.stack}`);
        }
    }
    return stacks.filter((s) => touched.has(`${s['work-dir']}\0${s.stack}`));
}
/** `detect`: the stacks under work-dir that this pull request touches (all of them on other events). */
async function detect(settings, context) {
    const stacks = findStacks(settings.workDir, external_node_fs_.realpathSync(context.env.GITHUB_WORKSPACE || process.cwd()));
    const { pullRequest, repository, apiUrl } = settings.github;
    let selected = stacks;
    if (pullRequest !== undefined && repository && settings.comment.token) {
        context.phase = 'plan';
        const files = await pullRequestFiles(gitHubClient(settings.comment.token, apiUrl), repository.owner, repository.repo, pullRequest);
        selected = affectedStacks(stacks, files);
    }
    context.phase = 'report';
    await publishDetect(selected, stacks.length, pullRequest);
}

;// CONCATENATED MODULE: ./lib/workspace/stack.js
// Opens the stack through the Automation API's LocalWorkspace and applies the config.

const SELF_MANAGED = /^(file|s3|gs|azblob|postgres):\/\//;
/**
 * Selects the stack, creating it only when the plan allows (`preview`, `up`, `smoke`), so a
 * `destroy`, `refresh` or `output` of a mistyped stack fails instead of leaving a new empty stack.
 */
async function openStack(settings, pulumiCommand, envVars, mayCreate) {
    const backend = settings.backendUrl ?? process.env.PULUMI_BACKEND_URL ?? '';
    const org = settings.org ?? (SELF_MANAGED.test(backend) ? 'organization' : undefined);
    const stackName = settings.org ? `${settings.org}/${settings.project.name}/${settings.stack}` : settings.stack;
    const workspace = await automation.LocalWorkspace.create({
        workDir: settings.workDir,
        pulumiCommand,
        envVars: { ...envVars, ...(settings.backendUrl ? { PULUMI_BACKEND_URL: settings.backendUrl } : {}) },
        secretsProvider: settings.secretsProvider,
    });
    // Each is a CLI process of its own (~100 ms, more for whoami's round trip to Pulumi Cloud) and
    // neither needs the other: run them side by side.
    const [stack, owner] = await Promise.all([
        mayCreate ? automation.Stack.createOrSelect(stackName, workspace) : automation.Stack.select(stackName, workspace),
        org ?? workspace.whoAmI().then((who) => who.user),
    ]);
    return { stack, stackRef: `${owner}/${settings.project.name}/${settings.stack}` };
}
/** One Automation API call per kind of key: plain keys, and property-path keys. */
async function applyConfig(stack, entries) {
    for (const isPath of [false, true]) {
        const map = {};
        for (const entry of entries.filter((e) => e.path === isPath))
            map[entry.key] = { value: entry.value, secret: entry.secret };
        if (Object.keys(map).length > 0)
            await stack.setAllConfig(map, isPath);
    }
}

;// CONCATENATED MODULE: ./lib/main.js
// The pipeline: inputs -> plan -> workspace -> operation -> report. One try/catch; every failure
// reaches core.setFailed with the phase it happened in and Pulumi's own words.













async function run(env = process.env) {
    const cancellation = watchCancellation();
    const context = { phase: 'inputs', signal: cancellation.signal, env };
    try {
        const settings = (0,inputs/* parseInputs */.TL)((name) => core/* getInput */.V4(name), env);
        if (settings.command === 'detect')
            await detect(settings, context);
        else if (settings.command === 'cleanup')
            await cleanup(settings, context);
        else
            await stackCommand(settings, context);
    }
    catch (err) {
        core/* setFailed */.C1(`${context.phase}: ${messageOf(err)}`);
    }
    finally {
        cancellation.dispose();
    }
}
async function stackCommand(settings, context) {
    const secrets = settings.config.filter((c) => c.secret).map((c) => c.value);
    secrets.forEach((s) => core/* setSecret */.Pq(s));
    context.phase = 'plan';
    const plan = (0,lib_plan/* planRun */.nY)(settings, {
        approval: settings.requireApproval ? await checkApproval(settings, settings.requireApproval) : undefined,
        backendUrl: settings.backendUrl ?? context.env.PULUMI_BACKEND_URL,
        runnerTemp: context.env.RUNNER_TEMP,
    });
    if (plan.refusal && plan.steps.length === 0)
        throw new Error(plan.refusal);
    const { stack, stackRef } = await openWorkspace(settings, plan, context);
    if (settings.command === 'smoke')
        await tagEphemeralStack(stack, settings);
    context.phase = 'config';
    await applyConfig(stack, settings.config);
    context.phase = 'operation';
    const outcome = await runSteps(stack, settings, plan, context.signal, secrets);
    context.phase = 'report';
    const report = {
        command: settings.command,
        project: settings.project.name,
        stack: settings.stack,
        stackRef,
        result: resultFor(settings, plan, outcome),
        changes: outcome.changes,
        outputs: outcome.outputs ?? {},
        error: plan.refusal ?? outcome.error,
        logTail: outcome.error ? outcome.logTail : undefined,
        runUrl: settings.github.runUrl,
        lifecycle: settings.command === 'smoke' ? outcome.lifecycle : undefined,
        checks: outcome.checks,
        planDigest: settings.planFile && external_node_fs_.existsSync(settings.planFile) ? sha256(settings.planFile) : undefined,
        pendingOperations: outcome.pendingOperations,
    };
    await publishReport(report, settings, secrets);
    if (report.planDigest)
        core/* setOutput */.uH('plan-digest', report.planDigest);
    if (settings.command === 'drift')
        core/* setOutput */.uH('drifted', String(report.result === 'drifted'));
    if (outcome.checks)
        core/* setOutput */.uH('checks', JSON.stringify(Object.fromEntries(outcome.checks.map((c) => [c.key, c.passed]))));
    const failure = failureOf(settings, plan, report, outcome);
    if (failure)
        core/* setFailed */.C1(`operation: ${failure}`);
}
/** Dependencies (beside the CLI lookup, which runs meanwhile), then the stack itself. */
async function openWorkspace(settings, plan, context) {
    const { cli, programEnv } = await prepare(settings, plan.needsDependencies, context);
    context.phase = 'stack';
    return openStack(settings, (await cli).command, programEnv, plan.mayCreateStack);
}
async function checkApproval(settings, environment) {
    const { repository, runId, actor, apiUrl } = settings.github;
    // parseInputs made sure these are set whenever require-approval is.
    const github = gitHubClient(settings.comment.token, apiUrl);
    try {
        return (0,lib_plan/* approvalGate */.VQ)(await runApprovals(github, repository.owner, repository.repo, runId), environment, actor);
    }
    catch (err) {
        return { allowed: false, reason: `Could not read this run's approvals (${gitHubFailure(err)}): give the job 'actions: read'.` };
    }
}
/** Tags that let `cleanup` find the stack later, should this run die before tearing it down. */
async function tagEphemeralStack(stack, settings) {
    const now = new Date();
    const tags = {
        [lib_plan/* EPHEMERAL_TAGS */.CO.marker]: 'true',
        [lib_plan/* EPHEMERAL_TAGS */.CO.created]: now.toISOString(),
        [lib_plan/* EPHEMERAL_TAGS */.CO.expires]: new Date(now.getTime() + settings.smoke.ttlMs).toISOString(),
        [lib_plan/* EPHEMERAL_TAGS */.CO.pullRequest]: settings.comment.issueNumber?.toString(),
        [lib_plan/* EPHEMERAL_TAGS */.CO.commit]: process.env.GITHUB_SHA,
    };
    for (const [key, value] of Object.entries(tags))
        if (value)
            await stack.setTag(key, value);
}
function resultFor(settings, plan, outcome) {
    if (plan.refusal)
        return 'refused';
    if (outcome.cancelled)
        return 'cancelled';
    if (outcome.error)
        return 'failed';
    if (settings.command === 'drift') {
        const { update, delete: deleted } = outcome.changes.counts;
        return update + deleted > 0 ? 'drifted' : 'no-changes';
    }
    return resultOf(outcome.changes, false);
}
function failureOf(settings, plan, report, outcome) {
    if (plan.refusal)
        return refusalMessage(plan.refusal, report);
    if (outcome.error)
        return outcome.error;
    if (report.result === 'drifted' && settings.failOnDrift)
        return `resources changed outside Pulumi (see the report), and 'fail-on-drift' is set.`;
    return undefined;
}
function refusalMessage(refusal, report) {
    const doomed = report.changes.resources.filter((r) => r.op === 'delete');
    if (doomed.length === 0)
        return refusal;
    const listed = doomed.slice(0, 20).map((r) => `${r.type} ${r.name}`);
    const more = doomed.length > listed.length ? `, and ${doomed.length - listed.length} more` : '';
    return `${refusal} It would delete ${doomed.length} resource(s): ${listed.join(', ')}${more}.`;
}
function sha256(file) {
    return (0,external_node_crypto_.createHash)('sha256').update(external_node_fs_.readFileSync(file)).digest('hex');
}
/**
 * The runner sends SIGINT on cancel, SIGTERM 7.5 s later, then kills. The first signal asks the
 * engine to stop gracefully (the Automation API sends the CLI one SIGINT), so no lock is left.
 */
function watchCancellation() {
    const controller = new AbortController();
    const onSignal = (name) => {
        if (controller.signal.aborted)
            return;
        core/* warning */.$e(`Received ${name}: asking the Pulumi engine to stop gracefully.`);
        controller.abort();
    };
    const onInt = () => onSignal('SIGINT');
    const onTerm = () => onSignal('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return {
        signal: controller.signal,
        dispose: () => {
            process.off('SIGINT', onInt);
            process.off('SIGTERM', onTerm);
        },
    };
}
function messageOf(err) {
    return err instanceof Error ? pulumiErrorMessage(err) : String(err);
}


/***/ })

};
