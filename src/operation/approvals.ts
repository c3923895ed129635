// `require-approval`: asks GitHub for this run's approvals, for the plan stage's gate to decide on.
import type { GateDecision } from '../model/commands.js';
import type { StackSettings } from '../model/settings.js';
import { approvalGate } from '../plan/plan.js';
import { gitHubClient, gitHubFailure, runApprovals } from '../workspace/github.js';

/** The gate's decision on this run's approvals for `environment`; approvals GitHub will not give refuse. */
export async function checkApproval(settings: StackSettings, environment: string): Promise<GateDecision> {
  const { repository, runId, actor, triggeringActor, apiUrl } = settings.github;
  // parseInputs made sure these are set whenever require-approval is.
  try {
    const github = await gitHubClient(settings.comment.token!, apiUrl);
    return approvalGate(await runApprovals(github, repository!.owner, repository!.repo, runId!), environment, [actor, triggeringActor]);
  } catch (err) {
    return { allowed: false, reason: `Could not read this run's approvals (${gitHubFailure(err)}): give the job 'actions: read'.` };
  }
}
