import { useState } from 'preact/hooks';
import { apiPath, describeError, post } from '../api.js';
import { ConfirmDialog } from '../components/dialog.js';
import { useNotify } from '../notices.js';

/**
 * The rollout controls shared by the Deployments list and a deployment's page: pause and resume
 * act at once; abort, roll back and the audited window override ask first.
 */

export type Action = 'pause' | 'resume' | 'abort' | 'rollback';

const PAST: Record<Action, string> = { pause: 'paused', resume: 'resumed', abort: 'aborted', rollback: 'rolling back' };

/** What a view needs to offer the controls: handlers, the last error, and the dialogs to render. */
export function useDeploymentActions(refresh: () => Promise<void>) {
  const notify = useNotify();
  const [confirming, setConfirming] = useState<{ name: string; action: 'abort' | 'rollback' } | undefined>(undefined);
  const [overriding, setOverriding] = useState<string | undefined>(undefined);
  const [reason, setReason] = useState('');
  const [actionError, setActionError] = useState<string | undefined>(undefined);

  const act = async (name: string, action: Action) => {
    await post(apiPath('fleetdeployments', name, action));
    notify(`Deployment ${name} ${PAST[action]}.`);
    await refresh();
  };
  const onAction = (name: string, action: Action) => {
    if (action === 'abort' || action === 'rollback') {
      setConfirming({ name, action });
      return;
    }
    setActionError(undefined);
    act(name, action).catch((err: unknown) => setActionError(describeError(err)));
  };
  const onOverride = (name: string) => {
    setReason('');
    setOverriding(name);
  };

  const dialogs = (
    <>
      {confirming && (
        <ConfirmDialog
          title={confirming.action === 'abort' ? `Abort ${confirming.name}?` : `Roll back ${confirming.name}?`}
          message={
            confirming.action === 'abort' ? (
              <p>No new waves start. What is already applied stays where it is.</p>
            ) : (
              <p>Every updated cluster goes back to the previous revision, with the same strategy and maintenance windows.</p>
            )
          }
          confirmLabel={confirming.action === 'abort' ? 'Abort rollout' : 'Roll back'}
          danger
          onClose={() => setConfirming(undefined)}
          onConfirm={async () => {
            await act(confirming.name, confirming.action);
            setConfirming(undefined);
          }}
        />
      )}
      {overriding && (
        <ConfirmDialog
          title={`Override maintenance windows for ${overriding}?`}
          message={
            <p>Emergency only: clusters outside their maintenance window get the current revision now. The reason goes to the audit log.</p>
          }
          confirmLabel="Override windows"
          danger
          disabled={reason.trim().length < 3}
          onClose={() => setOverriding(undefined)}
          onConfirm={async () => {
            await post(apiPath('fleetdeployments', overriding, 'override-window'), { reason: reason.trim() });
            notify(`Maintenance windows of ${overriding} overridden.`);
            setOverriding(undefined);
            await refresh();
          }}
        >
          <div class="field">
            <label for="override-reason">Reason (for the audit log)</label>
            <input id="override-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </div>
        </ConfirmDialog>
      )}
    </>
  );
  return { onAction, onOverride, actionError, dialogs };
}
