import { labelKeyProblem, labelValueProblem, matchesSelector, type LabelSelector } from '../../shared/labels.js';
import { KubeInvalidError, type InvalidCause } from './errors.js';
import { isPlainObject, jsonEqual } from './json.js';
import { isBuiltinApiVersion, type KindInfo } from './kinds.js';
import type { KubeObject } from './types.js';

/**
 * The subset of API-server validation the in-memory cluster enforces, with the API server's
 * wording: names, labels and annotations for every kind; selectors, templates and containers for
 * workloads; the naming rules of CRDs. Enough to make a broken manifest fail in simulation the
 * way it fails on a real cluster; not a full reimplementation.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

const WORKLOADS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);
const RBAC_GROUP = 'rbac.authorization.k8s.io';

function invalid(field: string, value: unknown, message: string): InvalidCause {
  return { field, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${message}` };
}

function required(field: string): InvalidCause {
  return { field, reason: 'FieldValueRequired', message: 'Required value' };
}

function nameProblem(info: KindInfo, name: string): string | undefined {
  if (info.group === RBAC_GROUP) {
    // RBAC names are path segments: `system:controller:foo` is valid.
    return name === '.' || name === '..' || /[/%]/.test(name) ? `may not be '.' or '..' and may not contain '/' or '%'` : undefined;
  }
  if (info.kind === 'Namespace') return name.length <= 63 && DNS1123_LABEL.test(name) ? undefined : LABEL_MSG;
  if (info.kind === 'Service') return name.length <= 63 && DNS1035_LABEL.test(name) ? undefined : DNS1035_MSG;
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name) ? undefined : SUBDOMAIN_MSG;
}

function metadataCauses(info: KindInfo, obj: KubeObject): InvalidCause[] {
  const causes: InvalidCause[] = [];
  const { name, labels, annotations } = obj.metadata;
  if (!name) causes.push(required('metadata.name'));
  else {
    const problem = nameProblem(info, name);
    if (problem) causes.push(invalid('metadata.name', name, problem));
  }
  for (const [k, v] of Object.entries(labels ?? {})) {
    const problem = labelKeyProblem(k) ?? (typeof v === 'string' ? labelValueProblem(v) : 'label values must be strings');
    if (problem) causes.push(invalid(`metadata.labels`, `${k}=${String(v)}`, problem));
  }
  for (const k of Object.keys(annotations ?? {})) {
    const problem = labelKeyProblem(k);
    if (problem) causes.push(invalid('metadata.annotations', k, problem));
  }
  return causes;
}

function podTemplateCauses(template: unknown, prefix: string, kind: string): InvalidCause[] {
  const causes: InvalidCause[] = [];
  const podSpec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : undefined;
  const containers = podSpec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push(required(`${prefix}.spec.containers`));
  } else {
    containers.forEach((c, i) => {
      if (!isPlainObject(c) || typeof c.name !== 'string' || c.name === '') causes.push(required(`${prefix}.spec.containers[${i}].name`));
      if (!isPlainObject(c) || typeof c.image !== 'string' || c.image === '')
        causes.push(required(`${prefix}.spec.containers[${i}].image`));
    });
  }
  if (kind === 'Job') {
    const policy = podSpec?.restartPolicy;
    if (policy !== 'Never' && policy !== 'OnFailure') {
      causes.push({
        field: `${prefix}.spec.restartPolicy`,
        reason: 'FieldValueRequired',
        message: 'Required value: valid values: "OnFailure", "Never"',
      });
    }
  }
  return causes;
}

function workloadCauses(obj: KubeObject, live: KubeObject | undefined): InvalidCause[] {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const causes: InvalidCause[] = [];
  if (obj.kind !== 'Job') {
    const selector = spec.selector;
    if (!isPlainObject(selector) || (!isPlainObject(selector.matchLabels) && !Array.isArray(selector.matchExpressions))) {
      causes.push(required('spec.selector'));
    } else {
      const template = isPlainObject(spec.template) ? spec.template : {};
      const labels = isPlainObject(template.metadata) && isPlainObject(template.metadata.labels) ? template.metadata.labels : {};
      if (!matchesSelector(selector as LabelSelector, labels as Record<string, string>)) {
        causes.push(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
      }
      const liveSpec = live && isPlainObject(live.spec) ? live.spec : undefined;
      if (liveSpec && liveSpec.selector !== undefined && !jsonEqual(liveSpec.selector, selector)) {
        causes.push(invalid('spec.selector', selector, 'field is immutable'));
      }
    }
  }
  return [...causes, ...podTemplateCauses(spec.template, 'spec.template', obj.kind)];
}

function crdCauses(obj: KubeObject): InvalidCause[] {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const names = isPlainObject(spec.names) ? spec.names : {};
  const causes: InvalidCause[] = [];
  if (typeof spec.group !== 'string' || spec.group === '') causes.push(required('spec.group'));
  if (typeof names.plural !== 'string' || names.plural === '') causes.push(required('spec.names.plural'));
  if (typeof names.kind !== 'string' || names.kind === '') causes.push(required('spec.names.kind'));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push({
      field: 'spec.scope',
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`,
    });
  }
  if (causes.length === 0 && obj.metadata.name !== `${names.plural as string}.${spec.group as string}`) {
    causes.push(invalid('metadata.name', obj.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) causes.push(required('spec.versions'));
  else if (versions.filter((v) => isPlainObject(v) && v.storage === true).length !== 1) {
    causes.push(invalid('spec.versions', versions.length, 'must have exactly one version marked as storage version'));
  }
  return causes;
}

function configMapCauses(obj: KubeObject): InvalidCause[] {
  const data = obj.data;
  if (data === undefined) return [];
  if (!isPlainObject(data)) return [invalid('data', data, 'must be a map of strings')];
  return Object.entries(data)
    .filter(([, v]) => typeof v !== 'string')
    .map(([k, v]) => invalid(`data[${k}]`, v, 'must be a string'));
}

/**
 * Validates an object as it would be stored (after merging), against its previous version.
 * @throws KubeInvalidError listing every cause, worded like the API server's 422.
 */
export function validateObject(info: KindInfo, obj: KubeObject, live: KubeObject | undefined): void {
  const causes = metadataCauses(info, obj);
  if (isBuiltinApiVersion(info.apiVersion)) {
    if (WORKLOADS.has(info.kind) || (info.kind === 'Job' && info.group === 'batch')) causes.push(...workloadCauses(obj, live));
    if (info.kind === 'CustomResourceDefinition') causes.push(...crdCauses(obj));
    if (info.kind === 'ConfigMap' && info.group === '') causes.push(...configMapCauses(obj));
  }
  if (causes.length === 0) return;
  const kindName = info.group ? `${info.kind}.${info.group}` : info.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const detail = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  throw new KubeInvalidError(`${kindName} "${obj.metadata.name}" is invalid: ${detail}`, causes);
}
