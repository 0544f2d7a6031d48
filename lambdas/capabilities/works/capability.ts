import { workKind } from '../../../shared/resources/work.js';
import { defineCapability } from '../capability.js';
import { ingestWorkReports } from './ingest.js';
import { redactWorkSecrets } from './redaction.js';
import { workBehaviour } from './work-behaviour.js';
import { deleteClusterWorks, loadDesiredWorks } from './works.js';
import { forgetClusterSizes } from './desired-size.js';

/**
 * Works: manifests for one cluster, applied by its agent. Plugs into the cluster lifecycle through
 * the desired state (the `works` part), the status reports and the clean-up of a removed cluster.
 */
export const worksCapability = defineCapability({
  name: 'works',
  kinds: [workKind],
  behaviours: [workBehaviour],
  desiredState: { works: loadDesiredWorks },
  statusReportHandlers: [ingestWorkReports],
  redactions: [{ kind: workKind.kind, redact: redactWorkSecrets }],
  clusterCleanups: [
    {
      name: 'works',
      run: async (ctx, cluster) => {
        await deleteClusterWorks(ctx, cluster);
        await forgetClusterSizes(ctx, cluster);
      },
    },
  ],
});
