// The Work capability: importing this module registers the Work behaviour and its lifecycle hooks.
import './work-behaviour.js';

export { applyWork, listClusterWorks, loadDesiredWorks, deleteClusterWorks, readWork, removeWork, toDesiredWork, type WorkInput, type WorkResource } from './works.js';
export { ingestWorkReports } from './ingest.js';
export { workStatusFromReport } from './work-status.js';
export { redactWorkSecrets, REDACTED } from './redaction.js';
export { WORK_MAX_COMPRESSED_BYTES, WORK_MAX_JSON_BYTES } from './work-checks.js';
