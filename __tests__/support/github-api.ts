/**
 * A local stand-in for GitHub's REST API, for end-to-end tests that start the action as a child
 * process with GITHUB_API_URL pointing here (the way GitHub Enterprise Server is addressed).
 *
 * Every request is checked against GitHub's own OpenAPI description (@octokit/openapi), so a
 * request that GitHub would refuse is refused here too, and is listed in `server.rejected`.
 * Only a handful of operations keep in-memory state (comments and their reactions, run approvals, pull
 * requests with their files and reviews, open, closed or merged, collaborators' permissions, commit
 * statuses on the pull requests' commits); any other operation of the description
 * answers 404 and is listed in `server.unhandled`. Of GraphQL it answers one query, `query { viewer
 * { login } }`, with the token's identity, and refuses (400, listed in `rejected`) any other.
 *
 * By default it is api.github.com's layout over plain HTTP (`http://127.0.0.1:PORT/repos/...`).
 * With `tls` and `pathPrefix: '/api/v3'` it is laid out as GitHub Enterprise Server is, which is
 * what nektos/act derives from `--github-instance 127.0.0.1:PORT`: the API at
 * `https://127.0.0.1:PORT/api/v3`, the web pages (`html_url`) at `https://127.0.0.1:PORT`, and
 * GraphQL, as Octokit derives it from such a base URL, at `https://127.0.0.1:PORT/api/graphql`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Ajv, type ErrorObject, type Options as AjvOptions, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type AuthorAssociation = 'COLLABORATOR' | 'CONTRIBUTOR' | 'FIRST_TIMER' | 'FIRST_TIME_CONTRIBUTOR' | 'MANNEQUIN' | 'MEMBER' | 'NONE' | 'OWNER';

/**
 * A token the server accepts. An installation token stands for a GitHub App: by default the
 * workflow's GITHUB_TOKEN, whose identity is `github-actions[bot]`; with `login` (`my-app[bot]`)
 * another app's, such as one from actions/create-github-app-token. Either way GET /user refuses it.
 */
export type TokenSpec = { token: string; kind: 'user'; login: string; association?: AuthorAssociation } | { token: string; kind: 'installation'; login?: string };

export interface StartOptions {
  tokens: TokenSpec[];
  /** Serve HTTPS with this key and certificate (PEM), e.g. from `throwawayCertificate` in ./tls.ts. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Serve the API under this path, e.g. `/api/v3` as GitHub Enterprise Server does: `url` and every
   * API URL in answers include it, requests outside it are refused (404, listed in `rejected`), and
   * `html_url` fields point at this server rather than github.com.
   */
  pathPrefix?: string;
}

export interface GitHubUser {
  login: string;
  id: number;
  node_id: string;
  avatar_url: string;
  gravatar_id: string;
  url: string;
  html_url: string;
  followers_url: string;
  following_url: string;
  gists_url: string;
  starred_url: string;
  subscriptions_url: string;
  organizations_url: string;
  repos_url: string;
  events_url: string;
  received_events_url: string;
  type: 'User' | 'Bot';
  user_view_type: 'public';
  site_admin: boolean;
}

export interface IssueComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: GitHubUser;
  created_at: string;
  updated_at: string;
  author_association: AuthorAssociation;
  performed_via_github_app: null;
  reactions: Record<'url', string> & Record<ReactionKey, number>;
}

type ReactionKey = 'total_count' | '+1' | '-1' | 'laugh' | 'hooray' | 'confused' | 'heart' | 'rocket' | 'eyes';

/** One request; `status` 0 means the server was told to hang and never answered. */
export interface RequestRecord {
  method: string;
  /**
   * As requested (a followed Link is `/repositories/{id}/...`), without the query and without
   * `pathPrefix`, so that records and matchers read `/repos/...` whichever layout is served. A
   * request outside the prefix, having nothing to strip, keeps its whole path.
   */
  path: string;
  status: number;
}

export interface RejectedRecord {
  method: string;
  path: string;
  reason: string;
}

export interface UnhandledRecord {
  method: string;
  path: string;
  operationId: string;
}

export type FaultStatus = 401 | 403 | 404 | 422 | 429 | 500 | 502 | 503;

/**
 * `path` matches the request path (without `pathPrefix`, as in `RequestRecord`), its `/repos/...`
 * form, or the operation's path template.
 */
export interface RequestMatcher {
  method?: string;
  path?: string | RegExp;
  /** How many matching requests the rule applies to; 1 when absent. */
  count?: number;
}

export interface FaultRule extends RequestMatcher {
  status: FaultStatus;
  /** Seconds, sent as `Retry-After`; with 403 or 429 it makes the answer a secondary rate limit. */
  retryAfter?: number;
  /**
   * Carry the request out, then answer with the fault anyway, as GitHub can (a comment created,
   * and a 502 for an answer). Only with a 5xx status: a 4xx says nothing was done.
   */
  performed?: boolean;
}

export interface CommentSeed {
  /** The author; a login ending in `[bot]` is a Bot. Defaults to `octocat`. */
  login?: string;
  association?: AuthorAssociation;
  body?: string | ((index: number) => string);
}

export interface ApprovalSeed {
  login: string;
  environments: string[];
  state?: 'approved' | 'rejected' | 'pending';
  comment?: string;
}

export interface PullFileSeed {
  filename: string;
  status?: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions?: number;
  deletions?: number;
  patch?: string;
  previous_filename?: string;
}

/** A repository role as GitHub names it, or a custom role with the base permission GitHub reports for it. */
export type PermissionSeed = RoleName | { roleName: string; permission: LegacyPermission };
export type RoleName = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
type LegacyPermission = 'admin' | 'write' | 'read' | 'none';

export interface PullRequestSeed {
  /** The head commit; by default one derived from the repository and number. */
  headSha?: string;
  headRef?: string;
  baseRef?: string;
  /**
   * The repository the head branch is in, `owner/name`: by default the pull request's own; another
   * is a fork of it. `null`: a fork since deleted, for which GitHub answers `head.repo: null`.
   */
  headRepository?: string | null;
  /** Who opened it; `octocat` by default. */
  author?: string;
  title?: string;
  state?: 'open' | 'closed';
  /** A merged pull request is closed too. */
  merged?: boolean;
  /** `true` by default. */
  mergeable?: boolean | null;
  /**
   * How many reads answer `mergeable: null` before the value, as GitHub does while a background job
   * works it out after a push or a change of the base.
   */
  mergeableComputing?: number;
}

export interface ReviewSeed {
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  body?: string;
  /** The commit reviewed; the pull request's head at the time by default. */
  commitId?: string;
}

export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes';

/** A reaction as the server keeps it, for a test to read. */
export interface ReactionRecord {
  content: ReactionContent;
  login: string;
}

export type CommitStatusState = 'error' | 'failure' | 'pending' | 'success';

/** A commit status as the server keeps it, for a test to read. */
export interface StatusRecord {
  context: string;
  state: CommitStatusState;
  description: string | null;
  targetUrl: string | null;
  /** Who set it (the token's account). */
  login: string;
}

// ---------------------------------------------------------------------------------------------
// GitHub's constants
// ---------------------------------------------------------------------------------------------

const DOCS_ROOT = 'https://docs.github.com/rest';
const GRAPHQL_DOCS = 'https://docs.github.com/graphql';
/** The one GraphQL query served, whitespace aside; optionally named, or the query shorthand `{ … }`. */
const VIEWER_LOGIN_QUERY = /^\s*(?:query(?:\s+\w+)?\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/;
/** Where `html_url` fields point unless the server is laid out as GitHub Enterprise Server. */
const GITHUB_WEB_ROOT = 'https://github.com';
const COMMENT_MAX_CHARS = 65_536;
/** GitHub refuses a longer commit status description (422, "description is too long (maximum is 140 characters)"). */
const STATUS_DESCRIPTION_MAX_CHARS = 140;
/** "there is a limit of 1000 statuses per `sha` and `context` within a repository" (GitHub's description). */
const STATUSES_PER_CONTEXT = 1_000;
const PULL_FILES_CAP = 3_000;
const ACTIONS_BOT_LOGIN = 'github-actions[bot]';
/** The real ids of `github-actions[bot]`, which code under test may compare against. */
const ACTIONS_BOT_ID = 41_898_282;
const ACTIONS_APP_ID = 15_368;

// ---------------------------------------------------------------------------------------------
// The OpenAPI description: loading, routing, validation
// ---------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

interface SpecParameter {
  name: string;
  /** Set on parameters such as a branch or a file path, whose values may contain slashes. */
  'x-multi-segment'?: boolean;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: JsonObject;
}

interface SpecRef {
  $ref: string;
}

interface SpecMedia {
  content?: Record<string, { schema?: JsonObject }>;
}

interface SpecOperation {
  operationId: string;
  externalDocs?: { url: string };
  parameters?: (SpecParameter | SpecRef)[];
  requestBody?: SpecMedia;
  responses: Record<string, SpecMedia | SpecRef>;
}

interface Spec {
  paths: Record<string, Record<string, SpecOperation>>;
  components: {
    schemas: Record<string, JsonObject>;
    parameters: Record<string, SpecParameter>;
    responses: Record<string, SpecMedia>;
  };
}

interface Operation {
  method: string;
  template: string;
  docsUrl: string;
  spec: SpecOperation;
}

interface Route {
  template: string;
  pattern: RegExp;
  names: string[];
  /** Per segment: 0 literal, 1 literal with parameters, 2 parameter, 3 multi-segment parameter. */
  ranks: number[];
  operations: Map<string, Operation>;
}

interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

interface Validators {
  path: ValidateFunction;
  query: ValidateFunction;
  body?: ValidateFunction;
}

const SPEC_FILE = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');

/** Formats that OpenAPI defines but JSON Schema does not; GitHub uses them as annotations only. */
const OPENAPI_ONLY_FORMATS = ['int32', 'int64', 'double', 'binary', 'repo.nwo', 'timestamp'];

/** GitHub states page-size limits only in prose, e.g. "The number of results per page (max 100)". */
const DOCUMENTED_MAXIMUM = /\(max (\d+)\)/;

let cachedDescription: ApiDescription | undefined;

/** Parsing the 13 MB description is the only slow part, so it happens once per module registry. */
function apiDescription(): ApiDescription {
  cachedDescription ??= new ApiDescription(JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Spec);
  return cachedDescription;
}

function createAjv(options: AjvOptions): Ajv {
  // OpenAPI schemas carry keywords JSON Schema lacks (example, discriminator, x-*): not errors.
  const ajv = new Ajv({ strict: false, ...options });
  addFormats.default(ajv);
  for (const format of OPENAPI_ONLY_FORMATS) ajv.addFormat(format, true);
  return ajv;
}

class ApiDescription {
  private readonly routes: Route[];
  private readonly byTemplate: Map<string, Route>;
  private readonly validators = new Map<Operation, Validators>();
  private readonly responseValidators = new Map<string, ValidateFunction | undefined>();
  private readonly paramsAjv = createAjv({ coerceTypes: 'array', useDefaults: true });
  private readonly bodyAjv = createAjv({});

  constructor(private readonly spec: Spec) {
    this.routes = buildRoutes(spec.paths, (p) => this.parameter(p));
    this.byTemplate = new Map(this.routes.map((route) => [route.template, route]));
  }

  /** Some paths differ only in a parameter's name, each with its own methods: the method decides. */
  match(method: string, pathname: string): RouteMatch | undefined {
    let pathOnly: RouteMatch | undefined;
    for (const route of this.routes) {
      const params = bindPath(route, pathname);
      if (!params) continue;
      if (route.operations.has(method.toLowerCase())) return { route, params };
      pathOnly ??= { route, params };
    }
    return pathOnly;
  }

  operation(method: string, template: string): Operation | undefined {
    return this.byTemplate.get(template)?.operations.get(method.toLowerCase());
  }

  validatorsFor(operation: Operation): Validators {
    let validators = this.validators.get(operation);
    if (!validators) {
      validators = this.compileValidators(operation);
      this.validators.set(operation, validators);
    }
    return validators;
  }

  responseValidator(operation: Operation, status: number): ValidateFunction | undefined {
    const key = `${operation.method} ${operation.template} ${status}`;
    if (!this.responseValidators.has(key)) {
      const schema = this.media(operation.spec.responses[String(status)])?.content?.['application/json']?.schema;
      this.responseValidators.set(key, schema && this.bodyAjv.compile(documentSchema(this.spec, schema)));
    }
    return this.responseValidators.get(key);
  }

  private compileValidators(operation: Operation): Validators {
    const parameters = (operation.spec.parameters ?? []).map((p) => this.parameter(p));
    const bodySchema = operation.spec.requestBody?.content?.['application/json']?.schema;
    return {
      path: this.paramsAjv.compile(this.parametersSchema(parameters.filter((p) => p.in === 'path'))),
      query: this.paramsAjv.compile(this.parametersSchema(parameters.filter((p) => p.in === 'query'))),
      body: bodySchema && this.bodyAjv.compile(documentSchema(this.spec, bodySchema)),
    };
  }

  private parametersSchema(parameters: SpecParameter[]): JsonObject {
    const converter = new SchemaConverter(this.spec.components.schemas);
    const properties = Object.fromEntries(parameters.map((p) => [p.name, withDocumentedMaximum(p, converter.convert(p.schema ?? {}))]));
    const required = parameters.filter((p) => p.required).map((p) => p.name);
    return { type: 'object', properties, required, definitions: converter.definitions };
  }

  private parameter(parameter: SpecParameter | SpecRef): SpecParameter {
    return '$ref' in parameter ? this.spec.components.parameters[componentName(parameter.$ref)]! : parameter;
  }

  private media(media: SpecMedia | SpecRef | undefined): SpecMedia | undefined {
    return media && '$ref' in media ? this.spec.components.responses[componentName(media.$ref)] : media;
  }
}

function componentName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function withDocumentedMaximum(parameter: SpecParameter, schema: JsonObject): JsonObject {
  const documented = DOCUMENTED_MAXIMUM.exec(parameter.description ?? '');
  return documented && schema.maximum === undefined ? { ...schema, maximum: Number(documented[1]) } : schema;
}

function documentSchema(spec: Spec, schema: JsonObject): JsonObject {
  const converter = new SchemaConverter(spec.components.schemas);
  // A root `$ref` would hide its sibling `definitions` from some drafts: nest it instead.
  return { allOf: [converter.convert(schema)], definitions: converter.definitions };
}

const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties']);
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'not']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rewrites OpenAPI 3.0 schemas as JSON Schema draft-07: `nullable`, which JSON Schema lacks, and
 * `oneOf`, whose alternatives in GitHub's description overlap (every private user of GET /user
 * is also a valid public user), so exclusivity would refuse what GitHub itself sends and accepts.
 * Component references become `definitions`, collected only as far as the schema reaches, which
 * also keeps recursive components finite.
 */
class SchemaConverter {
  readonly definitions: Record<string, JsonObject> = {};

  constructor(private readonly components: Record<string, JsonObject>) {}

  convert(schema: JsonObject): JsonObject {
    if (typeof schema.$ref === 'string') return { $ref: this.define(schema.$ref) };
    const { nullable, oneOf, ...rest } = schema;
    const out: JsonObject = {};
    for (const [keyword, value] of Object.entries(rest)) out[keyword] = this.convertKeyword(keyword, value);
    if (Array.isArray(oneOf)) {
      const alternatives = { anyOf: (oneOf as JsonObject[]).map((s) => this.convert(s)) };
      out.allOf = [...((out.allOf as JsonObject[] | undefined) ?? []), alternatives];
    }
    return nullable === true ? allowNull(out) : out;
  }

  private convertKeyword(keyword: string, value: unknown): unknown {
    if (SCHEMA_LIST_KEYWORDS.has(keyword)) return (value as JsonObject[]).map((s) => this.convert(s));
    if (SCHEMA_MAP_KEYWORDS.has(keyword)) {
      return Object.fromEntries(Object.entries(value as JsonObject).map(([k, s]) => [k, this.convert(s as JsonObject)]));
    }
    if (SCHEMA_KEYWORDS.has(keyword) && isObject(value)) return this.convert(value);
    return value;
  }

  private define(ref: string): string {
    const name = componentName(ref);
    if (!(name in this.definitions)) {
      this.definitions[name] = {};
      this.definitions[name] = this.convert(this.components[name]!);
    }
    return `#/definitions/${name}`;
  }
}

function allowNull(schema: JsonObject): JsonObject {
  if (typeof schema.type !== 'string') return { anyOf: [{ type: 'null' }, schema] };
  const widened: JsonObject = { ...schema, type: [schema.type, 'null'] };
  // OpenAPI 3.0 lets null through a nullable enum; JSON Schema's enum would still refuse it.
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) widened.enum = [...schema.enum, null];
  return widened;
}

function buildRoutes(paths: Spec['paths'], resolve: (p: SpecParameter | SpecRef) => SpecParameter): Route[] {
  const routes = Object.entries(paths).map(([template, item]) => {
    const operations = new Map<string, Operation>();
    const multiSegment = new Set<string>();
    for (const [method, spec] of Object.entries(item)) {
      const docsUrl = spec.externalDocs?.url ?? DOCS_ROOT;
      operations.set(method, { method: method.toUpperCase(), template, docsUrl, spec });
      for (const p of (spec.parameters ?? []).map(resolve)) if (p['x-multi-segment']) multiSegment.add(p.name);
    }
    return { template, operations, ...compileTemplate(template, multiSegment) };
  });
  // `/issues/comments` must win over `/issues/{issue_number}`: literals before parameters.
  return routes.sort(bySpecificity);
}

function compileTemplate(template: string, multiSegment: Set<string>): Pick<Route, 'pattern' | 'names' | 'ranks'> {
  const names: string[] = [];
  const ranks: number[] = [];
  const source = template
    .split('/')
    .slice(1)
    .map((segment) => {
      const parts = segment.split(/\{([^}]+)\}/);
      const bare = parts.length === 3 && parts[0] === '' && parts[2] === '';
      const multi = bare && multiSegment.has(parts[1]!);
      ranks.push(parts.length === 1 ? 0 : bare ? (multi ? 3 : 2) : 1);
      return parts
        .map((part, i) => {
          if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(part);
          return multi ? '(.+)' : '([^/]+?)';
        })
        .join('');
    });
  return { pattern: new RegExp(`^/${source.join('/')}$`), names, ranks };
}

/** Lexical order of segment ranks; of two templates alike up to where one ends, the longer. */
function bySpecificity(a: Route, b: Route): number {
  for (let i = 0; i < Math.min(a.ranks.length, b.ranks.length); i++) {
    const difference = a.ranks[i]! - b.ranks[i]!;
    if (difference !== 0) return difference;
  }
  return b.ranks.length - a.ranks.length;
}

function bindPath(route: Route, pathname: string): Record<string, string> | undefined {
  const values = route.pattern.exec(pathname)?.slice(1).map(safeDecode);
  if (!values || values.some((v) => v === undefined)) return undefined;
  return Object.fromEntries(route.names.map((name, i) => [name, values[i]!]));
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Checks a body this server sent against the description's response schema: how the tests keep
 * the server's invented bodies honest. Returns the validator's complaint, or undefined.
 */
export function responseProblem(method: string, template: string, status: number, body: unknown): string | undefined {
  const description = apiDescription();
  const operation = description.operation(method, template);
  if (!operation) return `${method} ${template} is not in the OpenAPI description`;
  const validate = description.responseValidator(operation, status);
  if (!validate) return `${method} ${template} describes no JSON response for ${status}`;
  return validate(body) ? undefined : describeAjvError(validate.errors ?? [], body, 'body');
}

// ---------------------------------------------------------------------------------------------
// Errors GitHub's way
// ---------------------------------------------------------------------------------------------

/** An error answer. With a `reason` it is a refusal of a malformed request, listed in `rejected`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
    readonly extra: JsonObject = {},
  ) {
    super(message);
  }
}

function rejection(status: number, message: string, reason = message, extra: JsonObject = {}): ApiError {
  return new ApiError(status, message, reason, extra);
}

function validationFailed(resource: string, error: JsonObject): ApiError {
  const reason = `${resource}: ${String(error.message ?? error.code)}`;
  return rejection(422, 'Validation Failed', reason, { errors: [{ resource, ...error }] });
}

function notFound(): ApiError {
  return new ApiError(404, 'Not Found');
}

type Where = 'body' | 'query' | 'path';

/** Words the validator's complaint the way GitHub words its schema errors. */
function describeAjvError(errors: ErrorObject[], data: unknown, where: Where): string {
  // Ajv lists an anyOf's per-branch failures before the anyOf itself: the last one is the summary.
  const error = errors.at(-1);
  if (!error) return 'invalid';
  const field = fieldName(error.instancePath, where);
  const value = JSON.stringify(valueAt(data, error.instancePath));
  const params = error.params as JsonObject;
  switch (error.keyword) {
    case 'required':
      return `"${String(params.missingProperty)}" wasn't supplied.`;
    case 'type':
      return `For '${field}', ${value} is not ${withArticle(String(params.type).split(',').join(' or '))}.`;
    case 'enum':
      return `For '${field}', ${value} is not one of ${JSON.stringify(params.allowedValues)}.`;
    case 'maximum':
      return `For '${field}', ${value} is greater than the maximum of ${String(params.limit)}.`;
    case 'minimum':
      return `For '${field}', ${value} is less than the minimum of ${String(params.limit)}.`;
    case 'anyOf':
      return `For '${field}', ${value} matches none of the allowed schemas.`;
    default:
      return `For '${field}', ${value} ${error.message ?? 'is invalid'}.`;
  }
}

function fieldName(instancePath: string, where: Where): string {
  if (where !== 'body') return instancePath.slice(1);
  return instancePath === '' ? 'root' : `properties${instancePath}`;
}

function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function valueAt(data: unknown, pointer: string): unknown {
  const keys = pointer
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  return keys.reduce<unknown>((node, key) => (isObject(node) || Array.isArray(node) ? (node as JsonObject)[key] : undefined), data);
}

// ---------------------------------------------------------------------------------------------
// In-memory state and its GitHub-shaped renderings
// ---------------------------------------------------------------------------------------------

interface Account {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

interface Caller {
  token: TokenSpec;
  account: Account;
}

interface Repository {
  id: number;
  owner: string;
  name: string;
  /** The repository this one is a fork of. */
  forkOf?: Repository;
}

interface StoredComment {
  id: number;
  repository: Repository;
  issue: number;
  body: string;
  author: Account;
  association: AuthorAssociation;
  createdAt: Date;
  updatedAt: Date;
}

interface StoredApproval extends ApprovalSeed {
  user: Account;
}

interface StoredPull {
  repository: Repository;
  number: number;
  author: Account;
  title: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  /** Where the head branch is: the pull request's own repository, a fork, or null for a deleted fork. */
  headRepository: Repository | null;
  state: 'open' | 'closed';
  merged: boolean;
  mergeable: boolean | null;
  mergeableComputing: number;
  createdAt: Date;
  updatedAt: Date;
}

interface StoredReview {
  id: number;
  user: Account;
  state: ReviewSeed['state'];
  body: string;
  commitId: string;
  submittedAt: Date;
}

interface StoredReaction {
  id: number;
  user: Account;
  content: ReactionContent;
  createdAt: Date;
}

interface StoredStatus {
  id: number;
  repository: Repository;
  sha: string;
  state: CommitStatusState;
  description: string | null;
  targetUrl: string | null;
  context: string;
  creator: Account;
  createdAt: Date;
}

/** What the server's URLs start with: its API (`url` fields, Links) and its web pages (`html_url`). */
interface Roots {
  api: string;
  web: string;
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** GitHub's legacy global node ids: base64 of "<length of type>:<Type><id>". */
function legacyNodeId(type: string, id: number): string {
  return Buffer.from(`${String(type.length).padStart(2, '0')}:${type}${id}`).toString('base64');
}

function fakeSha(...parts: (string | number)[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

function userJson({ api, web }: Roots, account: Account): GitHubUser {
  const url = `${api}/users/${encodeURIComponent(account.login)}`;
  const isBot = account.type === 'Bot';
  const appSlug = account.login.replace(/\[bot\]$/, '');
  return {
    login: account.login,
    id: account.id,
    node_id: legacyNodeId(account.type, account.id),
    avatar_url: isBot ? `https://avatars.githubusercontent.com/in/${account.id === ACTIONS_BOT_ID ? ACTIONS_APP_ID : account.id}?v=4` : `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
    gravatar_id: '',
    url,
    html_url: isBot ? `${web}/apps/${appSlug}` : `${web}/${account.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: account.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

function privateUserJson(roots: Roots, account: Account): JsonObject {
  const created = timestamp(new Date(Date.UTC(2015, 0, 1)));
  return {
    ...userJson(roots, account),
    user_view_type: 'private',
    name: account.login,
    company: null,
    blog: '',
    location: null,
    email: null,
    notification_email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 1,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: created,
    updated_at: created,
    private_gists: 0,
    total_private_repos: 1,
    owned_private_repos: 1,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

const REACTION_CONTENTS: readonly ReactionContent[] = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'];

function commentJson(roots: Roots, comment: StoredComment, reactions: readonly StoredReaction[] = []): IssueComment {
  const { api, web } = roots;
  const repoPath = `${comment.repository.owner}/${comment.repository.name}`;
  const url = `${api}/repos/${repoPath}/issues/comments/${comment.id}`;
  return {
    id: comment.id,
    node_id: legacyNodeId('IssueComment', comment.id),
    url,
    html_url: `${web}/${repoPath}/issues/${comment.issue}#issuecomment-${comment.id}`,
    issue_url: `${api}/repos/${repoPath}/issues/${comment.issue}`,
    body: comment.body,
    user: userJson(roots, comment.author),
    created_at: timestamp(comment.createdAt),
    updated_at: timestamp(comment.updatedAt),
    author_association: comment.association,
    performed_via_github_app: null,
    reactions: {
      url: `${url}/reactions`,
      total_count: reactions.length,
      ...(Object.fromEntries(REACTION_CONTENTS.map((c) => [c, reactions.filter((r) => r.content === c).length])) as Record<ReactionContent, number>),
    },
  };
}

function reactionJson(roots: Roots, reaction: StoredReaction): JsonObject {
  return {
    id: reaction.id,
    node_id: legacyNodeId('Reaction', reaction.id),
    user: userJson(roots, reaction.user),
    content: reaction.content,
    created_at: timestamp(reaction.createdAt),
  };
}

function statusJson(roots: Roots, status: StoredStatus): JsonObject {
  const repoPath = `${status.repository.owner}/${status.repository.name}`;
  const creator = userJson(roots, status.creator);
  return {
    url: `${roots.api}/repos/${repoPath}/statuses/${status.sha}`,
    avatar_url: creator.avatar_url,
    id: status.id,
    node_id: legacyNodeId('StatusContext', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: timestamp(status.createdAt),
    updated_at: timestamp(status.createdAt),
    creator,
  };
}

const LEGACY_PERMISSION: Record<RoleName, LegacyPermission> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

/** What each legacy permission lets one do, as the `permissions` object of a collaborator says it. */
function permissionFlags(role: string, permission: LegacyPermission): Record<'admin' | 'maintain' | 'push' | 'triage' | 'pull', boolean> {
  const rank = ['none', 'read', 'write', 'admin'].indexOf(permission);
  return { admin: rank >= 3, maintain: rank >= 3 || role === 'maintain', push: rank >= 2, triage: rank >= 2 || role === 'triage', pull: rank >= 1 };
}

function collaboratorPermissionJson(roots: Roots, account: Account, seed: PermissionSeed): JsonObject {
  const roleName = typeof seed === 'string' ? seed : seed.roleName;
  const permission = typeof seed === 'string' ? LEGACY_PERMISSION[seed] : seed.permission;
  return {
    permission,
    role_name: roleName,
    user: { ...userJson(roots, account), permissions: permissionFlags(roleName, permission), role_name: roleName },
  };
}

function repositoryJson({ api, web }: Roots, repository: Repository, owner: GitHubUser): JsonObject {
  const full = `${repository.owner}/${repository.name}`;
  const url = `${api}/repos/${full}`;
  const created = timestamp(new Date(Date.UTC(2020, 0, 1)));
  const host = new URL(web).host;
  return {
    id: repository.id,
    node_id: legacyNodeId('Repository', repository.id),
    name: repository.name,
    full_name: full,
    private: false,
    owner,
    html_url: `${web}/${full}`,
    description: null,
    fork: repository.forkOf !== undefined,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git://${host}/${full}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@${host}:${full}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${web}/${full}.git`,
    mirror_url: null,
    hooks_url: `${url}/hooks`,
    svn_url: `${web}/${full}`,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 1,
    default_branch: 'main',
    open_issues: 1,
    open_issues_count: 1,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    visibility: 'public',
    license: null,
    pushed_at: created,
    created_at: created,
    updated_at: created,
  };
}

function pullRequestJson(roots: Roots, pull: StoredPull, owner: Account, headRepositoryOwner: Account, mergeable: boolean | null): JsonObject {
  const { api, web } = roots;
  const full = `${pull.repository.owner}/${pull.repository.name}`;
  const url = `${api}/repos/${full}/pulls/${pull.number}`;
  const issueUrl = `${api}/repos/${full}/issues/${pull.number}`;
  const htmlUrl = `${web}/${full}/pull/${pull.number}`;
  const ownerJson = userJson(roots, owner);
  const repo = repositoryJson(roots, pull.repository, ownerJson);
  const branch = (ref: string, sha: string) => ({ label: `${pull.repository.owner}:${ref}`, ref, sha, user: ownerJson, repo });
  // A fork's branch is its owner's; a deleted fork's still names whoever pushed it (the author here),
  // with no repository at all, which GitHub's description does not allow for but GitHub answers
  // (github/rest-api-description#161).
  const headOwner = pull.headRepository === null ? pull.author : headRepositoryOwner;
  const headBranch =
    pull.headRepository === pull.repository
      ? branch(pull.headRef, pull.headSha)
      : {
          label: `${headOwner.login}:${pull.headRef}`,
          ref: pull.headRef,
          sha: pull.headSha,
          user: userJson(roots, headOwner),
          repo: pull.headRepository && repositoryJson(roots, pull.headRepository, userJson(roots, headOwner)),
        };
  const link = (href: string) => ({ href });
  const closedAt = pull.state === 'closed' ? timestamp(pull.updatedAt) : null;
  return {
    url,
    id: pull.repository.id * 1000 + pull.number,
    node_id: legacyNodeId('PullRequest', pull.repository.id * 1000 + pull.number),
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/repos/${full}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${api}/repos/${full}/statuses/${pull.headSha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userJson(roots, pull.author),
    body: null,
    labels: [],
    milestone: null,
    created_at: timestamp(pull.createdAt),
    updated_at: timestamp(pull.updatedAt),
    closed_at: closedAt,
    merged_at: pull.merged ? closedAt : null,
    merge_commit_sha: mergeable === false ? null : fakeSha(full, pull.number, pull.headSha, 'merge'),
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: headBranch,
    base: branch(pull.baseRef, fakeSha(full, pull.baseRef)),
    _links: {
      self: link(url),
      html: link(htmlUrl),
      issue: link(issueUrl),
      comments: link(`${issueUrl}/comments`),
      review_comments: link(`${url}/comments`),
      review_comment: link(`${api}/repos/${full}/pulls/comments{/number}`),
      commits: link(`${url}/commits`),
      statuses: link(`${api}/repos/${full}/statuses/${pull.headSha}`),
    },
    author_association: pull.author.login.toLowerCase() === pull.repository.owner.toLowerCase() ? 'OWNER' : 'CONTRIBUTOR',
    auto_merge: null,
    draft: false,
    merged: pull.merged,
    mergeable,
    rebaseable: mergeable,
    mergeable_state: mergeable === null ? 'unknown' : mergeable ? 'clean' : 'dirty',
    merged_by: pull.merged ? ownerJson : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 1,
    changed_files: 1,
  };
}

function reviewJson(roots: Roots, pull: StoredPull, review: StoredReview): JsonObject {
  const full = `${pull.repository.owner}/${pull.repository.name}`;
  const htmlUrl = `${roots.web}/${full}/pull/${pull.number}#pullrequestreview-${review.id}`;
  const pullUrl = `${roots.api}/repos/${full}/pulls/${pull.number}`;
  return {
    id: review.id,
    node_id: legacyNodeId('PullRequestReview', review.id),
    user: userJson(roots, review.user),
    body: review.body,
    state: review.state,
    html_url: htmlUrl,
    pull_request_url: pullUrl,
    _links: { html: { href: htmlUrl }, pull_request: { href: pullUrl } },
    // A pending review has not been submitted.
    ...(review.state === 'PENDING' ? {} : { submitted_at: timestamp(review.submittedAt) }),
    commit_id: review.commitId,
    author_association: review.user.login.toLowerCase() === pull.repository.owner.toLowerCase() ? 'OWNER' : 'COLLABORATOR',
  };
}

function approvalJson(roots: Roots, repository: Repository, approval: StoredApproval): JsonObject {
  const { api, web } = roots;
  const repoPath = `${repository.owner}/${repository.name}`;
  const created = timestamp(new Date(Date.UTC(2024, 0, 1)));
  const environments = approval.environments.map((name) => {
    const id = Number.parseInt(fakeSha(repoPath, name).slice(0, 7), 16);
    return {
      id,
      node_id: legacyNodeId('Environment', id),
      name,
      url: `${api}/repos/${repoPath}/environments/${encodeURIComponent(name)}`,
      html_url: `${web}/${repoPath}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
      created_at: created,
      updated_at: created,
    };
  });
  const state = approval.state ?? 'approved';
  return { environments, state, user: userJson(roots, approval.user), comment: approval.comment ?? '' };
}

function diffEntryJson({ api, web }: Roots, repository: Repository, pull: number, file: PullFileSeed): JsonObject {
  const repoPath = `${repository.owner}/${repository.name}`;
  const status = file.status ?? 'modified';
  const additions = file.additions ?? (status === 'removed' ? 0 : 1);
  const deletions = file.deletions ?? (status === 'added' ? 0 : 1);
  const head = fakeSha(repoPath, pull);
  const path = file.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha: fakeSha(repoPath, pull, file.filename),
    filename: file.filename,
    status,
    additions,
    deletions,
    changes: additions + deletions,
    blob_url: `${web}/${repoPath}/blob/${head}/${path}`,
    raw_url: `${web}/${repoPath}/raw/${head}/${path}`,
    contents_url: `${api}/repos/${repoPath}/contents/${path}?ref=${head}`,
    ...(file.patch === undefined ? {} : { patch: file.patch }),
    ...(file.previous_filename === undefined ? {} : { previous_filename: file.previous_filename }),
  };
}

// ---------------------------------------------------------------------------------------------
// Request handling
// ---------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const HANG = Symbol('hang');

interface HandlerContext {
  caller: Caller;
  url: URL;
  params: JsonObject;
  query: JsonObject;
  body: unknown;
}

type Handler = (context: HandlerContext) => Reply;

interface PendingRule<T extends RequestMatcher> {
  rule: T;
  remaining: number;
}

const FAULT_MESSAGES: Record<FaultStatus, string> = {
  401: 'Bad credentials',
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  422: 'Validation Failed',
  429: 'API rate limit exceeded for installation.',
  500: 'Server Error',
  502: 'Server Error',
  503: 'Service Unavailable',
};

const SECONDARY_RATE_LIMIT = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Rails' reading: `key[]=a&key[]=b` is a list, and of a repeated plain key the last one counts. */
function queryObject(search: URLSearchParams): JsonObject {
  const query: JsonObject = {};
  for (const [key, value] of search) {
    if (!key.endsWith('[]')) query[key] = value;
    else {
      const name = key.slice(0, -2);
      query[name] = [...(Array.isArray(query[name]) ? query[name] : []), value];
    }
  }
  return query;
}

function bearer(header: string | undefined): string | undefined {
  return /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

function matches(matcher: RequestMatcher, method: string, paths: string[]): boolean {
  if (matcher.method && matcher.method.toUpperCase() !== method) return false;
  const { path } = matcher;
  if (path === undefined) return true;
  return paths.some((candidate) => (typeof path === 'string' ? candidate === path : path.test(candidate)));
}

function takeRule<T extends RequestMatcher>(rules: PendingRule<T>[], method: string, paths: string[]): T | undefined {
  const index = rules.findIndex(({ rule }) => matches(rule, method, paths));
  if (index < 0) return undefined;
  const pending = rules[index]!;
  if (--pending.remaining === 0) rules.splice(index, 1);
  return pending.rule;
}

function faultReply(rule: FaultRule, docsUrl: string): Reply {
  const throttled = rule.retryAfter !== undefined && (rule.status === 403 || rule.status === 429);
  const headers: Record<string, string> = {};
  if (rule.retryAfter !== undefined) headers['retry-after'] = String(rule.retryAfter);
  if (rule.status === 429 && !throttled) {
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-reset'] = String(Math.ceil(Date.now() / 1000) + 60);
  }
  const message = throttled ? SECONDARY_RATE_LIMIT : FAULT_MESSAGES[rule.status];
  return { status: rule.status, body: { message, documentation_url: docsUrl, status: String(rule.status) }, headers };
}

/** Refuses anything but the viewer's login, so a query the server does not know cannot pass unseen. */
function viewerLoginQuery(raw: string): void {
  let request: unknown;
  try {
    request = JSON.parse(raw);
  } catch {
    throw rejection(400, 'Problems parsing JSON');
  }
  const { query, variables } = (isObject(request) ? request : {}) as { query?: unknown; variables?: unknown };
  const noVariables = variables === undefined || (isObject(variables) && Object.keys(variables).length === 0);
  if (typeof query !== 'string' || !VIEWER_LOGIN_QUERY.test(query) || !noVariables) {
    const shown = typeof query === 'string' ? query.replace(/\s+/g, ' ').trim().slice(0, 200) : String(query);
    throw rejection(400, 'This test server answers only the GraphQL query `query { viewer { login } }`', `GraphQL query not served: ${shown}`);
  }
}

function standardHeaders(requestNumber: number): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-request-id': `0000:${requestNumber.toString(16).toUpperCase()}`,
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(Math.max(0, 5000 - requestNumber)),
    'x-ratelimit-used': String(Math.min(5000, requestNumber)),
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
  };
}

/** GitHub counts characters, not UTF-16 units. */
function characterCount(text: string): number {
  return [...text].length;
}

export class GitHubApiServer {
  readonly requests: RequestRecord[] = [];
  readonly rejected: RejectedRecord[] = [];
  readonly unhandled: UnhandledRecord[] = [];

  private readonly http: HttpServer | HttpsServer;
  private readonly scheme: 'http' | 'https';
  /** `''` or, e.g., `/api/v3`: one leading slash, no trailing one. */
  private readonly pathPrefix: string;
  private readonly description = apiDescription();
  private readonly tokens: Map<string, TokenSpec>;
  private readonly accounts = new Map<string, Account>();
  private readonly repositories = new Map<string, Repository>();
  private readonly repositoriesById = new Map<number, Repository>();
  private readonly storedComments = new Map<number, StoredComment>();
  private readonly approvals = new Map<string, StoredApproval[]>();
  private readonly pullFiles = new Map<string, PullFileSeed[]>();
  private readonly pulls = new Map<string, StoredPull>();
  private readonly reviews = new Map<string, StoredReview[]>();
  private readonly permissions = new Map<string, PermissionSeed>();
  private readonly storedReactions = new Map<number, StoredReaction[]>();
  private readonly storedStatuses: StoredStatus[] = [];
  /** Commits the repository has, by `repository id:sha`: every head and base a pull request was given. */
  private readonly commits = new Set<string>();
  private readonly faults: PendingRule<FaultRule>[] = [];
  private readonly hangs: PendingRule<RequestMatcher>[] = [];
  private readonly handlers: Map<string, Handler>;
  private origin = '';
  private nextCommentId = 2_000_000_001;
  private nextReviewId = 3_000_000_001;
  private nextReactionId = 4_000_000_001;
  private nextStatusId = 5_000_000_001;
  private nextAccountId = 10_000_001;
  private nextRepositoryId = 700_000_001;

  private constructor(options: StartOptions) {
    this.tokens = new Map(options.tokens.map((t) => [t.token, t]));
    this.handlers = this.routeHandlers();
    this.pathPrefix = normalizedPrefix(options.pathPrefix);
    const listener: RequestListener = (request, response) => {
      // A client that gives up mid-body leaves nothing to answer.
      this.serve(request, response).catch(() => response.destroy());
    };
    this.scheme = options.tls ? 'https' : 'http';
    this.http = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  }

  static async start(options: StartOptions): Promise<GitHubApiServer> {
    const server = new GitHubApiServer(options);
    await new Promise<void>((resolve, reject) => {
      server.http.once('error', reject);
      server.http.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.http.address() as AddressInfo;
    server.origin = `${server.scheme}://127.0.0.1:${port}`;
    return server;
  }

  /**
   * E.g. `http://127.0.0.1:41234`, or `https://127.0.0.1:41234/api/v3` with `tls` and `pathPrefix`:
   * what GITHUB_API_URL or Octokit's `baseUrl` should be.
   */
  get url(): string {
    return `${this.origin}${this.pathPrefix}`;
  }

  /**
   * Where `html_url` fields point, as GITHUB_SERVER_URL would: `https://github.com`, or with a
   * `pathPrefix` this server's own origin, e.g. `https://127.0.0.1:41234`.
   */
  get serverUrl(): string {
    return this.pathPrefix ? this.origin : GITHUB_WEB_ROOT;
  }

  /** Adds `n` comments to an issue, oldest first, a minute apart, ending a minute ago. */
  seedComments(owner: string, repo: string, issue: number, n: number, seed: CommentSeed = {}): IssueComment[] {
    const author = this.account(seed.login ?? 'octocat');
    const repository = this.repository(owner, repo);
    const association = seed.association ?? this.defaultAssociation(author, repository);
    const added = Array.from({ length: n }, (_, i) => {
      const body = typeof seed.body === 'function' ? seed.body(i) : (seed.body ?? `Comment ${i + 1}`);
      const at = new Date(Date.now() - (n - i) * 60_000);
      return this.storeComment({ repository, issue, body, author, association, createdAt: at, updatedAt: at });
    });
    return added.map((c) => commentJson(this.roots, c, this.storedReactions.get(c.id)));
  }

  /** The issue's comments as the API would list them. */
  comments(owner: string, repo: string, issue: number): IssueComment[] {
    return this.issueComments(this.repository(owner, repo), issue).map((c) => commentJson(this.roots, c, this.storedReactions.get(c.id)));
  }

  /** What GET .../actions/runs/{runId}/approvals lists, after any seeded before; an unseeded run has none. */
  seedApprovals(owner: string, repo: string, runId: number, approvals: ApprovalSeed[]): void {
    const key = this.numberedKey(this.repository(owner, repo), runId);
    const stored = approvals.map((a) => ({ ...a, user: this.account(a.login) }));
    this.approvals.set(key, [...(this.approvals.get(key) ?? []), ...stored]);
  }

  /** Files of a pull request, in order; a bare name is a modified file. GitHub lists at most 3000. */
  seedPullFiles(owner: string, repo: string, pull: number, files: (string | PullFileSeed)[]): void {
    const key = this.numberedKey(this.repository(owner, repo), pull);
    const seeds = files.map((f) => (typeof f === 'string' ? { filename: f } : f));
    this.pullFiles.set(key, [...(this.pullFiles.get(key) ?? []), ...seeds]);
  }

  /**
   * Creates the pull request, or changes the given fields of one (a push: a new `headSha`; a merge:
   * `merged: true`). Only pull requests made so are found; any other number answers 404.
   */
  setPullRequest(owner: string, repo: string, number: number, seed: PullRequestSeed = {}): void {
    const repository = this.repository(owner, repo);
    const key = this.numberedKey(repository, number);
    const now = new Date();
    const pull = this.pulls.get(key) ?? {
      repository,
      number,
      author: this.account('octocat'),
      title: `Pull request ${number}`,
      headSha: fakeSha(`${owner}/${repo}`, number),
      headRef: `feature-${number}`,
      baseRef: 'main',
      headRepository: repository,
      state: 'open',
      merged: false,
      mergeable: true,
      mergeableComputing: 0,
      createdAt: now,
      updatedAt: now,
    };
    const { author, merged, state, headRepository, ...fields } = seed;
    if (author !== undefined) pull.author = this.account(author);
    if (headRepository !== undefined) pull.headRepository = headRepository === null ? null : this.forkOf(repository, headRepository);
    Object.assign(pull, fields, { updatedAt: now });
    if (merged !== undefined) pull.merged = merged;
    pull.state = state ?? (pull.merged ? 'closed' : pull.state);
    this.pulls.set(key, pull);
    // A head, once pushed, stays a commit of the repository (refs/pull/N/head keeps it).
    this.commits.add(this.commitKey(repository, pull.headSha));
    this.commits.add(this.commitKey(repository, fakeSha(`${owner}/${repo}`, pull.baseRef)));
  }

  /** The commit statuses set on `sha`, newest first, as GitHub lists them. */
  statuses(owner: string, repo: string, sha: string): StatusRecord[] {
    const repository = this.repository(owner, repo);
    return this.storedStatuses
      .filter((s) => s.repository === repository && s.sha === sha.toLowerCase())
      .reverse()
      .map((s) => ({ context: s.context, state: s.state, description: s.description, targetUrl: s.targetUrl, login: s.creator.login }));
  }

  /** Adds reviews to a pull request set with `setPullRequest`, after any before (GitHub lists them oldest first). */
  seedReviews(owner: string, repo: string, number: number, reviews: ReviewSeed[]): void {
    const repository = this.repository(owner, repo);
    const pull = this.pulls.get(this.numberedKey(repository, number));
    if (!pull) throw new Error(`seedReviews: set pull request ${owner}/${repo}#${number} first`);
    const key = this.numberedKey(repository, number);
    const stored = this.reviews.get(key) ?? [];
    for (const review of reviews) {
      // Oldest first, as GitHub lists them: a minute apart, the first a day ago.
      const submittedAt = new Date(Date.now() - 86_400_000 + stored.length * 60_000);
      stored.push({
        id: this.nextReviewId++,
        user: this.account(review.login),
        state: review.state,
        body: review.body ?? '',
        commitId: review.commitId ?? pull.headSha,
        submittedAt,
      });
    }
    this.reviews.set(key, stored);
  }

  /**
   * The user's role in the repository. Unset, the repository's owner is an admin and anyone else a
   * reader, as on a public repository.
   */
  setPermission(owner: string, repo: string, login: string, seed: PermissionSeed): void {
    this.permissions.set(this.permissionKey(this.repository(owner, repo), login), seed);
  }

  /** The reactions on an issue comment, oldest first. */
  reactions(commentId: number): ReactionRecord[] {
    return (this.storedReactions.get(commentId) ?? []).map((r) => ({ content: r.content, login: r.user.login }));
  }

  /**
   * Answers the next matching request(s) with an error instead. Like `hangNext`, it applies once a
   * request has passed routing, authentication and validation, so refusals are never masked.
   */
  failNext(rule: FaultRule): void {
    if (rule.performed && rule.status < 500) throw new Error(`a performed request answers a 5xx, not ${rule.status}`);
    this.faults.push({ rule, remaining: rule.count ?? 1 });
  }

  /** Matching requests are read and then left unanswered until `close()`. */
  hangNext(matcher: RequestMatcher = {}): void {
    this.hangs.push({ rule: matcher, remaining: matcher.count ?? 1 });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      // Hanging requests and idle keep-alive sockets would otherwise hold jest open.
      this.http.closeAllConnections();
    });
  }

  // ----- dispatch -----

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', this.origin);
    // Recorded and matched as `/graphql` wherever it is served.
    const graphql = url.pathname === this.graphqlPath;
    if (graphql) url.pathname = '/graphql';
    const inside = graphql || this.stripPrefix(url);
    const record: RequestRecord = { method, path: url.pathname, status: 0 };
    this.requests.push(record);
    const raw = await readBody(request);
    const authorization = request.headers.authorization;
    const outcome = graphql ? this.answerGraphql(method, url, raw, authorization) : inside ? this.answer(method, url, raw, authorization) : this.outsidePrefix(method, url);
    if (outcome === HANG) return;
    record.status = outcome.status;
    const text = outcome.body === undefined ? '' : JSON.stringify(outcome.body);
    response.writeHead(outcome.status, {
      ...standardHeaders(this.requests.length),
      ...outcome.headers,
      'content-length': String(Buffer.byteLength(text)),
    });
    response.end(text);
  }

  /**
   * From here on the prefix is out of sight: routing, matchers, records and Links all work on
   * api.github.com's paths. False when the request is outside the prefix.
   */
  private stripPrefix(url: URL): boolean {
    const prefix = this.pathPrefix;
    if (!prefix) return true;
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
    url.pathname = url.pathname.slice(prefix.length) || '/';
    return true;
  }

  /** Where Octokit sends GraphQL for this base URL: `/api/graphql` beside `/api/v3`, else `<prefix>/graphql`. */
  private get graphqlPath(): string {
    return /\/api\/v3$/.test(this.pathPrefix) ? this.pathPrefix.replace(/\/v3$/, '/graphql') : `${this.pathPrefix}/graphql`;
  }

  private answerGraphql(method: string, url: URL, raw: string, authorization: string | undefined): Reply | typeof HANG {
    try {
      if (method !== 'POST') throw rejection(404, 'Not Found', `GraphQL takes POST, not ${method}`);
      const caller = this.authenticate(authorization);
      viewerLoginQuery(raw);
      const matchPaths = [url.pathname];
      if (takeRule(this.hangs, method, matchPaths)) return HANG;
      const fault = takeRule(this.faults, method, matchPaths);
      if (fault) return faultReply(fault, GRAPHQL_DOCS);
      return { status: 200, body: { data: { viewer: { login: caller.account.login } } } };
    } catch (error) {
      return this.errorReply(method, url, error, GRAPHQL_DOCS);
    }
  }

  private outsidePrefix(method: string, url: URL): Reply {
    const refusal = rejection(404, 'Not Found', `outside the API's path ${this.pathPrefix}`);
    return this.errorReply(method, url, refusal, DOCS_ROOT);
  }

  private answer(method: string, url: URL, raw: string, authorization: string | undefined): Reply | typeof HANG {
    let docsUrl = DOCS_ROOT;
    try {
      const pathname = this.canonicalPath(url.pathname);
      const { operation, params } = this.route(method, pathname);
      docsUrl = operation.docsUrl;
      const caller = this.authenticate(authorization);
      const context = { caller, url, ...this.validate(operation, params, url.searchParams, raw) };
      const matchPaths = [url.pathname, pathname, operation.template];
      if (takeRule(this.hangs, method, matchPaths)) return HANG;
      const fault = takeRule(this.faults, method, matchPaths);
      if (fault && !fault.performed) return faultReply(fault, docsUrl);
      const reply = this.dispatch(method, url, operation, context);
      return fault ? faultReply(fault, docsUrl) : reply;
    } catch (error) {
      return this.errorReply(method, url, error, docsUrl);
    }
  }

  private errorReply(method: string, url: URL, error: unknown, docsUrl: string): Reply {
    const known = error instanceof ApiError ? error : undefined;
    const reason = known ? known.reason : `test server error: ${String(error)}`;
    if (reason !== undefined) this.rejected.push({ method, path: url.pathname, reason });
    const status = known?.status ?? 500;
    const message = known?.message ?? 'Server Error';
    return { status, body: { message, ...known?.extra, documentation_url: docsUrl, status: String(status) } };
  }

  private dispatch(method: string, url: URL, operation: Operation, context: HandlerContext): Reply {
    const handler = this.handlers.get(`${method} ${operation.template}`);
    if (handler) return handler(context);
    this.unhandled.push({ method, path: url.pathname, operationId: operation.spec.operationId });
    return {
      status: 404,
      body: { message: 'not implemented by the test server', documentation_url: operation.docsUrl, status: '404' },
    };
  }

  /** Links point at `/repositories/{id}/...`, as GitHub's do; resolve those to `/repos/{owner}/{repo}/...`. */
  private canonicalPath(pathname: string): string {
    const alias = /^\/repositories\/(\d+)(\/.*)$/.exec(pathname);
    if (!alias) return pathname;
    const repository = this.repositoriesById.get(Number(alias[1]));
    if (!repository) throw rejection(404, 'Not Found', `no repository has id ${alias[1]}`);
    return `/repos/${repository.owner}/${repository.name}${alias[2]}`;
  }

  private route(method: string, pathname: string): { operation: Operation; params: Record<string, string> } {
    const match = this.description.match(method, pathname);
    if (!match) throw rejection(404, 'Not Found', 'path not in the OpenAPI description');
    const operation = match.route.operations.get(method.toLowerCase());
    if (!operation) throw rejection(404, 'Not Found', `no ${method} operation for ${match.route.template}`);
    return { operation, params: match.params };
  }

  private authenticate(authorization: string | undefined): Caller {
    const token = this.tokens.get(bearer(authorization) ?? '');
    if (!token) throw rejection(401, 'Bad credentials', authorization ? 'unknown token' : 'no token');
    const account = token.kind === 'user' ? this.account(token.login) : this.account(token.login ?? ACTIONS_BOT_LOGIN, 'Bot');
    return { token, account };
  }

  private validate(operation: Operation, pathParams: JsonObject, search: URLSearchParams, raw: string) {
    const validators = this.description.validatorsFor(operation);
    const params = { ...pathParams };
    if (!validators.path(params)) {
      throw rejection(404, 'Not Found', `path ${describeAjvError(validators.path.errors ?? [], params, 'path')}`);
    }
    const query = queryObject(search);
    if (!validators.query(query)) {
      throw rejection(422, `Invalid request.\n\n${describeAjvError(validators.query.errors ?? [], query, 'query')}`);
    }
    return { params, query, body: validators.body && this.parseBody(validators.body, raw) };
  }

  private parseBody(validate: ValidateFunction, raw: string): unknown {
    let body: unknown;
    try {
      body = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw rejection(400, 'Problems parsing JSON');
    }
    if (!validate(body)) throw rejection(422, `Invalid request.\n\n${describeAjvError(validate.errors ?? [], body, 'body')}`);
    return body;
  }

  // ----- state -----

  private account(login: string, type: Account['type'] = login.endsWith('[bot]') ? 'Bot' : 'User'): Account {
    const key = login.toLowerCase();
    let account = this.accounts.get(key);
    if (!account) {
      const id = key === ACTIONS_BOT_LOGIN ? ACTIONS_BOT_ID : this.nextAccountId++;
      account = { login, id, type };
      this.accounts.set(key, account);
    }
    return account;
  }

  /** Any owner/repo exists; names are case-insensitive, as on GitHub. */
  private repository(owner: string, name: string): Repository {
    const key = `${owner}/${name}`.toLowerCase();
    let repository = this.repositories.get(key);
    if (!repository) {
      repository = { id: this.nextRepositoryId++, owner, name };
      this.repositories.set(key, repository);
      this.repositoriesById.set(repository.id, repository);
    }
    return repository;
  }

  /** The repository `fullName` (`owner/name`), a fork of `base` unless it is `base` itself. */
  private forkOf(base: Repository, fullName: string): Repository {
    const [owner, name, ...rest] = fullName.split('/');
    if (!owner || !name || rest.length > 0) throw new Error(`setPullRequest: headRepository '${fullName}' is not owner/name`);
    const repository = this.repository(owner, name);
    if (repository !== base) repository.forkOf ??= base;
    return repository;
  }

  private get roots(): Roots {
    return { api: this.url, web: this.serverUrl };
  }

  private numberedKey(repository: Repository, number: number): string {
    return `${repository.id}#${number}`;
  }

  private defaultAssociation(author: Account, repository: Repository): AuthorAssociation {
    return author.login.toLowerCase() === repository.owner.toLowerCase() ? 'OWNER' : 'NONE';
  }

  private callerAssociation(caller: Caller, repository: Repository): AuthorAssociation {
    const explicit = caller.token.kind === 'user' ? caller.token.association : undefined;
    return explicit ?? this.defaultAssociation(caller.account, repository);
  }

  private storeComment(fields: Omit<StoredComment, 'id'>): StoredComment {
    const comment = { id: this.nextCommentId++, ...fields };
    this.storedComments.set(comment.id, comment);
    return comment;
  }

  private issueComments(repository: Repository, issue: number): StoredComment[] {
    return [...this.storedComments.values()].filter((c) => c.repository === repository && c.issue === issue);
  }

  /** A comment of this repository, or the 404 GitHub gives for one of another repository. */
  private existingComment(repository: Repository, id: number): StoredComment {
    const comment = this.storedComments.get(id);
    if (!comment || comment.repository !== repository) throw notFound();
    return comment;
  }

  // ----- operations -----

  private routeHandlers(): Map<string, Handler> {
    const handlers = new Map<string, Handler>([
      ['GET /user', (c) => this.getAuthenticatedUser(c)],
      ['GET /repos/{owner}/{repo}/issues/{issue_number}/comments', (c) => this.listComments(c)],
      ['POST /repos/{owner}/{repo}/issues/{issue_number}/comments', (c) => this.createComment(c)],
      ['GET /repos/{owner}/{repo}/issues/comments/{comment_id}', (c) => this.getComment(c)],
      ['PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', (c) => this.updateComment(c)],
      ['DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}', (c) => this.deleteComment(c)],
      ['GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals', (c) => this.listApprovals(c)],
      ['GET /repos/{owner}/{repo}/pulls/{pull_number}/files', (c) => this.listPullFiles(c)],
      ['GET /repos/{owner}/{repo}/pulls/{pull_number}', (c) => this.getPull(c)],
      ['GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', (c) => this.listReviews(c)],
      ['GET /repos/{owner}/{repo}/collaborators/{username}/permission', (c) => this.getPermission(c)],
      ['POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', (c) => this.createReaction(c)],
      ['POST /repos/{owner}/{repo}/statuses/{sha}', (c) => this.createStatus(c)],
    ]);
    // A handler whose operation left the description would silently never run.
    for (const key of handlers.keys()) {
      const [method, template] = key.split(' ') as [string, string];
      if (!this.description.operation(method, template)) throw new Error(`${key} is not in the OpenAPI description`);
    }
    return handlers;
  }

  private contextRepository({ params }: HandlerContext): Repository {
    return this.repository(String(params.owner), String(params.repo));
  }

  private getAuthenticatedUser({ caller }: HandlerContext): Reply {
    // GitHub refuses this to App installation tokens, the workflow's GITHUB_TOKEN among them.
    if (caller.token.kind === 'installation') throw new ApiError(403, 'Resource not accessible by integration');
    return { status: 200, body: privateUserJson(this.roots, caller.account) };
  }

  private listComments(context: HandlerContext): Reply {
    const repository = this.contextRepository(context);
    const since = context.query.since === undefined ? undefined : Date.parse(context.query.since as string);
    const comments = this.issueComments(repository, Number(context.params.issue_number)).filter((c) => since === undefined || c.updatedAt.getTime() >= since);
    return this.page(
      context,
      repository,
      comments.map((c) => commentJson(this.roots, c, this.storedReactions.get(c.id))),
    );
  }

  private createComment(context: HandlerContext): Reply {
    const repository = this.contextRepository(context);
    const body = this.checkedCommentBody(context.body);
    const now = new Date();
    const comment = this.storeComment({
      repository,
      issue: Number(context.params.issue_number),
      body,
      author: context.caller.account,
      association: this.callerAssociation(context.caller, repository),
      createdAt: now,
      updatedAt: now,
    });
    const json = commentJson(this.roots, comment, this.storedReactions.get(comment.id));
    return { status: 201, body: json, headers: { location: json.url } };
  }

  private getComment(context: HandlerContext): Reply {
    const comment = this.existingComment(this.contextRepository(context), Number(context.params.comment_id));
    return { status: 200, body: commentJson(this.roots, comment, this.storedReactions.get(comment.id)) };
  }

  private updateComment(context: HandlerContext): Reply {
    const comment = this.authoredComment(context);
    comment.body = this.checkedCommentBody(context.body);
    comment.updatedAt = new Date();
    return { status: 200, body: commentJson(this.roots, comment, this.storedReactions.get(comment.id)) };
  }

  private deleteComment(context: HandlerContext): Reply {
    const comment = this.authoredComment(context);
    this.storedComments.delete(comment.id);
    this.storedReactions.delete(comment.id);
    return { status: 204 };
  }

  /** Only a comment's author may change it here (GitHub also lets maintainers; tests want the stricter rule). */
  private authoredComment(context: HandlerContext): StoredComment {
    const comment = this.existingComment(this.contextRepository(context), Number(context.params.comment_id));
    if (comment.author.id !== context.caller.account.id) {
      const kind = context.caller.token.kind === 'installation' ? 'integration' : 'personal access token';
      throw new ApiError(403, `Resource not accessible by ${kind}`);
    }
    return comment;
  }

  private checkedCommentBody(requestBody: unknown): string {
    const { body } = requestBody as { body: string };
    if (characterCount(body) > COMMENT_MAX_CHARS) {
      const message = `body is too long (maximum is ${COMMENT_MAX_CHARS} characters)`;
      throw validationFailed('IssueComment', { code: 'custom', field: 'body', message });
    }
    // GitHub refuses blank comments as well.
    if (body.trim() === '') throw validationFailed('IssueComment', { code: 'missing_field', field: 'body' });
    return body;
  }

  private listApprovals(context: HandlerContext): Reply {
    const repository = this.contextRepository(context);
    const approvals = this.approvals.get(this.numberedKey(repository, Number(context.params.run_id))) ?? [];
    return { status: 200, body: approvals.map((a) => approvalJson(this.roots, repository, a)) };
  }

  private listPullFiles(context: HandlerContext): Reply {
    const repository = this.contextRepository(context);
    const pull = Number(context.params.pull_number);
    const files = (this.pullFiles.get(this.numberedKey(repository, pull)) ?? []).slice(0, PULL_FILES_CAP);
    return this.page(
      context,
      repository,
      files.map((f) => diffEntryJson(this.roots, repository, pull, f)),
    );
  }

  private existingPull(context: HandlerContext): StoredPull {
    const pull = this.pulls.get(this.numberedKey(this.contextRepository(context), Number(context.params.pull_number)));
    if (!pull) throw notFound();
    return pull;
  }

  private getPull(context: HandlerContext): Reply {
    const pull = this.existingPull(context);
    let mergeable = pull.mergeable;
    if (pull.mergeableComputing > 0) {
      pull.mergeableComputing--;
      mergeable = null;
    }
    const owner = this.account(pull.repository.owner);
    const headOwner = pull.headRepository ? this.account(pull.headRepository.owner) : owner;
    return { status: 200, body: pullRequestJson(this.roots, pull, owner, headOwner, mergeable) };
  }

  private listReviews(context: HandlerContext): Reply {
    const pull = this.existingPull(context);
    const repository = this.contextRepository(context);
    // A pending review is a draft: only its author sees it.
    const visible = (this.reviews.get(this.numberedKey(repository, pull.number)) ?? []).filter((r) => r.state !== 'PENDING' || r.user.id === context.caller.account.id);
    return this.page(
      context,
      repository,
      visible.map((r) => reviewJson(this.roots, pull, r)),
    );
  }

  private permissionKey(repository: Repository, login: string): string {
    return `${repository.id}:${login.toLowerCase()}`;
  }

  private getPermission(context: HandlerContext): Reply {
    const repository = this.contextRepository(context);
    const account = this.account(String(context.params.username));
    const seed = this.permissions.get(this.permissionKey(repository, account.login)) ?? (account.login.toLowerCase() === repository.owner.toLowerCase() ? 'admin' : 'read');
    return { status: 200, body: collaboratorPermissionJson(this.roots, account, seed) };
  }

  /** Reacting twice alike is no error: GitHub answers 200 with the reaction already there. */
  private createReaction(context: HandlerContext): Reply {
    const comment = this.existingComment(this.contextRepository(context), Number(context.params.comment_id));
    const { content } = context.body as { content: ReactionContent };
    const reactions = this.storedReactions.get(comment.id) ?? [];
    const existing = reactions.find((r) => r.user.id === context.caller.account.id && r.content === content);
    if (existing) return { status: 200, body: reactionJson(this.roots, existing) };
    const reaction = { id: this.nextReactionId++, user: context.caller.account, content, createdAt: new Date() };
    this.storedReactions.set(comment.id, [...reactions, reaction]);
    return { status: 201, body: reactionJson(this.roots, reaction) };
  }

  private commitKey(repository: Repository, sha: string): string {
    return `${repository.id}:${sha.toLowerCase()}`;
  }

  /**
   * A status on a commit of the repository; GitHub answers 422 for a SHA it does not have (which is
   * what a status on the wrong commit, a workflow's GITHUB_SHA for a pull request's head, gets where
   * that commit is not pushed), for a description over 140 characters, and past 1000 statuses of one
   * context on one commit.
   */
  private createStatus(context: HandlerContext): Reply {
    const repository = this.contextRepository(context);
    const sha = String(context.params.sha).toLowerCase();
    if (!this.commits.has(this.commitKey(repository, sha))) throw rejection(422, `No commit found for SHA: ${context.params.sha as string}`);
    const body = context.body as { state: CommitStatusState; target_url?: string | null; description?: string | null; context?: string };
    const description = body.description ?? null;
    if (description !== null && characterCount(description) > STATUS_DESCRIPTION_MAX_CHARS) {
      throw validationFailed('Status', { code: 'custom', field: 'description', message: `description is too long (maximum is ${STATUS_DESCRIPTION_MAX_CHARS} characters)` });
    }
    const name = body.context ?? 'default';
    const same = this.storedStatuses.filter((s) => s.repository === repository && s.sha === sha && s.context.toLowerCase() === name.toLowerCase());
    if (same.length >= STATUSES_PER_CONTEXT) {
      throw validationFailed('Status', { code: 'custom', message: 'This SHA and context has reached the maximum number of statuses.' });
    }
    const status: StoredStatus = {
      id: this.nextStatusId++,
      repository,
      sha,
      state: body.state,
      description,
      targetUrl: body.target_url ?? null,
      context: name,
      creator: context.caller.account,
      createdAt: new Date(),
    };
    this.storedStatuses.push(status);
    return { status: 201, body: statusJson(this.roots, status) };
  }

  /** One page of `items`, with the Link header GitHub sends (rels in GitHub's order). */
  private page(context: HandlerContext, repository: Repository, items: unknown[]): Reply {
    const perPage = Math.max(1, Number(context.query.per_page));
    const page = Math.max(1, Number(context.query.page));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const rels: [string, number][] = [];
    if (page > 1) rels.push(['prev', page - 1]);
    if (page < last) rels.push(['next', page + 1], ['last', last]);
    if (page > 1) rels.push(['first', 1]);
    const body = items.slice((page - 1) * perPage, page * perPage);
    if (rels.length === 0) return { status: 200, body };
    const link = rels.map(([rel, n]) => `<${this.pageUrl(context.url, repository, n)}>; rel="${rel}"`).join(', ');
    return { status: 200, body, headers: { link } };
  }

  private pageUrl(url: URL, repository: Repository, page: number): string {
    const rest = url.pathname.replace(/^\/(?:repos\/[^/]+\/[^/]+|repositories\/\d+)/, '');
    const search = new URLSearchParams(url.searchParams);
    search.set('page', String(page));
    return `${this.url}/repositories/${repository.id}${rest}?${search.toString()}`;
  }
}

/** `api/v3/` and `/api/v3` alike become `/api/v3`; none, `''` and `/` mean no prefix. */
function normalizedPrefix(prefix: string | undefined): string {
  const segments = (prefix ?? '').split('/').filter(Boolean);
  return segments.length === 0 ? '' : `/${segments.join('/')}`;
}

export function startGitHubApi(options: StartOptions): Promise<GitHubApiServer> {
  return GitHubApiServer.start(options);
}
