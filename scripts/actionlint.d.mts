export declare const ACTIONLINT_VERSION: string;
export declare const ACTIONLINT_BIN: string;
export declare function workflowFiles(repo?: string): string[];
export declare function ensureActionlint(options?: { log?: (line: string) => void }): string;
/** One problem as actionlint's `{{json .}}` format reports it. */
export interface ActionlintFinding {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
  snippet?: string;
  end_column?: number;
}
export declare function lintWorkflows(files: readonly string[], options?: { cwd?: string }): ActionlintFinding[];
export declare function runActionlint(args: readonly string[], options?: { cwd?: string }): number;
