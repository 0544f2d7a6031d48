import { clusterSetKind } from '../../../shared/resources/clusterset.js';
import { defineCapability } from '../capability.js';
import { clusterSetBehaviour } from './clusterset-behaviour.js';
import { fanOutMembershipStep, recomputeClustersStep } from './membership.js';

/** ClusterSets: named groups of clusters and the membership index that keeps them current. */
export const clusterSetsCapability = defineCapability({
  name: 'clustersets',
  kinds: [clusterSetKind],
  behaviours: [clusterSetBehaviour],
  steps: [recomputeClustersStep, fanOutMembershipStep],
});
